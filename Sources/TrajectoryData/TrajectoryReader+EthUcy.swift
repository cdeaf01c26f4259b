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
            func number(_ field: Range<Int>, _ column: String) -> Double? {
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
            guard let frame = number(fields[0], "frame"), let id = number(fields[1], "pedestrian"),
                  let x = number(fields[2], "x"), let y = number(fields[3], "y")
            else { return false }
            let name: String
            if let known = idNames[id] {
                name = known
            } else {
                name = integralID(id) ?? String(id)
                idNames[id] = name
            }
            observations.append(Observation(frame: frame, pedestrian: name, x: x, y: y, line: line))
            return true
        }
        if let failure { throw failure }
        let separator = sawTab && sawSpace ? "tabs and spaces" : sawTab ? "tab-separated" : "space-separated"
        return ParsedFile(format: .ethucy, detail: "ETH/UCY text, \(separator)", observations: observations)
    }
}
