// CSV with a header row: columns in any order, mapped by flags or recognised by common names
// (`frame`/`timestep`/`t`, `ped`/`id`/`track_id`/`agent_id`, `x`/`pos_x`, `y`/`pos_y`).
// Fields may be double-quoted; extra columns are ignored.

extension TrajectoryReader {
    /// Header names recognised for each role, in order of preference.
    static let csvColumnNames: [(role: String, names: [String])] = [
        ("frame", ["frame", "frame_id", "frameid", "frame_number", "timestep", "time_step", "t", "time", "timestamp"]),
        ("id", ["ped", "ped_id", "pedid", "pedestrian", "pedestrian_id", "id", "track_id", "trackid", "track",
                "agent_id", "agent", "person_id", "object_id"]),
        ("x", ["x", "pos_x", "position_x", "x_m", "px"]),
        ("y", ["y", "pos_y", "position_y", "y_m", "py"]),
    ]

    /// Frame columns with these names hold seconds, not frame ids.
    static let secondsColumnNames: Set<String> = ["t", "time", "timestamp", "time_s", "seconds"]

    static func readCSV(_ text: TextBuffer, file: String, options: ReadOptions) throws(ImportError) -> ParsedFile {
        var header: [String] = []
        var delimiter = options.delimiter
        text.forEachLine { _, buffer, range in
            if delimiter == nil { delimiter = detectDelimiter(buffer, range) }
            header = splitFields(buffer, range, delimiter: delimiter).map { unquoted(buffer, $0) }
            return false
        }
        if header.isEmpty { throw .empty(file: file) }
        let flags = [options.frameColumn, options.idColumn, options.xColumn, options.yColumn]
        var columns: [Int] = []
        for (index, (role, names)) in csvColumnNames.enumerated() {
            let lowered = header.map { $0.lowercased() }
            if let flag = flags[index] {
                if let found = lowered.firstIndex(of: flag.lowercased()) {
                    columns.append(found)
                } else if let number = Int(flag), number >= 1, number <= header.count {
                    columns.append(number - 1)
                } else if let number = Int(flag) {
                    throw .invalidSetting(file: file, reason: "--\(role)-col \(number): the header has columns 1 to \(header.count) "
                        + "[\(header.joined(separator: ", "))]")
                } else {
                    throw .missingColumn(file: file, role: role, tried: [flag], header: header)
                }
            } else if let found = names.lazy.compactMap({ lowered.firstIndex(of: $0) }).first {
                columns.append(found)
            } else {
                throw .missingColumn(file: file, role: role, tried: names, header: header)
            }
        }
        // Each role reads a column of its own (a --frame-col and --id-col of one column is a slip).
        for (index, column) in columns.enumerated() {
            if let other = columns[..<index].firstIndex(of: column) {
                let (first, second) = (csvColumnNames[other].role, csvColumnNames[index].role)
                throw .invalidSetting(file: file, reason: "the \(first) and the \(second) are both column \(column + 1) "
                    + "('\(header[column])'); give --\(first)-col and --\(second)-col columns of their own")
            }
        }
        // A column found by its name must be the only one of that name: which would be meant?
        for (index, column) in columns.enumerated() {
            let role = csvColumnNames[index].role, name = header[column].lowercased()
            let same = header.indices.filter { header[$0].lowercased() == name }
            if same.count > 1, flags[index].flatMap({ Int($0) }) == nil {
                throw .invalidSetting(file: file, reason: "line 1: the header names '\(header[column])' \(same.count) times "
                    + "(columns " + same.map { String($0 + 1) }.joined(separator: ", ") + "); give --\(role)-col with its number")
            }
        }
        // A time column beside a frame-id column gives the seconds per frame id (its times were ignored,
        // and the ETH/UCY convention of 25 frame ids per second taken instead).
        let timeColumn = secondsColumnNames.contains(header[columns[0]].lowercased()) ? nil
            : header.indices.first { secondsColumnNames.contains(header[$0].lowercased()) && !columns.contains($0) }
        var times: [Double] = []
        // A time column that is not all numbers (clock strings, say) is left unread, as it was.
        var timesRead = timeColumn != nil
        let roleNames = ["frame", "pedestrian", "x", "y"]
        var observations: [Observation] = []
        observations.reserveCapacity(text.count / 24)
        var fields: [Range<Int>] = []
        var failure: ImportError?
        var isHeader = true
        text.forEachLine { line, buffer, range in
            if isHeader {
                isHeader = false
                return true
            }
            splitFields(buffer, range, delimiter: delimiter, into: &fields)
            guard fields.count == header.count else {
                failure = .wrongColumnCount(file: file, line: line, expected: header.count, found: fields.count)
                return false
            }
            var values = [0.0, 0.0, 0.0, 0.0]
            for role in [0, 2, 3] {
                let field = fields[columns[role]]
                guard let number = fieldNumber(buffer, field) else {
                    failure = .notANumber(file: file, line: line, column: roleNames[role], text: shown(buffer, field))
                    return false
                }
                guard isStorable(number) else {
                    failure = .nonFinite(file: file, line: line, column: roleNames[role], text: shown(buffer, field))
                    return false
                }
                values[role] = number
            }
            if timesRead, let timeColumn {
                if let number = fieldNumber(buffer, fields[timeColumn]), number.isFinite {
                    times.append(number)
                } else {
                    timesRead = false
                }
            }
            let id = unquoted(buffer, fields[columns[1]])
            guard !id.isEmpty else {
                failure = .malformedRecord(file: file, line: line, reason: "the pedestrian id is empty")
                return false
            }
            observations.append(Observation(frame: values[0], pedestrian: canonicalID(id), x: values[2], y: values[3],
                                            line: line))
            return true
        }
        if let failure { throw failure }
        let separator = delimiter.map { $0 == 0x09 ? "tab" : "'\(Character(UnicodeScalar($0)))'" } ?? "space"
        let mapping = zip(roleNames, columns).map { "\($0)=\(header[$1])" }.joined(separator: ", ")
        var parsed = ParsedFile(format: .csv, detail: "CSV, \(separator)-separated, columns \(mapping)",
                                observations: observations,
                                frameIsSeconds: secondsColumnNames.contains(header[columns[0]].lowercased()))
        if timesRead, let timeColumn { timeBase(of: &parsed, times: times, column: header[timeColumn]) }
        return parsed
    }

    /// The seconds per frame id of a time column beside the frame column: the slope from the earliest
    /// frame's row to the latest's (a tracker's jittered timestamps average out); none with one frame;
    /// a problem (for the scene builder to raise unless `--dt` is given) when the times run against the frames.
    static func timeBase(of parsed: inout ParsedFile, times: [Double], column: String) {
        let observations = parsed.observations
        guard let first = observations.indices.min(by: { observations[$0].frame < observations[$1].frame }),
              let last = observations.indices.max(by: { observations[$0].frame < observations[$1].frame }),
              observations[last].frame > observations[first].frame else { return }
        let perFrame = (times[last] - times[first]) / (observations[last].frame - observations[first].frame)
        guard perFrame > 0, perFrame.isFinite else {
            parsed.timeColumnProblem = "line \(observations[last].line): the '\(column)' column does not grow with the "
                + "frames (\(formatted(times[first])) s at frame \(formatted(observations[first].frame)), "
                + "\(formatted(times[last])) s at frame \(formatted(observations[last].frame))): give --dt SECONDS, or "
                + "--frame-col \(column) to read its times"
            return
        }
        parsed.secondsPerFrame = (perFrame, column)
    }

    /// The number in a field, double-quoted or not; nil for an empty field (whose start is the next
    /// field's, or the buffer's end) or one that is no number.
    static func fieldNumber(_ buffer: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Double? {
        guard !field.isEmpty else { return nil }
        return buffer[field.lowerBound] == UInt8(ascii: "\"") ? parseNumber(unquoted(buffer, field)) : parseNumber(buffer, field)
    }

    /// The most frequent of `,` `;` tab `|` in the header line, or nil (split on spaces) when none occurs.
    static func detectDelimiter(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt8? {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        var best: UInt8?
        var bestCount = 0
        for candidate in candidates {
            let count = buffer[range].lazy.filter { $0 == candidate }.count
            if count > bestCount {
                best = candidate
                bestCount = count
            }
        }
        return best
    }

    /// The text of a field, without surrounding double quotes (`""` inside stands for `"`).
    static func unquoted(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        return String(text.dropFirst().dropLast()).replacingOccurrences("\"\"", with: "\"")
    }
}

extension String {
    /// `self` with every `target` replaced, without Foundation.
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let found = rest.firstRange(of: target) {
            result += rest[..<found.lowerBound]
            result += replacement
            rest = rest[found.upperBound...]
        }
        return result + rest
    }
}
