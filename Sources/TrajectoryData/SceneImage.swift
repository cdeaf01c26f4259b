// A reference image of a scene (a video frame), as the file's bytes: PNG or JPEG only, with its
// size read from the header. Nothing is decoded; the bytes are stored and embedded as they are.

/// A PNG or JPEG image and its size in pixels.
public struct SceneImage: Equatable, Sendable {
    public enum Format: String, Sendable { case png, jpeg }

    public var format: Format
    public var width: Int
    public var height: Int
    /// The file's bytes.
    public var data: [UInt8]
    /// Where it was read from.
    public var path: String

    public init(format: Format, width: Int, height: Int, data: [UInt8], path: String) {
        (self.format, self.width, self.height, self.data, self.path) = (format, width, height, data, path)
    }

    /// Reads `path` and checks it is a PNG or a JPEG whose header states a size.
    public init(contentsOf path: String) throws(ImportError) {
        let bytes = Array(try TextBuffer(contentsOf: path).storage.dropLast())
        try self.init(bytes, path: path)
    }

    /// Checks `bytes` are a PNG or a JPEG whose header states a size.
    public init(_ bytes: [UInt8], path: String) throws(ImportError) {
        func bigEndian(_ at: Int, _ count: Int) -> Int { bytes[at..<at + count].reduce(0) { $0 << 8 | Int($1) } }
        if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
           bytes[12..<16].elementsEqual("IHDR".utf8) {
            self.init(format: .png, width: bigEndian(16, 4), height: bigEndian(20, 4), data: bytes, path: path)
        } else if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
            // Walk the segments to a start-of-frame marker (C0–CF but C4, C8, CC), which holds the size.
            var i = 2
            var size: (Int, Int)?
            while i + 9 < bytes.count, bytes[i] == 0xFF {
                let marker = bytes[i + 1]
                if marker == 0xFF { i += 1; continue }
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    size = (bigEndian(i + 7, 2), bigEndian(i + 5, 2))
                    break
                }
                if marker == 0xD8 || (0xD0...0xD7).contains(marker) { i += 2; continue }
                i += 2 + bigEndian(i + 2, 2)
            }
            guard let size else {
                throw .unreadable(file: path, reason: "a JPEG without a frame header (no size found)")
            }
            self.init(format: .jpeg, width: size.0, height: size.1, data: bytes, path: path)
        } else {
            throw .unreadable(file: path, reason: "not a PNG or JPEG image")
        }
        guard width > 0, height > 0 else {
            throw .unreadable(file: path, reason: "the image header gives a size of \(width)×\(height) pixels")
        }
    }
}
