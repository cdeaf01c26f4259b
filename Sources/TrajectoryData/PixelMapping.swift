// Pixels to meters and back: a homography (a 3×3 matrix, image → world, as the ETH datasets ship
// it in H.txt) or one scale in meters per pixel (the Stanford Drone Dataset). Checked when read:
// a singular or non-finite matrix, or a scale ≤ 0, is an error naming the file.

/// Which image coordinate comes first in the homogeneous point the homography multiplies.
public enum ImageAxes: String, CaseIterable, Sendable {
    /// (u, v, 1) = (column, row, 1): x to the right, y down, as most image tools count.
    case xy
    /// (row, column, 1): ETH's H.txt files multiply this order.
    case yx
}

/// How image positions (pixels: column u to the right, row v down) become meters and back.
public enum PixelMapping: Equatable, Sendable {
    /// world (X, Y, W) = H · p, meters = (X/W, Y/W), with p = (u, v, 1) for `.xy` or (v, u, 1) for `.yx`.
    /// `matrix` is row-major.
    case homography(matrix: [Double], axes: ImageAxes)
    /// meters = pixels × metersPerPixel, on both axes (image rows down become y down).
    case scale(metersPerPixel: Double)

    /// Checks a homography: 9 finite numbers with a determinant that is not (nearly) zero.
    /// `file` names the matrix in errors.
    public static func homography(_ matrix: [Double], axes: ImageAxes, file: String) throws(ImportError) -> PixelMapping {
        guard matrix.count == 9 else {
            throw .invalidSetting(file: file, reason: "a homography has 9 numbers (3 rows of 3), found \(matrix.count)")
        }
        guard matrix.allSatisfy(\.isFinite) else {
            throw .invalidSetting(file: file, reason: "the homography holds a number that is not finite")
        }
        let scale = matrix.map(abs).max()!
        guard scale > 0, abs(determinant(matrix)) > 1e-12 * scale * scale * scale,
              inverse(matrix).allSatisfy(\.isFinite)
        else {
            throw .invalidSetting(file: file, reason: "the homography is singular (its determinant is 0): it cannot map "
                + "pixels to meters and back")
        }
        return .homography(matrix: matrix, axes: axes)
    }

    /// Reads a homography file: 9 numbers, whitespace-separated (3 rows of 3, as ETH's H.txt).
    public static func homography(contentsOf path: String, axes: ImageAxes) throws(ImportError) -> PixelMapping {
        let text = try TextBuffer(contentsOf: path)
        var numbers: [Double] = []
        var failure: ImportError?
        text.forEachLine { line, buffer, range in
            for field in splitFields(buffer, range, delimiter: nil) {
                guard let value = parseNumber(buffer, field) else {
                    failure = .notANumber(file: path, line: line, column: "homography", text: shown(buffer, field))
                    return false
                }
                numbers.append(value)
            }
            return true
        }
        if let failure { throw failure }
        return try homography(numbers, axes: axes, file: path)
    }

    /// Checks a scale in meters per pixel (positive and finite).
    public static func scale(_ metersPerPixel: Double, file: String) throws(ImportError) -> PixelMapping {
        guard metersPerPixel.isFinite, metersPerPixel > 0 else {
            throw .invalidSetting(file: file, reason: "a scale must be a positive number of meters per pixel, "
                + "got \(metersPerPixel)")
        }
        return .scale(metersPerPixel: metersPerPixel)
    }

    /// Meters of image point (u, v).
    @inline(__always)
    public func world(u: Double, v: Double) -> (x: Double, y: Double) {
        switch self {
        case let .homography(h, axes):
            let (a, b) = axes == .xy ? (u, v) : (v, u)
            let w = h[6] * a + h[7] * b + h[8]
            return ((h[0] * a + h[1] * b + h[2]) / w, (h[3] * a + h[4] * b + h[5]) / w)
        case let .scale(s):
            return (u * s, v * s)
        }
    }

    /// Pixels (u, v) of world point (x, y): the inverse of `world(u:v:)`.
    public func image(x: Double, y: Double) -> (u: Double, v: Double) {
        switch self {
        case let .homography(h, axes):
            let g = Self.inverse(h)
            let w = g[6] * x + g[7] * y + g[8]
            let (a, b) = ((g[0] * x + g[1] * y + g[2]) / w, (g[3] * x + g[4] * y + g[5]) / w)
            return axes == .xy ? (a, b) : (b, a)
        case let .scale(s):
            return (x / s, y / s)
        }
    }

    /// "homography" or "scale", as the store's `pixel_mapping` column names it.
    public var kind: String {
        switch self {
        case .homography: return "homography"
        case .scale: return "scale"
        }
    }

    /// The image → world matrix applied to (u, v, 1), whatever the axes: what the store keeps.
    public var imageToWorld: [Double] {
        switch self {
        case let .homography(h, axes):
            // Swapping the inputs swaps the first two columns.
            return axes == .xy ? h : [h[1], h[0], h[2], h[4], h[3], h[5], h[7], h[6], h[8]]
        case let .scale(s):
            return [s, 0, 0, 0, s, 0, 0, 0, 1]
        }
    }

    /// The inverse of a 3×3 row-major matrix, by cofactors.
    static func inverse(_ m: [Double]) -> [Double] {
        let d = determinant(m)
        return [
            (m[4] * m[8] - m[5] * m[7]) / d, (m[2] * m[7] - m[1] * m[8]) / d, (m[1] * m[5] - m[2] * m[4]) / d,
            (m[5] * m[6] - m[3] * m[8]) / d, (m[0] * m[8] - m[2] * m[6]) / d, (m[2] * m[3] - m[0] * m[5]) / d,
            (m[3] * m[7] - m[4] * m[6]) / d, (m[1] * m[6] - m[0] * m[7]) / d, (m[0] * m[4] - m[1] * m[3]) / d,
        ]
    }

    static func determinant(_ m: [Double]) -> Double {
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
    }
}
