// The live requests' own JSON decoder against Foundation's JSONDecoder: on valid bodies, broken ones
// and thousands of randomly damaged ones, for the requests of `/v1/predict` and of a tracker frame,
// a body that is JSON (by an independent reading of RFC 8259's grammar here) gets the same value or
// the same message (field and reason) from both, and one that is not is "not JSON" for ours (where
// Foundation's reads only the values asked for, and takes `[1, ]` for `[1]`).
import Foundation
import NNCore
import Testing
@testable import Workflows

@Suite struct LiveJSONDecoderTests {
    /// What Foundation's decoder gives, as `LiveJSON.decode` reported it before it had its own.
    func foundation<T: Decodable>(_ type: T.Type, _ data: Data) -> Result<T, WorkflowError> {
        do {
            return .success(try JSONDecoder().decode(type, from: data))
        } catch let error as DecodingError {
            return .failure(LiveJSON.describe(error))
        } catch let error as WorkflowError {
            return .failure(error)   // what a type's own decoding refuses (an id beyond 2^53), as LiveJSON.decode passes it on
        } catch {
            return .failure(.invalidInput(field: "", reason: "not JSON"))
        }
    }

    func ours<T: Decodable>(_ type: T.Type, _ data: Data) -> Result<T, WorkflowError> {
        do {
            return .success(try LiveJSON.decode(type, from: data))
        } catch {
            return .failure(error)
        }
    }

    /// Ours is Foundation's on JSON, and "not JSON" on anything else.
    func same<T: Decodable & Equatable>(_ type: T.Type, _ data: Data) -> Bool {
        guard Self.isJSON(Array(data)) else {
            return ours(type, data) == .failure(.invalidInput(field: "", reason: "not JSON"))
        }
        switch (foundation(type, data), ours(type, data)) {
        case let (.success(a), .success(b)): return a == b
        case let (.failure(a), .failure(b)): return a == b
        default: return false
        }
    }

    /// RFC 8259's grammar, read independently of the decoder: one value between whitespace; strings
    /// valid UTF-8 without raw control characters, escapes of the eight kinds or \uXXXX (surrogates
    /// in pairs); numbers within Double's range; an optional UTF-8 byte order mark.
    static func isJSON(_ input: [UInt8]) -> Bool {
        var b = input[...]
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        func ws() { while let c = b.first, [0x20, 0x09, 0x0A, 0x0D].contains(c) { b = b.dropFirst() } }
        func eat(_ c: Character) -> Bool {
            guard b.first == c.asciiValue else { return false }
            b = b.dropFirst()
            return true
        }
        func digits() -> Int {
            var n = 0
            while let c = b.first, (48...57).contains(c) { b = b.dropFirst(); n += 1 }
            return n
        }
        func hex() -> UInt32? {
            guard b.count >= 4, let v = UInt32(String(decoding: b.prefix(4), as: UTF8.self), radix: 16),
                  b.prefix(4).allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) else { return nil }
            b = b.dropFirst(4)
            return v
        }
        func string() -> Bool {
            guard eat("\"") else { return false }
            var raw: [UInt8] = []
            while let c = b.first {
                b = b.dropFirst()
                if c == 0x22 { return String(validating: raw, as: UTF8.self) != nil }
                if c < 0x20 { return false }
                if c != 0x5C { raw.append(c); continue }
                guard let e = b.first else { return false }
                b = b.dropFirst()
                if Array(#""\/bfnrt"#.utf8).contains(e) { raw.append(0x20); continue }
                guard e == UInt8(ascii: "u"), let v = hex() else { return false }
                if (0xDC00..<0xE000).contains(v) { return false }
                if (0xD800..<0xDC00).contains(v) {
                    guard eat("\\"), eat("u"), let w = hex(), (0xDC00..<0xE000).contains(w) else { return false }
                }
                raw.append(0x20)
            }
            return false
        }
        func value() -> Bool {
            ws()
            defer { ws() }
            if eat("{") {
                ws()
                if eat("}") { return true }
                repeat {
                    ws()
                    guard string() else { return false }
                    ws()
                    guard eat(":"), value() else { return false }
                } while eat(",")
                return eat("}")
            }
            if eat("[") {
                ws()
                if eat("]") { return true }
                repeat { guard value() else { return false } } while eat(",")
                return eat("]")
            }
            if b.first == 0x22 { return string() }
            for word in ["true", "false", "null"] where b.starts(with: word.utf8) {
                b = b.dropFirst(word.utf8.count)
                return true
            }
            let start = b.startIndex
            _ = eat("-")
            if eat("0") {} else if digits() == 0 { return false }
            if eat("."), digits() == 0 { return false }
            if eat("e") || eat("E") {
                if !eat("+") { _ = eat("-") }
                if digits() == 0 { return false }
            }
            return Double(String(decoding: input[start..<b.startIndex], as: UTF8.self))?.isFinite ?? false
        }
        return value() && b.isEmpty
    }

    static let paths: [String] = [
        #"{"agents": [{"id": "a", "positions": [[1, 2], [1.5, 2.25]]}], "k": 5, "seed": 7}"#,
        #"{"agents": [{"id": 7, "positions": [[1e2, -2E-3]], "times": [0.4]}, {"id": 7.0, "positions": [[0, 0]]}]}"#,
        #"{"agents": [{"id": 1.5, "positions": [[-0, 0.0]]}], "time": 12.4}"#,
        " \n\t{\"agents\": [] }\r\n",
        "\u{FEFF}{\"agents\": []}",
        #"{"agents": [{"id": "\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "é😀", "positions": [[1, 2]]}], "extra": {"nested": [1, {"a": null}]}}"#,
        #"{"agents": [], "k": 1.5}"#, #"{"agents": [], "k": 1e20}"#, #"{"agents": [], "k": -1}"#,
        #"{"agents": [], "k": 20.0}"#, #"{"agents": [], "k": null}"#, #"{"agents": [], "k": "5"}"#,
        #"{"agents": [], "seed": 18446744073709551615}"#, #"{"agents": [], "seed": 18446744073709551616}"#,
        #"{"agents": [], "seed": -0}"#, #"{"agents": [], "time": null}"#, #"{"agents": [], "time": "now"}"#,
        #"{"agents": [{"id": "", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": null, "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "a"}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1, "2"]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1, null]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [1, 2]}]}"#,
        #"{"agents": [{"id": "a", "positions": {"x": 1}}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1, 2]], "times": [true]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1, 2]], "times": null}]}"#,
        #"{"agents": ["a"]}"#, #"{"agents": {}}"#, #"{"agents": null}"#, #"{}"#, #"[]"#, #"null"#, #"3"#, #""x""#,
        #"{"agents": [{"id": true, "positions": [[1, 2]]}]}"#,
        #"{"agents": [], "agents": [{"id": "a", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1e999, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[01, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[1., 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[.5, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[-, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[NaN, 2]]}]}"#,
        #"{"agents": [{"id": "a", "positions": [[+1, 2]]}]}"#,
        #"{"agents": [{"id": "\x", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "\ud800", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "\udc00x", "positions": [[1, 2]]}]}"#,
        #"{"agents": [{"id": "\u12", "positions": [[1, 2]]}]}"#,
        "{\"agents\": [{\"id\": \"a\tb\", \"positions\": [[1, 2]]}]}",
        #"{"agents": [{"id": "a", "positions": [[1, 2]]}],}"#, #"{"agents": [{"id": "a", "positions": [[1, 2],]}]}"#,
        #"{"agents": []} x"#, #"{"agents": [}"#, #"{"agents""#, #""#, #"{'agents': []}"#, #"{agents: []}"#,
        #"{"agents": [], "seed": 1e19}"#, #"{"agents": [], "seed": 1.5e19}"#, #"{"agents": [], "k": 12345678901234567.0}"#,
        #"{"agents": [], "time": 1e-400}"#, #"{"agents": [], "time": 0e-400}"#, #"{"agents": [], "time": -0.000e5}"#,
        #"{"agents": [], "time": 4.9e-324}"#, #"{"agents": [], "time": 2e-324}"#,
                #"{"agents": [], "k": tru}"#, #"{"agents": [], "flag": true, "none": null, "off": false}"#,
    ]

    static let frames: [String] = [
        #"{"time": 2, "agents": [{"id": "1", "x": 1, "y": 2}]}"#,
        #"{"time": 2, "agents": [{"id": 7.0, "x": 1, "y": 2}, {"id": 1e300, "x": 0, "y": 0}]}"#,
        #"{"time": 2, "agents": [{"id": "1", "x": 1e999, "y": 2}]}"#,
        #"{"time": 2, "agents": [{"id": "1", "y": 2}]}"#,
        #"{"time": 2, "agents": [{"id": "1", "x": "1", "y": 2}]}"#,
        #"{"agents": [{"id": "1", "x": 1, "y": 2}]}"#,
        #"{"time": null, "agents": []}"#, #"{"time": 1, "agents": [null]}"#, #"{"time": 1, "agents": [[]]}"#,
    ]

    @Test func bothDecodersAgreeOnValidAndBrokenBodies() throws {
        for text in Self.paths {
            #expect(same(ObservedPaths.self, Data(text.utf8)), "\(text): \(foundation(ObservedPaths.self, Data(text.utf8))) against \(ours(ObservedPaths.self, Data(text.utf8)))")
        }
        for text in Self.frames {
            #expect(same(TrackerFrame.self, Data(text.utf8)), "\(text): \(foundation(TrackerFrame.self, Data(text.utf8))) against \(ours(TrackerFrame.self, Data(text.utf8)))")
        }
        // Bytes that are not UTF-8, and nesting deeper than either allows.
        let invalid = Data(#"{"agents": [{"id": ""#.utf8) + Data([0xFF, 0xFE]) + Data(#"", "positions": [[1, 2]]}]}"#.utf8)
        #expect(same(ObservedPaths.self, invalid))
        for depth in [510, 511, 512, 513, 600] {
            let deep = Data((#"{"agents": [], "x": "# + String(repeating: "[", count: depth) + "1"
                             + String(repeating: "]", count: depth) + "}").utf8)
            #expect(same(ObservedPaths.self, deep), "\(depth): \(foundation(ObservedPaths.self, deep)) against \(ours(ObservedPaths.self, deep))")
        }
        // Every integer type reads as Int does (they must not ask the decoder for themselves).
        struct Widths: Decodable, Equatable {
            var a: Int8, b: Int32, c: Int64, d: UInt8, e: UInt16, f: UInt
        }
        for text in [#"{"a": -128, "b": 7, "c": -9007199254740993, "d": 255, "e": 3.0, "f": 18446744073709551615}"#,
                     #"{"a": 128, "b": 7, "c": 0, "d": 0, "e": 0, "f": 0}"#, #"{"a": 1, "b": 1.5, "c": 0, "d": 0, "e": 0, "f": 0}"#,
                     #"{"a": 1, "b": 1, "c": 0, "d": -1, "e": 0, "f": 0}"#, #"{"a": 1, "b": 1, "c": "0", "d": 0, "e": 0, "f": 0}"#] {
            // An integer out of its type's range: ours names its field where Foundation's says "not JSON".
            let data = Data(text.utf8), named: Bool
            if case .failure(.invalidInput(let field, "is not a valid value")) = ours(Widths.self, data) {
                named = !field.isEmpty && foundation(Widths.self, data) == .failure(.invalidInput(field: "", reason: "not JSON"))
            } else {
                named = false
            }
            #expect(same(Widths.self, data) || named, "\(text): \(foundation(Widths.self, data)) against \(ours(Widths.self, data))")
        }
        #expect(try LiveJSON.decode(ObservedPaths.self, from: Data(Self.paths[5].utf8)).agents[0].id == "é😀\"\\/\u{8}\u{C}\n\r\t")
    }

    /// Valid bodies with random bytes replaced, removed or repeated: the same value or message.
    @Test func bothDecodersAgreeOnDamagedBodies() throws {
        var rng = Xoshiro256(seed: 11)
        let sources = (Self.paths.prefix(7) + Self.frames.prefix(2)).map { Array($0.utf8) }
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \tanulltruefalse\u"#.utf8) + [0x00, 0x1F, 0xC3, 0xFF]
        var disagreements: [String] = []
        for trial in 0..<4_000 {
            var bytes = sources[trial % sources.count]
            for _ in 0...(trial % 3) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(bytes[at], at: at)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let data = Data(bytes)
            let agree = trial % sources.count < 7 ? same(ObservedPaths.self, data) : same(TrackerFrame.self, data)
            if !agree {
                let text = String(decoding: bytes, as: UTF8.self)
                disagreements.append(trial % sources.count < 7
                    ? "\(text) \(foundation(ObservedPaths.self, data)) \(ours(ObservedPaths.self, data))"
                    : "\(text) \(foundation(TrackerFrame.self, data)) \(ours(TrackerFrame.self, data))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count): \(disagreements.prefix(40).joined(separator: "\n"))")
    }
}
