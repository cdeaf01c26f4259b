// Reads one trajectory file in any of the supported formats into observations, detecting the
// format when asked. Checks each row on its own (field count, numbers, finiteness); what
// spans rows (grid, duplicates) is SceneBuilder's job.

/// How to read a file; every field has a sensible default.
public struct ReadOptions: Sendable {
    /// nil: detect from the extension and the first line.
    public var format: TrajectoryFormat?
    /// CSV field separator; nil: detected from the header (`,` `;` tab `|`, else spaces).
    public var delimiter: UInt8?
    /// CSV column names (or 1-based numbers) for each role; nil: recognised from common names.
    public var frameColumn: String?
    public var idColumn: String?
    public var xColumn: String?
    public var yColumn: String?
    /// SDD labels to keep; nil keeps all.
    public var labels: Set<String>? = ["Pedestrian"]

    public init(format: TrajectoryFormat? = nil, delimiter: UInt8? = nil, frameColumn: String? = nil,
                idColumn: String? = nil, xColumn: String? = nil, yColumn: String? = nil) {
        self.format = format
        self.delimiter = delimiter
        self.frameColumn = frameColumn
        self.idColumn = idColumn
        self.xColumn = xColumn
        self.yColumn = yColumn
    }
}

/// Entry point of the readers.
public enum TrajectoryReader {
    /// Reads `text`, the content of `file` (the name is used in messages and for detection only).
    public static func read(_ text: TextBuffer, file: String, options: ReadOptions = ReadOptions())
        throws(ImportError) -> ParsedFile
    {
        if text.looksLikeUTF16 {
            throw .unreadable(file: file, reason: "it is UTF-16 text; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)")
        }
        let format = options.format ?? detectFormat(text, file: file)
        let parsed: ParsedFile
        switch format {
        case .ethucy: parsed = try readEthUcy(text, file: file)
        case .csv: parsed = try readCSV(text, file: file, options: options)
        case .ndjson: parsed = try readNDJSON(text, file: file)
        case .obsmat: parsed = try readObsmat(text, file: file)
        case .sdd: parsed = try readSDD(text, file: file, labels: options.labels)
        }
        if parsed.observations.isEmpty { throw .empty(file: file) }
        return parsed
    }

    /// The format of `text`: ndjson by extension or a first line starting with `{`; CSV by extension
    /// or when no field of the first line is a number (a header); ETH obsmat for 8 numbers; Stanford
    /// Drone annotations for 10 fields ending in a quoted label; ETH/UCY text otherwise, so a
    /// damaged first row is reported as such rather than as a strange header.
    public static func detectFormat(_ text: TextBuffer, file: String) -> TrajectoryFormat {
        let lower = file.lowercased()
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") { return .ndjson }
        var format = TrajectoryFormat.ethucy
        text.forEachLine { _, buffer, range in
            var first = range.lowerBound
            while first < range.upperBound, isSpace(buffer[first]) { first += 1 }
            if buffer[first] == UInt8(ascii: "{") {
                format = .ndjson
            } else if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") {
                format = .csv
            } else {
                let fields = splitFields(buffer, range, delimiter: nil)
                if fields.allSatisfy({ parseNumber(buffer, $0) == nil }) {
                    format = .csv
                } else if fields.count == 8, fields.allSatisfy({ parseNumber(buffer, $0) != nil }) {
                    format = .obsmat
                } else if fields.count == 10, buffer[fields[9].lowerBound] == UInt8(ascii: "\"") {
                    format = .sdd
                }
            }
            return false
        }
        return format
    }
}

/// Byte ranges of the fields of one line: split on `delimiter`, or on runs of spaces and tabs
/// when it is nil (leading and trailing blanks ignored). Fields split on a delimiter are trimmed,
/// and a delimiter inside double quotes does not split.
func splitFields(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, delimiter: UInt8?) -> [Range<Int>] {
    var fields: [Range<Int>] = []
    fields.reserveCapacity(8)
    splitFields(buffer, range, delimiter: delimiter, into: &fields)
    return fields
}

/// As `splitFields(_:_:delimiter:)`, reusing `fields` to avoid an allocation per line.
func splitFields(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, delimiter: UInt8?,
                 into fields: inout [Range<Int>]) {
    fields.removeAll(keepingCapacity: true)
    var i = range.lowerBound
    let end = range.upperBound
    if let delimiter {
        var start = i
        var quoted = false
        while true {
            if i < end, buffer[i] == UInt8(ascii: "\"") { quoted.toggle() }
            if i == end || (buffer[i] == delimiter && !quoted) {
                var a = start, b = i
                while a < b, isSpace(buffer[a]) { a += 1 }
                while b > a, isSpace(buffer[b - 1]) { b -= 1 }
                fields.append(a..<b)
                if i == end { break }
                start = i + 1
            }
            i += 1
        }
    } else {
        while i < end {
            while i < end, isSpace(buffer[i]) { i += 1 }
            if i == end { break }
            let start = i
            while i < end, !isSpace(buffer[i]) { i += 1 }
            fields.append(start..<i)
        }
    }
}
