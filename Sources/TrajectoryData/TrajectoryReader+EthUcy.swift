// The ETH/UCY text format: `frame ped x y` per line, tab or space separated, no header,
// integer or float ids (`780` or `780.0`).

extension TrajectoryReader {
    static func readEthUcy(_ text: TextBuffer, file: String) throws(ImportError) -> ParsedFile {
        var observations: [Observation] = []
        observations.reserveCapacity(text.count / 24)
        var fields: [Range<Int>] = []
        var idNames: [Double: String] = [:]
        var sawTab = false, sawSpace = false
        var failure: ImportError?
        text.forEachLine { line, buffer, range in
            splitFields(buffer, range, delimiter: nil, into: &fields)
            guard fields.count == 4 else {
                failure = .wrongColumnCount(file: file, line: line, expected: 4, found: fields.count)
                return false
            }
            if !sawTab || !sawSpace {
                for i in fields[0].upperBound..<fields[3].lowerBound {
                    if buffer[i] == 0x09 { sawTab = true } else if buffer[i] == 0x20 { sawSpace = true }
                }
            }
            guard let frame = readNumber(buffer, fields[0], file: file, line: line, column: "frame", &failure),
                  let id = readNumber(buffer, fields[1], file: file, line: line, column: "pedestrian", &failure),
                  let x = readNumber(buffer, fields[2], file: file, line: line, column: "x", &failure),
                  let y = readNumber(buffer, fields[3], file: file, line: line, column: "y", &failure)
            else { return false }
            let name: String
            if let known = idNames[id] {
                name = known
            } else {
                name = numericID(id, buffer, fields[1])
                if isExactID(id) { idNames[id] = name }
            }
            observations.append(Observation(frame: frame, pedestrian: name, x: x, y: y, line: line))
            return true
        }
        if let failure { throw failure }
        let separator = sawTab && sawSpace ? "tabs and spaces" : sawTab ? "tab-separated" : "space-separated"
        return ParsedFile(format: .ethucy, detail: "ETH/UCY text, \(separator)", observations: observations)
    }
}
