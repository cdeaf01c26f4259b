// The Stanford Drone Dataset's published scales (`estimated_scales.yaml`: meters per pixel for
// each scene and video, with a certainty). Only that two-level shape of YAML is read:
//   SCENE:\n  VIDEO:\n    scale: NUMBER\n    certainty: NUMBER

/// A scale in meters per pixel and how sure its estimate is (1 = measured).
public struct PublishedScale: Equatable, Sendable {
    public var metersPerPixel: Double
    public var certainty: Double
}

public enum SceneScales {
    /// The scale of `scene`/`video` in the YAML file at `path`.
    public static func lookup(_ path: String, scene: String, video: String) throws(ImportError) -> PublishedScale {
        let text = try TextBuffer(contentsOf: path)
        var current: (scene: String?, video: String?) = (nil, nil)
        var scale: Double?, certainty: Double?
        var failure: ImportError?
        text.forEachLine { line, buffer, range in
            let raw = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
            let indent = raw.prefix { $0 == " " || $0 == "\t" }.count
            let content = raw.dropFirst(indent)
            if content.hasPrefix("#") { return true }
            guard let colon = content.firstIndex(of: ":") else {
                failure = .malformedRecord(file: path, line: line, reason: "expected 'name:' or 'key: value'")
                return false
            }
            let key = content[..<colon].trimmingSpaces, value = content[content.index(after: colon)...].trimmingSpaces
            if value.isEmpty {
                if indent == 0 { current = (key, nil) } else { current.video = key }
                return true
            }
            guard current.scene == scene, current.video == video else { return true }
            guard let number = parseNumber(value), number.isFinite else {
                failure = .notANumber(file: path, line: line, column: key, text: shown(value))
                return false
            }
            if key == "scale" { scale = number } else if key == "certainty" { certainty = number }
            return true
        }
        if let failure { throw failure }
        guard let scale else {
            throw .invalidSetting(file: path, reason: "no scale for scene \(scene), video \(video)")
        }
        guard scale > 0 else {
            throw .invalidSetting(file: path, reason: "the scale of \(scene)/\(video) must be positive, found \(scale)")
        }
        return PublishedScale(metersPerPixel: scale, certainty: certainty ?? 1)
    }

    /// The scene and video of an SDD annotation file: its two enclosing folders (`hyang/video12/annotations.txt`).
    public static func sceneAndVideo(of path: String) -> (scene: String, video: String)? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3 else { return nil }
        return (parts[parts.count - 3], parts[parts.count - 2])
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
