// Predictions as rows a script reads: scene, pedestrian, last_observed_frame, sample, step, frame,
// x, y (and probability, for models that rank their futures), with names and frames as written in
// the imported file; CSV, a JSON array, or one JSON object per line, streamed in blocks of 64 KB.
import Foundation
import TrajectoryData

public enum PredictionFormat: String, CaseIterable, Sendable {
    case csv, json, ndjson
}

public enum PredictionWriter {
    public static let columns = ["scene", "pedestrian", "last_observed_frame", "sample", "step", "frame", "x", "y"]

    /// Writes every predicted point of `predictions` to `output` in `format`.
    public static func write(_ predictions: Predictions, as format: PredictionFormat, to output: FileHandle) {
        var buffer = ""
        func flush(_ force: Bool = false) {
            if force || buffer.utf8.count > 1 << 16 {
                output.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        let probabilities = predictions.samples.probabilities
        switch format {
        case .csv: buffer += (columns + (probabilities == nil ? [] : ["probability"])).joined(separator: ",") + "\n"
        case .json: buffer += "["
        case .ndjson: break
        }
        var first = true
        for n in 0..<predictions.count {
            let scene = predictions.scene(n).displayName, pedestrian = predictions.pedestrian(n)
            let lastFrame = formatted(predictions.lastObservedFrame(n))
            let (sceneCSV, pedestrianCSV) = (csvField(scene), csvField(pedestrian))
            let (sceneJSON, pedestrianJSON) = (jsonString(scene), jsonString(pedestrian))
            for s in 0..<predictions.k {
                for t in 0..<predictions.predicted {
                    let p = predictions.position(window: n, sample: s, step: t)
                    let frame = formatted(predictions.frame(window: n, step: t))
                    // A coordinate that is not a number is written empty in CSV and null in JSON.
                    let x = p.x.isFinite ? String(format: "%.4f", p.x) : (format == .csv ? "" : "null")
                    let y = p.y.isFinite ? String(format: "%.4f", p.y) : (format == .csv ? "" : "null")
                    let probability = probabilities.map { formatted(Double($0[n * predictions.k + s])) }
                    switch format {
                    case .csv:
                        buffer += "\(sceneCSV),\(pedestrianCSV),\(lastFrame),\(s),\(t + 1),\(frame),\(x),\(y)"
                            + (probability.map { ",\($0)" } ?? "") + "\n"
                    case .json, .ndjson:
                        let object = "{\"scene\": \(sceneJSON), \"pedestrian\": \(pedestrianJSON), "
                            + "\"last_observed_frame\": \(lastFrame), \"sample\": \(s), \"step\": \(t + 1), "
                            + "\"frame\": \(frame), \"x\": \(x), \"y\": \(y)"
                            + (probability.map { ", \"probability\": \($0)" } ?? "") + "}"
                        if format == .json {
                            buffer += (first ? "\n  " : ",\n  ") + object
                        } else {
                            buffer += object + "\n"
                        }
                    }
                    first = false
                    flush()
                }
            }
        }
        if format == .json { buffer += first ? "]\n" : "\n]\n" }
        flush(true)
    }

    /// Writes to the file at `path` (created or replaced).
    public static func write(_ predictions: Predictions, as format: PredictionFormat, toFile path: String) throws {
        try checkFolder(of: path)
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { throw WorkflowError.cannotWrite(path: path) }
        defer { try? handle.close() }
        write(predictions, as: format, to: handle)
    }
}

extension String {
    /// Writes the text to `path` (replacing it), or says plainly why it cannot.
    public func write(toPath path: String) throws {
        try checkFolder(of: path)
        do {
            try write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw WorkflowError.cannotWrite(path: path + " (\((error as NSError).localizedDescription))")
        }
    }
}

/// Refuses an output path whose folder does not exist, naming the folder.
func checkFolder(of path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
        throw WorkflowError.cannotWrite(path: path + " (no folder \(folder))")
    }
}
