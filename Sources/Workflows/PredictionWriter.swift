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

    /// Writes every predicted point of `predictions` to `output` in `format`; a failed write (a full
    /// disk) throws `WorkflowError.cannotWrite` naming `name`.
    public static func write(_ predictions: Predictions, as format: PredictionFormat, to output: FileHandle,
                             name: String = "standard output") throws {
        var buffer = ""
        func flush(_ force: Bool = false) throws {
            if force || buffer.utf8.count > 1 << 16 {
                try output.writeChecked(Data(buffer.utf8), name: name)
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
                    // A probability to 10⁻⁶ (fixed, as x and y are to 10⁻⁴).
                    let probability = probabilities.map { String(format: "%.6f", Double($0[n * predictions.k + s])) }
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
                    try flush()
                }
            }
        }
        if format == .json { buffer += first ? "]\n" : "\n]\n" }
        try flush(true)
    }

    /// Writes to the file at `path` as `writingFile` does: a regular file is replaced whole once every
    /// row is written (a failure part-way leaves what was there); a device or named pipe is written into.
    public static func write(_ predictions: Predictions, as format: PredictionFormat, toFile path: String) throws {
        try writingFile(path) { handle in try write(predictions, as: format, to: handle, name: path) }
    }
}

extension FileHandle {
    /// Writes all of `data`, or throws `WorkflowError.cannotWrite` naming `name` and the system's
    /// reason (FileHandle.write(_:) would stop the process instead).
    public func writeChecked(_ data: Data, name: String) throws {
        do {
            try write(contentsOf: data)
        } catch {
            throw WorkflowError.cannotWrite(path: name + " (\(reason(error)))")
        }
    }
}

/// The system's words for a failed file operation.
func reason(_ error: any Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    return ns.localizedDescription
}

extension String {
    /// Writes the text to `path` as `writingFile` does, or says plainly why it cannot.
    public func write(toPath path: String) throws {
        try writingFile(path) { handle in try handle.writeChecked(Data(utf8), name: path) }
    }
}

/// Gives `body` a handle that writes to `path`, as a shell's `>` would, except that a new path or a
/// regular file of ours (also behind a symbolic link, which stays) is replaced whole when `body`
/// returns: the rows go to a hidden file beside it (`.NAME.trajpred-…`), synced and renamed over it
/// at the end, so a reader never sees half of it and a failure part-way (a full disk, an error)
/// leaves what was there and no hidden file (a process killed mid-write may leave one). The file
/// keeps its permissions; a new one gets 0666 less the umask. Written into in place, as by `>`:
/// what is not a regular file (a device, a named pipe, /dev/stdout), a file with other names (hard
/// links) or another owner, which a new file would not keep, and a file in a folder where no new
/// file may be made. A file we may not write, a folder, or a path whose folder does not exist, is
/// refused by name.
public func writingFile(_ path: String, _ body: (FileHandle) throws -> Void) throws {
    try checkFolder(of: path)
    func failure() -> WorkflowError { .cannotWrite(path: path + " (\(String(cString: strerror(errno))))") }
    // The kernel follows the path's links, also /dev/stdout to a pipe (a name for it would not).
    var status = stat()
    let exists = stat(path, &status) == 0
    if exists, (status.st_mode & S_IFMT) == S_IFDIR { throw WorkflowError.cannotWrite(path: path + " (a folder)") }
    func inPlace() throws {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure() }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? handle.close() }
        try body(handle)
    }
    if exists, (status.st_mode & S_IFMT) != S_IFREG || status.st_nlink > 1 || status.st_uid != geteuid() {
        return try inPlace()
    }
    if exists, access(path, W_OK) != 0 { throw failure() }
    let target = followingLinks(path)
    try checkFolder(of: target)
    let folder = (target as NSString).deletingLastPathComponent, name = (target as NSString).lastPathComponent
    var descriptor: Int32 = -1, temporary = ""
    for _ in 0..<100 {
        temporary = folder + "/." + name + ".trajpred-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        // A new file's mode is 0666 less the umask, which the kernel applies; an existing one's is copied.
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists ? 0o600 : 0o666)
        if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else {
        if exists, errno == EACCES || errno == EROFS || errno == EPERM { return try inPlace() }
        throw failure()
    }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
    var failed: (any Error)?
    do {
        if exists { guard fchmod(descriptor, status.st_mode & 0o7777) == 0 else { throw failure() } }
        try body(handle)
        guard fsync(descriptor) == 0 else { throw failure() }
    } catch {
        failed = error
    }
    if close(descriptor) != 0, failed == nil { failed = failure() }
    if failed == nil, rename(temporary, target) != 0 { failed = failure() }
    if let failed {
        unlink(temporary)
        throw failed
    }
}

/// What `path` names once its symbolic links are followed (relative ones from their own folder, a
/// dangling one to where it points), as an absolute path.
func followingLinks(_ path: String) -> String {
    var current = URL(fileURLWithPath: path).standardizedFileURL.path
    for _ in 0..<40 {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
        let folder = (current as NSString).deletingLastPathComponent
        current = URL(fileURLWithPath: destination.hasPrefix("/") ? destination : folder + "/" + destination).standardizedFileURL.path
    }
    return current
}

/// Refuses an output path whose folder does not exist, naming the folder.
func checkFolder(of path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue) {
        throw WorkflowError.cannotWrite(path: path + " (no folder \(folder))")
    }
}
