// The decoder of live requests: a strict JSON parser (RFC 8259) into a tree of values, and a
// `Decoder` over it that throws the `DecodingError`s Foundation's JSONDecoder throws for the same
// JSON (a test compares the two on valid and damaged bodies), so `LiveJSON.describe` names the same
// field. Foundation's took a quarter of a 100-agent `/v1/predict` answer (1.1 ms for its 14 KB).
// Unlike Foundation's, which reads a value only when asked for it, a body that is not JSON (a
// trailing comma, a broken number or escape anywhere) is refused as such, and an integer out of its
// type's range is named by its field (Foundation on Linux calls the whole body not JSON). Integers
// are read exactly from their digits.
import Foundation

/// A JSON value: numbers their value and their text (for integers read exactly), objects their keys
/// in order.
enum JSONValue {
    case null
    case bool(Bool)
    case number(Double, String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Parses JSON text: one value, surrounded by whitespace only; nil for anything else.
struct JSONParser {
    /// Deeper nesting than this is refused (as Foundation's limit of 512), so hostile input cannot
    /// exhaust the stack.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func parse(_ data: Data) -> JSONValue? {
        data.withUnsafeBytes { raw in
            var parser = JSONParser(raw.bindMemory(to: UInt8.self))
            // A UTF-8 byte order mark is allowed before the value, as Foundation allows it.
            if parser.bytes.count >= 3, parser.bytes[0] == 0xEF, parser.bytes[1] == 0xBB, parser.bytes[2] == 0xBF {
                parser.index = 3
            }
            guard let value = parser.value(depth: 0) else { return nil }
            parser.skipWhitespace()
            return parser.index == parser.bytes.count ? value : nil
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// After whitespace, reads past `byte` if it is next (an empty object's or array's closer).
    private mutating func skipping(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// After an object's member or an array's element: true past a comma (another follows), false
    /// past `closer` (the container ends), nil for anything else.
    private mutating func moreAfterItem(closedBy closer: UInt8) -> Bool? {
        if skipping(UInt8(ascii: ",")) { return true }
        return skipping(closer) ? false : nil
    }

    private mutating func value(depth: Int) -> JSONValue? {
        skipWhitespace()
        guard index < bytes.count, depth <= Self.maximumDepth else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            if skipping(UInt8(ascii: "}")) { return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value(depth: depth + 1) else { return nil }
                members.append((key, member))
                guard let more = moreAfterItem(closedBy: UInt8(ascii: "}")) else { return nil }
                if !more { return .object(members) }
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            if skipping(UInt8(ascii: "]")) { return .array(elements) }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                guard let more = moreAfterItem(closedBy: UInt8(ascii: "]")) else { return nil }
                if !more { return .array(elements) }
            }
        case UInt8(ascii: "\""):
            return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) -> JSONValue? {
        let length = text.utf8CodeUnitCount
        guard bytes.count - index >= length else { return nil }
        for i in 0..<length where bytes[index + i] != text.utf8Start[i] { return nil }
        index += length
        return value
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, within Double's range (beyond it, or below
    /// its smallest number, as for Foundation, the text is not JSON).
    private mutating func number() -> JSONValue? {
        let start = index
        func digit() -> Bool { index < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit() else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while digit() { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit() else { return nil }
            while digit() { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digit() else { return nil }
            while digit() { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        // Nor below it: a mantissa with a digit other than 0 that reads as 0 (1e-400).
        if value == 0, text.utf8.prefix(while: { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") })
            .contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) {
            return nil
        }
        return .number(value, text)
    }

    /// A string from its opening quote: escapes decoded, valid UTF-8, no raw control character.
    private mutating func string() -> String? {
        index += 1
        let start = index
        // The common case: no escape, read in place.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case 0..<0x20:
                return nil
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate needs its low one.
                        guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        else { return nil }
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        return nil
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    return nil
                }
            default:
                out.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

/// A `Decoder` over a parsed `JSONValue`.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes `T` from `data`, throwing the DecodingError Foundation's JSONDecoder would.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard let value = JSONParser.parse(data) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON."))
        }
        return try JSONValueDecoder(value: value, codingPath: []).decodeValue(type)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members): return KeyedDecodingContainer(Keyed<Key>(members: members, codingPath: codingPath))
        case .null: throw DecodingError.valueNotFound([String: Any].self, context("Cannot get keyed decoding container -- found null value instead"))
        default: throw DecodingError.typeMismatch([String: Any].self, context("Expected to decode Dictionary<String, Any> but found \(kind) instead."))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements): return Unkeyed(elements: elements, codingPath: codingPath)
        case .null: throw DecodingError.valueNotFound([Any].self, context("Cannot get unkeyed decoding container -- found null value instead"))
        default: throw DecodingError.typeMismatch([Any].self, context("Expected to decode Array<Any> but found \(kind) instead."))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(decoder: self) }

    func context(_ description: String) -> DecodingError.Context { .init(codingPath: codingPath, debugDescription: description) }

    var kind: String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }

    /// The primitive types read directly; anything else through its `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Double.self { return try double() as! T }
        if T.self == String.self { return try string() as! T }
        if T.self == Float.self { return Float(try double()) as! T }
        if T.self == Bool.self { return try bool() as! T }
        if T.self == [Double].self { return try doubles() as! T }
        if T.self == [[Double]].self { return try pairs() as! T }
        // Every integer type (their init(from:) would ask this decoder's single value for themselves).
        if let integerType = T.self as? any FixedWidthInteger.Type {
            func read<I: FixedWidthInteger>(_ type: I.Type) throws -> I { try integer(type) }
            return try read(integerType) as! T
        }
        return try T(from: self)
    }

    func notFound(_ type: Any.Type) -> DecodingError {
        .valueNotFound(type, context("Expected \(type) value but found null instead."))
    }

    func double() throws -> Double {
        switch value {
        case .number(let parsed, _): return parsed
        case .null: throw notFound(Double.self)
        default: throw DecodingError.typeMismatch(Double.self, context("Expected to decode Double but found \(kind) instead."))
        }
    }

    /// [Double] straight from an array of numbers, with the same errors (the element's decoder, and
    /// its coding path, only made for one that is not a number).
    func doubles() throws -> [Double] {
        guard case .array(let elements) = value else { return try [Double](from: self) }
        var values: [Double] = []
        values.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            if case .number(let number, _) = element {
                values.append(number)
            } else {
                values.append(try JSONValueDecoder(value: element, codingPath: codingPath + [Index(i)]).double())
            }
        }
        return values
    }

    /// [[Double]] (a request's positions, most of it) as `doubles` reads each.
    func pairs() throws -> [[Double]] {
        guard case .array(let elements) = value else { return try [[Double]](from: self) }
        var values: [[Double]] = []
        values.reserveCapacity(elements.count)
        for (i, element) in elements.enumerated() {
            if case .array(let numbers) = element, numbers.count == 2, case .number(let x, _) = numbers[0],
               case .number(let y, _) = numbers[1] {
                values.append([x, y])
            } else {
                values.append(try JSONValueDecoder(value: element, codingPath: codingPath + [Index(i)]).doubles())
            }
        }
        return values
    }

    func string() throws -> String {
        switch value {
        case .string(let text): return text
        case .null: throw notFound(String.self)
        default: throw DecodingError.typeMismatch(String.self, context("Expected to decode String but found \(kind) instead."))
        }
    }

    func bool() throws -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .null: throw notFound(Bool.self)
        default: throw DecodingError.typeMismatch(Bool.self, context("Expected to decode Bool but found \(kind) instead."))
        }
    }

    /// An integer exactly: its digits (with a fraction of zeros, 20.0), or a number of integral
    /// value within the type's range (1e19).
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        switch value {
        case .number(let parsed, let text):
            let parts = text.split(separator: ".", maxSplits: 1)
            if let exact = T(parts[0], radix: 10), parts.count == 1 || parts[1].allSatisfy({ $0 == "0" }) { return exact }
            if let exact = T(exactly: parsed) { return exact }
            throw DecodingError.dataCorrupted(context("Number \(text) is not representable in Swift."))
        case .null: throw notFound(T.self)
        default: throw DecodingError.typeMismatch(T.self, context("Expected to decode \(T.self) but found \(kind) instead."))
        }
    }

    /// A key of an array's element.
    struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue!)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [(key: String, value: JSONValue)]
        let codingPath: [any CodingKey]

        var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

        /// The member's value; the first one when a key appears more than once (as Foundation reads it).
        func find(_ key: Key) -> JSONValue? {
            let name = key.stringValue
            for member in members where member.key == name { return member.value }
            return nil
        }

        func contains(_ key: Key) -> Bool { find(key) != nil }

        /// The member's value, or the error of a missing key.
        func required(_ key: Key) throws -> JSONValue {
            guard let value = find(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath,
                                                           debugDescription: "No value associated with key \(key.stringValue)."))
            }
            return value
        }

        func child(_ key: Key) throws -> JSONValueDecoder {
            JSONValueDecoder(value: try required(key), codingPath: codingPath + [key])
        }

        func decodeNil(forKey key: Key) throws -> Bool { try required(key).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let value = find(key), !value.isNull else { return nil }
            return try JSONValueDecoder(value: value, codingPath: codingPath + [key]).decodeValue(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try child(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }

        func superDecoder() throws -> any Decoder {
            JSONValueDecoder(value: members.first { $0.key == "super" }?.value ?? .null, codingPath: codingPath)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            JSONValueDecoder(value: find(key) ?? .null, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let elements: [JSONValue]
        let codingPath: [any CodingKey]
        var currentIndex = 0

        init(elements: [JSONValue], codingPath: [any CodingKey]) {
            (self.elements, self.codingPath) = (elements, codingPath)
        }

        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        /// The error of reading past the last element as `type`.
        func atEnd(_ type: Any.Type) -> DecodingError {
            .valueNotFound(type, .init(codingPath: codingPath + [Index(currentIndex)], debugDescription: "Unkeyed container is at end."))
        }

        mutating func next(_ type: Any.Type) throws -> JSONValueDecoder {
            guard !isAtEnd else { throw atEnd(type) }
            defer { currentIndex += 1 }
            return JSONValueDecoder(value: elements[currentIndex], codingPath: codingPath + [Index(currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { throw atEnd(Any?.self) }
            guard elements[currentIndex].isNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decodeValue(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next([String: Any].self).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([Any].self).unkeyedContainer() }

        mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: JSONValueDecoder
        var codingPath: [any CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.value.isNull }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
    }
}
