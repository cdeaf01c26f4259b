// TrajNet++ ndjson: one JSON object per line, `{"scene": {"id","p","s","e","fps","tag"}}` or
// `{"track": {"f","p","x","y"}}`. Scene lines only contribute their fps; tracks are the data.
import Foundation

extension TrajectoryReader {
    static func readNDJSON(_ text: TextBuffer, file: String) throws(ImportError) -> ParsedFile {
        var observations: [Observation] = []
        var framesPerSecond: Double?
        var failure: ImportError?
        text.forEachLine { line, buffer, range in
            func fail(_ reason: String) -> Bool {
                failure = .malformedRecord(file: file, line: line, reason: reason)
                return false
            }
            let data = Data(UnsafeBufferPointer(rebasing: buffer[range]))
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                return fail("not a JSON object")
            }
            if let scene = object["scene"] {
                guard let scene = scene as? [String: Any] else { return fail("'scene' is not an object") }
                if let fps = scene["fps"] {
                    guard let fps = number(fps), fps.isFinite, fps > 0 else {
                        return fail("'fps' must be a positive number")
                    }
                    if let known = framesPerSecond, known != fps {
                        return fail("fps \(fps) differs from the fps \(known) of an earlier scene")
                    }
                    framesPerSecond = fps
                }
                return true
            }
            guard let track = object["track"] else { return fail("expected a \"scene\" or a \"track\" object") }
            guard let track = track as? [String: Any] else { return fail("'track' is not an object") }
            var values: [Double] = []
            for (key, column) in [("f", "frame"), ("x", "x"), ("y", "y")] {
                guard let raw = track[key] else { return fail("track has no \"\(key)\"") }
                guard let value = number(raw) else {
                    failure = .notANumber(file: file, line: line, column: column, text: shown("\(raw)"))
                    return false
                }
                guard isStorable(value) else {
                    failure = .nonFinite(file: file, line: line, column: column, text: shown("\(raw)"))
                    return false
                }
                values.append(value)
            }
            let id: String
            switch track["p"] {
            case let text as String where !text.isEmpty: id = canonicalID(text)
            case let raw? where number(raw) != nil:
                // A JSON number is read as a double: integral ids of 2⁵³ or more would lose digits and merge.
                let value = number(raw)!
                guard isExactID(value) else {
                    return fail("pedestrian id \(shown("\(raw)")) is a number of 2^53 or more, beyond what a JSON number "
                                + "keeps exactly; write it as a string")
                }
                id = canonicalID("\(value)")
            default: return fail("track has no pedestrian id \"p\"")
            }
            observations.append(Observation(frame: values[0], pedestrian: id, x: values[1], y: values[2], line: line))
            return true
        }
        if let failure { throw failure }
        let fpsText = framesPerSecond.map { ", \($0) fps" } ?? ""
        return ParsedFile(format: .ndjson, detail: "TrajNet++ ndjson\(fpsText)", observations: observations,
                          framesPerSecond: framesPerSecond)
    }

    /// A JSON number as a Double; nil for strings, arrays, objects and null.
    private static func number(_ value: Any) -> Double? {
        (value as? NSNumber)?.doubleValue
    }
}
