// Two formats as the field publishes them. ETH `obsmat.txt` (Pellegrini et al. 2009): 8 columns
// `frame ped pos_x pos_z pos_y v_x v_z v_y`, meters, annotated at 2.5 fps. Stanford Drone Dataset
// `annotations.txt` (Robicquet et al. 2016): 10 columns `track_id xmin ymin xmax ymax frame lost
// occluded generated "label"`, pixels at 30 fps; the position is the box centre, `lost` rows are
// not observations. Velocities, occlusion and generation flags are read for checking only.

extension TrajectoryReader {
    /// Seconds between two annotations of an ETH obsmat file (its info.txt: 2.5 fps).
    public static let obsmatAnnotationSeconds = 0.4
    /// Frames per second of the Stanford Drone Dataset's videos (and so of its frame ids).
    public static let sddFramesPerSecond = 30.0

    static func readObsmat(_ text: TextBuffer, file: String) throws(ImportError) -> ParsedFile {
        var observations: [Observation] = []
        observations.reserveCapacity(text.count / 100)
        var fields: [Range<Int>] = []
        var idNames: [Double: String] = [:]
        var failure: ImportError?
        let names = ["frame", "pedestrian", "pos_x", "pos_z", "pos_y", "v_x", "v_z", "v_y"]
        var values = [Double](repeating: 0, count: 8)
        text.forEachLine { line, buffer, range in
            splitFields(buffer, range, delimiter: nil, into: &fields)
            guard fields.count == 8 else {
                failure = .wrongColumnCount(file: file, line: line, expected: 8, found: fields.count)
                return false
            }
            for (column, field) in fields.enumerated() {
                guard let value = readNumber(buffer, field, file: file, line: line, column: names[column], &failure) else {
                    return false
                }
                values[column] = value
            }
            let name: String
            if let known = idNames[values[1]] {
                name = known
            } else {
                name = numericID(values[1], buffer, fields[1])
                if isExactID(values[1]) { idNames[values[1]] = name }
            }
            observations.append(Observation(frame: values[0], pedestrian: name, x: values[2], y: values[4], line: line))
            return true
        }
        if let failure { throw failure }
        return ParsedFile(format: .obsmat, detail: "ETH obsmat (frame ped x z y vx vz vy; x and y read, meters)",
                          observations: observations, annotationSeconds: obsmatAnnotationSeconds)
    }

    static func readSDD(_ text: TextBuffer, file: String, labels: Set<String>?) throws(ImportError) -> ParsedFile {
        var observations: [Observation] = []
        observations.reserveCapacity(text.count / 40)
        var fields: [Range<Int>] = []
        var failure: ImportError?
        var lost = 0, otherLabels: [String: Int] = [:]
        let names = ["track_id", "xmin", "ymin", "xmax", "ymax", "frame", "lost", "occluded", "generated"]
        var values = [Double](repeating: 0, count: 9)
        text.forEachLine { line, buffer, range in
            splitFields(buffer, range, delimiter: nil, into: &fields)
            guard fields.count == 10 else {
                failure = .wrongColumnCount(file: file, line: line, expected: 10, found: fields.count)
                return false
            }
            for column in 0..<9 {
                guard let value = readNumber(buffer, fields[column], file: file, line: line, column: names[column],
                                             &failure) else { return false }
                values[column] = value
            }
            guard values[6] == 0 || values[6] == 1 else {
                failure = .malformedRecord(file: file, line: line, reason: "lost must be 0 or 1, found \(formatted(values[6]))")
                return false
            }
            let label = unquoted(buffer, fields[9])
            if let labels, !labels.contains(label) {
                otherLabels[label, default: 0] += 1
                return true
            }
            if values[6] == 1 {
                lost += 1
                return true
            }
            let id = numericID(values[0], buffer, fields[0])
            observations.append(Observation(frame: values[5], pedestrian: id, x: (values[1] + values[3]) / 2,
                                            y: (values[2] + values[4]) / 2, line: line))
            return true
        }
        if let failure { throw failure }
        let kept = labels.map { "labels " + $0.sorted().joined(separator: ",") } ?? "all labels"
        let others = otherLabels.isEmpty ? ""
            : ", other labels skipped (" + otherLabels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + ")"
        return ParsedFile(format: .sdd, detail: "Stanford Drone annotations (box centres, pixels; \(kept); "
                              + "\(lost) lost rows skipped\(others))",
                          observations: observations, framesPerSecond: sddFramesPerSecond, positionsArePixels: true)
    }

    /// The finite number in `field`, or nil with `failure` set (not a number, or not finite).
    static func readNumber(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Range<Int>, file: String, line: Int,
                           column: String, _ failure: inout ImportError?) -> Double? {
        guard let value = parseNumber(buffer, field) else {
            failure = .notANumber(file: file, line: line, column: column, text: shown(buffer, field))
            return nil
        }
        guard isStorable(value) else {
            failure = .nonFinite(file: file, line: line, column: column, text: shown(buffer, field))
            return nil
        }
        return value
    }
}
