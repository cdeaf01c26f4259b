// Hostile files against the readers: 10,000 seeded mutations of valid ETH/UCY, CSV and ndjson
// files, and crafted monsters (binary, empty, header only, BOM, overflowing numbers, a 64 MB line;
// 1 GB with TRAJPRED_LONG_TESTS=1). Each either parses or fails with a `file:line` message.
import Foundation
import Testing
@testable import TrajectoryData

/// Parses `bytes` as `file` through reader and grid; returns the error, or nil if it imported.
func outcome(_ bytes: [UInt8], file: String) -> ImportError? {
    do {
        _ = try SceneBuilder.build(try TrajectoryReader.read(TextBuffer(bytes), file: file), file: file)
        return nil
    } catch let error as ImportError {
        return error
    } catch {
        Issue.record("\(file): an error that is not an ImportError: \(error)")
        return nil
    }
}

/// True when `error` names its file and line, or is a file-level refusal.
func isWellFormed(_ error: ImportError, file: String) -> Bool {
    if let line = error.line { return error.description.hasPrefix("\(file):\(line): ") }
    switch error {
    case .empty, .unreadable, .invalidSetting: return error.description.hasPrefix("\(file)")
    default: return false
    }
}

@Suite struct HostileInputTests {
    static let valid: [(String, String)] = [
        ("f.txt", (0..<40).map { "\($0 / 2 * 10).0\t\($0 % 2 + 1).0\t\(Double($0) * 0.25)\t\(Double($0 % 7) * 0.5)" }
            .joined(separator: "\n") + "\n"),
        ("f.csv", "frame,track_id,pos_x,pos_y\n" + (0..<40).map { "\($0 / 2),p\($0 % 2),\(Double($0) * 0.25),1.5" }
            .joined(separator: "\n") + "\n"),
        ("f.ndjson", "{\"scene\": {\"id\": 0, \"p\": 1, \"s\": 0, \"e\": 190, \"fps\": 2.5, \"tag\": []}}\n"
            + (0..<40).map { "{\"track\": {\"f\": \($0 / 2 * 10), \"p\": \($0 % 2), \"x\": \(Double($0) * 0.25), \"y\": 0.5}}" }
            .joined(separator: "\n") + "\n"),
    ]

    @Test func tenThousandSeededMutations() {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let inserts: [[UInt8]] = [[0], [0xFF, 0xFE], Array("1e999".utf8), Array("NaN".utf8), Array("-inf".utf8),
                                  Array("3.5e38".utf8), [0x0A], [0x0D, 0x0A], [0x09], Array(",,".utf8), Array("{".utf8),
                                  Array("\"".utf8), Array("0x1p3".utf8), [0xEF, 0xBB, 0xBF]]
        var imported = 0, refused = 0
        for round in 0..<10_000 {
            let (file, text) = Self.valid[round % Self.valid.count]
            var bytes = Array(text.utf8)
            for _ in 0..<(1 + next() % 4) {
                let at = Int(next() % UInt64(bytes.count + 1))
                switch next() % 5 {
                case 0: if at < bytes.count { bytes.remove(at: at) }                        // drop a byte
                case 1: bytes.insert(contentsOf: inserts[Int(next() % UInt64(inserts.count))], at: at)
                case 2: if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: next()) }   // garbage byte
                case 3: bytes = Array(bytes.prefix(at))                                      // truncate
                default: if at < bytes.count { bytes.insert(bytes[at], at: at) }             // repeat a byte
                }
            }
            if let error = outcome(bytes, file: file) {
                refused += 1
                #expect(isWellFormed(error, file: file), "round \(round): \(error)")
            } else {
                imported += 1
            }
        }
        #expect(imported > 500 && refused > 3000, "both outcomes exercised: \(imported) imported, \(refused) refused")
    }

    @Test func craftedMonsters() {
        #expect(outcome([], file: "e.txt") == .empty(file: "e.txt"))
        #expect(outcome(Array("frame,id,x,y\n".utf8), file: "h.csv") == .empty(file: "h.csv"))
        #expect(outcome([0xEF, 0xBB, 0xBF] + Array("frame,id,x,y\n0,1,2,3\n".utf8), file: "bom.csv") == nil)
        // A binary file: a PNG header and random bytes.
        var binary: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var seed: UInt64 = 1
        for _ in 0..<10_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1
            binary.append(UInt8(truncatingIfNeeded: seed >> 33))
        }
        let error = outcome(binary, file: "b.png")
        #expect(error.map { isWellFormed($0, file: "b.png") } == true, "\(String(describing: error))")
        // Numbers beyond Float, and tiny ones that are fine.
        #expect(outcome(Array("0 1 3.5e38 0\n".utf8), file: "o.txt") == .nonFinite(file: "o.txt", line: 1, column: "x", text: "3.5e38"))
        #expect(outcome(Array("0 1 1e-300 0\n".utf8), file: "t.txt") == nil)
    }

    @Test func aHugeSingleLine() {
        let megabytes = longTests ? 1024 : 64
        var bytes = [UInt8](repeating: UInt8(ascii: "7"), count: megabytes << 20)
        bytes[1000] = UInt8(ascii: " ")
        let error = outcome(bytes, file: "huge.txt")
        #expect(error == .wrongColumnCount(file: "huge.txt", line: 1, expected: 4, found: 2))
    }
}

let longTests = ProcessInfo.processInfo.environment["TRAJPRED_LONG_TESTS"] == "1"
