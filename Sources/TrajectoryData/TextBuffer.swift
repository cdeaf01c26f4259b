// A file's bytes with a NUL after the last one, split into lines without copying, and the
// number parsing the readers share. Readers work on byte ranges: a 1M-row file is parsed
// without creating a String per field.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes of a text file, NUL-terminated so `strtod` can never read past the end.
public struct TextBuffer: Sendable {
    /// The file's bytes followed by one 0.
    public private(set) var storage: [UInt8]

    public init(_ bytes: [UInt8]) {
        storage = bytes
        storage.append(0)
    }

    /// Number of bytes of content (without the terminating NUL).
    public var count: Int { storage.count - 1 }

    /// True when the content starts like UTF-16 text: a UTF-16 byte-order mark, or a NUL in every
    /// other byte of its start (ASCII written as UTF-16 without a mark).
    public var looksLikeUTF16: Bool {
        guard count >= 2 else { return false }
        if (storage[0] == 0xFF && storage[1] == 0xFE) || (storage[0] == 0xFE && storage[1] == 0xFF) { return true }
        let start = storage[0..<min(count, 64)]
        let nulls = start.enumerated().filter { $0.element == 0 }
        return start.count >= 8 && nulls.count * 2 >= start.count - 1
            && Set(nulls.map { $0.offset % 2 }).count == 1
    }

    /// Calls `body` with every line that is not blank: its 1-based number and its byte range
    /// (without `\r\n` / `\n`, and after a UTF-8 byte-order mark on line 1). Stops when `body` returns false.
    public func forEachLine(_ body: (_ line: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws -> Bool) rethrows {
        try storage.withUnsafeBufferPointer { buffer in
            let end = buffer.count - 1
            var start = 0
            if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
            var lineNumber = 0
            while start < end {
                lineNumber += 1
                var stop = start
                while stop < end, buffer[stop] != UInt8(ascii: "\n") { stop += 1 }
                let next = stop + 1
                var last = stop
                if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                var blank = true
                for i in start..<last where !isSpace(buffer[i]) {
                    blank = false
                    break
                }
                if !blank, try !body(lineNumber, buffer, start..<last) { return }
                start = next
            }
        }
    }
}

/// Space, tab, vertical tab, form feed, carriage return.
@inline(__always)
func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0B || byte == 0x0C || byte == 0x0D
}

/// The number in `range`, or nil unless the whole range is one decimal number (as `strtod` reads it;
/// `nan` and `inf` are numbers here and are refused later as non-finite).
/// The byte after `range` must not continue a number (a separator, line end, or the final NUL).
@inline(__always)
func parseNumber(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    guard !range.isEmpty, let base = buffer.baseAddress, !isSpace(buffer[range.lowerBound]) else { return nil }
    if let value = parseShortDecimal(buffer, range) { return value }
    // strtod also reads hexadecimal (0x10 = 16, 0x1p4): no trajectory file means that.
    if buffer[range].contains(where: { $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) { return nil }
    var end: UnsafeMutablePointer<CChar>?
    let start = UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self)
    let value = strtod(start, &end)
    guard let end, UnsafeRawPointer(end) == UnsafeRawPointer(base + range.upperBound) as UnsafeRawPointer else {
        return nil
    }
    return value
}

/// Exact powers of ten 10^0 … 10^22 (all representable in a Double).
private let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

/// Clinger's fast path: `[-+]digits[.digits]` with at most 15 significant digits is
/// mantissa / 10^k with both exactly representable, so one division is correctly rounded and
/// equals strtod's result. Anything else (exponents, long mantissas, words) returns nil for strtod.
@inline(__always)
func parseShortDecimal(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
    var i = range.lowerBound
    var negative = false
    if buffer[i] == UInt8(ascii: "-") || buffer[i] == UInt8(ascii: "+") {
        negative = buffer[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa: UInt64 = 0
    var digits = 0, fractionDigits = 0
    var sawPoint = false
    while i < range.upperBound {
        let byte = buffer[i]
        if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
            digits += 1
            if sawPoint { fractionDigits += 1 }
        } else if byte == UInt8(ascii: "."), !sawPoint {
            sawPoint = true
        } else {
            return nil
        }
        i += 1
    }
    guard digits > 0, digits <= 15 else { return nil }
    let magnitude = Double(mantissa) / powersOfTen[fractionDigits]
    return negative ? -magnitude : magnitude
}

/// A number as a Swift string would be read, for fields that are not plain byte ranges (quoted CSV, JSON).
func parseNumber(_ text: String) -> Double? {
    var bytes = Array(text.utf8)
    let count = bytes.count
    bytes.append(0)
    return bytes.withUnsafeBufferPointer { parseNumber($0, 0..<count) }
}

/// True when `value` fits the model's Float and is neither NaN nor infinite.
@inline(__always)
func isStorable(_ value: Double) -> Bool {
    value.isFinite && abs(value) <= Double(Float.greatestFiniteMagnitude)
}

/// A field shown in an error message: at most 40 characters, control bytes escaped.
func shown(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
    shown(String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self))
}

func shown(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if out.count >= 40 {
            out += "…"
            break
        }
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{FFFD}" {
            out += scalar == "\u{FFFD}" ? "\\u{FFFD}" : "\\x" + String(scalar.value, radix: 16)
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Numeric ids are written by value (`1.0`, `1e0` and `1` are one pedestrian, so are `2.5` and
/// `2.50`); other ids as given. An integral id of 2⁵³ or more has no exact double, so it is written
/// by its digits (`1700000000000000001` and `1700000000000000002` stay two pedestrians).
func canonicalID(_ text: String) -> String {
    guard let value = parseNumber(text), value.isFinite else { return text }
    return numericID(value) { text }
}

/// The id of a number read from a numeric column (`field` of `buffer`, whose value is `value`), as
/// `canonicalID` writes it.
func numericID(_ value: Double, _ buffer: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> String {
    numericID(value) { String(decoding: UnsafeBufferPointer(rebasing: buffer[field]), as: UTF8.self) }
}

/// The id of the number `value`: by value when its double is exact (`isExactID`), else by the
/// digits `written` (read only then).
private func numericID(_ value: Double, written: () -> String) -> String {
    isExactID(value) ? integralID(value) ?? String(value) : decimalDigits(written()) ?? String(value)
}

/// Whether a numeric id's double names it exactly: a value with a fraction, or an integral one
/// below 2⁵³ (an integral one beyond has lost its last digits, and ids that differ in them meet).
public func isExactID(_ value: Double) -> Bool {
    value != value.rounded() || integralID(value) != nil
}

/// The one rule for numeric ids: an integral value (below 2⁵³ in magnitude) as an integer's text.
public func integralID(_ value: Double) -> String? {
    value.isFinite && value == value.rounded() && abs(value) < 9.0e15 ? String(Int64(value)) : nil
}

/// A decimal written `[+-]digits[.digits]` as its exact value's text: no sign for zero or `+`, no
/// leading zeros, no trailing zeros of the fraction (nor the point); nil for anything else
/// (exponents, words).
func decimalDigits(_ text: String) -> String? {
    var rest = Substring(text)
    var negative = false
    if let sign = rest.first, sign == "-" || sign == "+" {
        negative = sign == "-"
        rest = rest.dropFirst()
    }
    let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
          parts.contains(where: { !$0.isEmpty }) else { return nil }
    let whole = parts[0].drop { $0 == "0" }
    let fraction = parts.count > 1 ? String(parts[1].reversed().drop { $0 == "0" }.reversed()) : ""
    let body = (whole.isEmpty ? "0" : String(whole)) + (fraction.isEmpty ? "" : "." + fraction)
    return negative && body != "0" ? "-" + body : body
}

extension TextBuffer {
    /// Reads the whole file at `path`.
    public init(contentsOf path: String) throws(ImportError) {
        guard let file = fopen(path, "rb") else {
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var status = stat()
        if fstat(fileno(file), &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(file: path, reason: "a folder, not a file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                if ferror(file) != 0 { throw .unreadable(file: path, reason: "read error") }
                break
            }
        }
        self.init(bytes)
    }

    /// SHA-256 of the content (not of the terminating NUL), as `sha256sum` prints it.
    public func sha256() -> String {
        storage.withUnsafeBytes { sha256Hex(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
