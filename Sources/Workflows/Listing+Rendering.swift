// How a listing is printed: an aligned table for people, CSV or JSON for scripts.
import TrajectoryData
import TrajectoryStore

public enum ListingFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

extension Listing {
    /// The listing in `format`, ending with a newline.
    public func rendered(as format: ListingFormat) -> String {
        switch format {
        case .table:
            let cells = rows.map { $0.map(Self.text) }
            var widths = columns.map(\.count)
            for row in cells { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            func line(_ values: [String], numeric: [Bool]) -> String {
                zip(values, zip(widths, numeric)).map { value, layout in
                    let pad = String(repeating: " ", count: layout.0 - value.count)
                    return layout.1 ? pad + value : value + pad
                }.joined(separator: "  ").trimmingTrailingSpaces()
            }
            let numeric = columns.indices.map { i in
                !rows.isEmpty && rows.allSatisfy { row in
                    if case .text = row[i] { return false }
                    return true
                }
            }
            var out = line(columns, numeric: numeric) + "\n"
            out += line(widths.map { String(repeating: "-", count: $0) }, numeric: numeric) + "\n"
            for row in cells { out += line(row, numeric: numeric) + "\n" }
            return out
        case .csv:
            var out = columns.map(csvField).joined(separator: ",") + "\n"
            for row in rows { out += row.map { csvField(Self.text($0)) }.joined(separator: ",") + "\n" }
            return out
        case .json:
            let objects = rows.map { row in
                "{" + zip(columns, row).map { "\(jsonString($0)): \(Self.json($1))" }.joined(separator: ", ") + "}"
            }
            return objects.isEmpty ? "[]\n" : "[\n  " + objects.joined(separator: ",\n  ") + "\n]\n"
        }
    }

    static func text(_ value: SQLValue) -> String {
        switch value {
        case let .integer(v): return String(v)
        case let .real(v): return formatted(v)
        case let .text(v): return v
        case let .blob(v): return "<\(v.count) bytes>"
        case .null: return ""
        }
    }

    static func json(_ value: SQLValue) -> String {
        switch value {
        case let .integer(v): return String(v)
        case let .real(v): return v.isFinite ? formatted(v) : "null"
        case let .text(v): return jsonString(v)
        case let .blob(v): return String(v.count)
        case .null: return "null"
        }
    }
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
public func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
}

/// `text` as a JSON string literal (RFC 8259 escapes).
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
