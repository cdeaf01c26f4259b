// Everything that can be wrong with a trajectory file, each case with the file and line so the
// message reads `file:line: what is wrong`. Readers stop at the first such problem.

/// Why a trajectory file was refused.
public enum ImportError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file holds no observation (empty, blank lines only, or a header only).
    case empty(file: String)
    /// A row has the wrong number of fields.
    case wrongColumnCount(file: String, line: Int, expected: Int, found: Int)
    /// A field that must be a number is not one.
    case notANumber(file: String, line: Int, column: String, text: String)
    /// A number is NaN, infinite, or too large for the model's Float.
    case nonFinite(file: String, line: Int, column: String, text: String)
    /// A row repeats a (frame, pedestrian) pair.
    case duplicateObservation(file: String, line: Int, frame: String, pedestrian: String, firstLine: Int)
    /// A frame is not on the scene's grid origin + k * step.
    case offGrid(file: String, line: Int, frame: String, origin: String, step: String)
    /// Many frames are off any grid: irregular times (a tracker's jitter) that need resampling.
    case irregularTimes(file: String, line: Int, frame: String, offGrid: Int, rows: Int, step: String)
    /// A CSV header lacks a column we need.
    case missingColumn(file: String, role: String, tried: [String], header: [String])
    /// A line of an ndjson file is not the JSON object we expect.
    case malformedRecord(file: String, line: Int, reason: String)
    /// A setting given by the user does not fit the file.
    case invalidSetting(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .empty(file):
            return "\(file): no observation in the file"
        case let .wrongColumnCount(file, line, expected, found):
            return "\(file):\(line): expected \(expected) fields, found \(found)"
        case let .notANumber(file, line, column, text):
            return "\(file):\(line): \(column) is not a number: '\(text)'"
        case let .nonFinite(file, line, column, text):
            return "\(file):\(line): \(column) must be a finite number within ±3.4e38, found '\(text)'"
        case let .duplicateObservation(file, line, frame, pedestrian, firstLine):
            return "\(file):\(line): pedestrian \(pedestrian) is observed twice at frame \(frame) "
                + "(first at line \(firstLine))"
        case let .offGrid(file, line, frame, origin, step):
            return "\(file):\(line): frame \(frame) is not on the frame grid \(origin) + k × \(step) "
                + "(set --frame-step if the step was detected wrongly)"
        case let .irregularTimes(file, line, frame, offGrid, rows, step):
            return "\(file):\(line): frame \(frame) is not on a grid of step \(step), nor are \(offGrid - 1) other of the "
                + "\(rows) rows: the times are irregular (jitter, or runs restarting at another phase of the step); "
                + "import with --resample SECONDS "
                + "(e.g. --resample 0.4) to interpolate them onto a regular grid"
        case let .missingColumn(file, role, tried, header):
            return "\(file):1: no \(role) column in the header [\(header.joined(separator: ", "))]; "
                + "looked for \(tried.joined(separator: ", ")); name it with --\(role)-col"
        case let .malformedRecord(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .invalidSetting(file, reason):
            return "\(file): \(reason)"
        }
    }

    /// The line the problem is on, when there is one.
    public var line: Int? {
        switch self {
        case let .wrongColumnCount(_, line, _, _), let .notANumber(_, line, _, _), let .nonFinite(_, line, _, _),
             let .duplicateObservation(_, line, _, _, _), let .offGrid(_, line, _, _, _),
             let .irregularTimes(_, line, _, _, _, _),
             let .malformedRecord(_, line, _):
            return line
        case .missingColumn:
            return 1
        case .unreadable, .empty, .invalidSetting:
            return nil
        }
    }
}
