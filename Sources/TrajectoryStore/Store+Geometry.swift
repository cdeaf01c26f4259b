// What a scene keeps of its camera: how its pixels map to meters and its reference image, read
// back for drawing positions over the image.
import Foundation
import TrajectoryData

extension Store {
    /// How the pixels of scene `id` map to meters (image → world as stored, columns first), if known.
    public func pixelMapping(scene id: Int64) throws -> PixelMapping? {
        let row = try database.prepare("""
            SELECT pixel_mapping, image_to_world, meters_per_pixel FROM scene WHERE id = ?1
            """).rows([.integer(id)]) { ($0.isNull(0) ? nil : $0.text(0), $0.isNull(1) ? nil : $0.text(1),
                                         $0.isNull(2) ? nil : $0.double(2)) }.first
        guard let (kind, matrix, scale) = row, let kind else { return nil }
        if kind == "scale", let scale { return .scale(metersPerPixel: scale) }
        guard let matrix, let numbers = try? JSONDecoder().decode([Double].self, from: Data(matrix.utf8)) else {
            throw StoreError.unknownValue(what: "image_to_world of scene \(id)", value: matrix ?? "NULL")
        }
        return .homography(matrix: numbers, axes: .xy)
    }

    /// The reference image of scene `id`, if one was imported with it.
    public func image(scene id: Int64) throws -> SceneImage? {
        try database.prepare("SELECT format, width, height, data, source_path FROM scene_image WHERE scene_id = ?1")
            .rows([.integer(id)]) {
                SceneImage(format: SceneImage.Format(rawValue: $0.text(0)) ?? .png, width: Int($0.int(1)),
                           height: Int($0.int(2)), data: $0.blob(3), path: $0.text(4))
            }.first
    }

    /// A JSON array of numbers (the store's form of a matrix).
    static func jsonArray(_ numbers: [Double]) throws -> String {
        String(decoding: try JSONEncoder().encode(numbers), as: UTF8.self)
    }
}
