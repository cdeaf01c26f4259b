// Importing into the store: the shipped ETH/UCY tree with its published counts, re-import
// detection, every kind of bad row leaving the database exactly as it was, and a seeded
// mutation run over a real file.
import Foundation
import Testing
import TrajectoryData
@testable import TrajectoryStore

func item(_ path: String, dataset: String = "d", split: Split = .train, scene: String = "s") -> ImportItem {
    ImportItem(path: path, dataset: dataset, split: split, scene: scene, splitSource: "given")
}

func text(_ string: String) -> TextBuffer { TextBuffer(Array(string.utf8)) }

@Suite struct StoreImportTests {
    @Test func shippedTreeMatchesThePublishedCounts() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        let items = try ImportPlan.plan(paths: [repositoryRoot + "/data/zara1"], dataset: nil, split: nil, scene: nil)
        #expect(items.count == 15)
        for item in items { _ = try store.importFile(item) }
        // Rows and pedestrians per file, from ../shared/data/ethucy/README.md.
        let expected: [String: (Int64, Int64)] = [
            "train/biwi_eth": (3666, 250), "train/biwi_hotel": (4946, 311), "train/crowds_zara02": (7621, 171),
            "train/crowds_zara03": (3708, 106), "train/students001": (18353, 375), "train/students003": (15641, 364),
            "train/uni_examples": (2266, 96), "val/biwi_eth": (1826, 120), "val/biwi_hotel": (1597, 81),
            "val/crowds_zara02": (2101, 47), "val/crowds_zara03": (1297, 33), "val/students001": (3460, 96),
            "val/students003": (2312, 92), "val/uni_examples": (481, 24), "test/crowds_zara01": (5153, 148),
        ]
        let counts = try store.database.prepare("""
            SELECT split || '/' || scene, (SELECT count(*) FROM trajectory AS t
                WHERE t.dataset = s.dataset AND t.split = s.split AND t.scene = s.scene), pedestrians
            FROM scene_summary AS s WHERE dataset = 'zara1'
            """).rows { ($0.text(0), $0.int(1), $0.int(2)) }
        #expect(counts.count == expected.count)
        for (scene, rows, pedestrians) in counts {
            #expect(expected[scene]?.0 == rows, "\(scene) rows")
            #expect(expected[scene]?.1 == pedestrians, "\(scene) pedestrians")
        }
        // Every ETH/UCY track is contiguous at step 10 (README: "no per-pedestrian gaps").
        #expect(try store.database.scalarInt("SELECT sum(gaps) FROM track") == 0)
        #expect(try store.database.scalarInt("SELECT count(DISTINCT frame_step) FROM scene") == 1)
        #expect(try store.database.scalarText("SELECT group_concat(DISTINCT time_step) FROM scene") == "0.4")
        // The first row of crowds_zara01.txt, read back through the view.
        let first = try store.database.prepare("""
            SELECT pedestrian, frame, time, x, y FROM trajectory WHERE scene = 'crowds_zara01' ORDER BY step, pedestrian
            LIMIT 1
            """).rows { [$0.value(0), $0.value(1), $0.value(2), $0.value(3), $0.value(4)] }
        #expect(first == [[.text("1"), .integer(0), .real(0), .real(13.4487205051), .real(3.93788669527)]])
    }

    @Test func sameContentTwiceIsDetected() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        let content = text("0 1 0 0\n10 1 1 1\n")
        let first = try store.importText(content, item: item("a.txt", scene: "a"))
        #expect(first.outcome == .imported(pedestrians: 1, positions: 2))
        let before = try snapshot(store.database)
        let again = try store.importText(content, item: item("copy.txt", split: .test, scene: "b"))
        #expect(again.outcome == .alreadyImported(as: "d/train/a"))
        #expect(try snapshot(store.database) == before)
        // The same bytes in another dataset are a new scene there (ETH/UCY repeats files across held-out scenes).
        let other = try store.importText(content, item: item("a.txt", dataset: "e", scene: "a"))
        #expect(other.outcome == .imported(pedestrians: 1, positions: 2))
    }

    @Test func sceneNameTakenByOtherContentIsAConflict() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        _ = try store.importText(text("0 1 0 0\n"), item: item("a.txt"))
        let before = try snapshot(store.database)
        #expect(throws: StoreError.self) { try store.importText(text("0 2 0 0\n"), item: item("b.txt")) }
        #expect(try snapshot(store.database) == before)
    }

    /// Every kind of bad row: the exact error, and not a byte of the file stored.
    @Test(arguments: [
        ("0 1 0 0\n10 1 0\n", ImportError.wrongColumnCount(file: "bad.txt", line: 2, expected: 4, found: 3)),
        ("0 1 0 0\n10 1 x 0\n", .notANumber(file: "bad.txt", line: 2, column: "x", text: "x")),
        ("0 1 0 0\n10 1 NaN 0\n", .nonFinite(file: "bad.txt", line: 2, column: "x", text: "NaN")),
        ("0 1 0 0\n10 1 0 inf\n", .nonFinite(file: "bad.txt", line: 2, column: "y", text: "inf")),
        ("0 1 0 0\n10 1 0 0\n10 1 5 5\n", .duplicateObservation(file: "bad.txt", line: 3, frame: "10",
                                                                 pedestrian: "1", firstLine: 2)),
        ("0 1 0 0\n10 1 0 0\n20 1 0 0\n15 2 0 0\n", .offGrid(file: "bad.txt", line: 4, frame: "15", origin: "0",
                                                               step: "10")),
        ("\n\n", .empty(file: "bad.txt")),
    ])
    func badRowStoresNothing(content: String, expected: ImportError) throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        _ = try store.importText(text("0 1 0 0\n10 1 1 1\n"), item: item("good.txt", scene: "good"))
        let before = try snapshot(store.database)
        #expect(throws: expected) { try store.importText(text(content), item: item("bad.txt", dataset: "new")) }
        #expect(try snapshot(store.database) == before)
    }

    /// 1,200 seeded mutations of a real file: each either imports whole or fails with a
    /// `file:line` message (or a file-level one for an empty file) and stores nothing.
    @Test func seededMutationsImportWholeOrNothing() throws {
        let original = try String(contentsOfFile: repositoryRoot + "/data/zara1/test/crowds_zara01.txt",
                                  encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).prefix(60).map(String.init)
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        var generator = SplitMix64(seed: 2020)
        var imported = 0, refused = 0
        for round in 0..<1200 {
            let mutated = mutate(lines, &generator)
            let before = try counts(store.database)
            do {
                let result = try store.importText(TextBuffer(mutated), item: item("fuzz.txt", scene: "m\(round)"))
                let after = try counts(store.database)
                if case let .imported(_, positions, _) = result.outcome {
                    #expect(after.positions == before.positions + positions, "round \(round)")
                    #expect(after.scenes == before.scenes + 1, "round \(round)")
                    imported += 1
                } else {
                    #expect(after == before, "round \(round)")
                }
            } catch let error as ImportError {
                refused += 1
                #expect(try counts(store.database) == before, "round \(round): \(error)")
                let message = error.description
                if error.line != nil {
                    #expect(message.hasPrefix("fuzz.txt:\(error.line!): "), "round \(round): \(message)")
                } else {
                    #expect(error == .empty(file: "fuzz.txt"), "round \(round): \(message)")
                }
            }
        }
        #expect(try store.database.scalarText("PRAGMA integrity_check") == "ok")
        #expect(imported > 100 && refused > 300, "the mutations exercise both outcomes: \(imported) / \(refused)")
    }

    struct Counts: Equatable {
        var scenes: Int64, agents: Int64, positions: Int
    }

    func counts(_ db: Database) throws -> Counts {
        Counts(scenes: try db.scalarInt("SELECT count(*) FROM scene")!, agents: try db.scalarInt("SELECT count(*) FROM agent")!,
               positions: Int(try db.scalarInt("SELECT count(*) FROM position")!))
    }

    /// One random damage to `lines`: fields dropped or added, garbage bytes, huge numbers, NaN,
    /// truncation, repeated or removed lines, or nothing at all.
    func mutate(_ lines: [String], _ g: inout SplitMix64) -> [UInt8] {
        var lines = lines
        let index = Int(g.next() % UInt64(lines.count - 1))
        var fields = lines[index].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let field = Int(g.next() % UInt64(fields.count))
        var editedFields = true
        switch g.next() % 10 {
        case 0: fields.remove(at: field)
        case 1: fields.append("1.5")
        case 2: fields[field] = "1e999"
        case 3: fields[field] = ["nan", "NaN", "-inf", "3.5e38"][Int(g.next() % 4)]
        case 4: fields[0] = String(Int(g.next() % 100_000) * (g.next() % 2 == 0 ? 10 : 1) + 5)
        case 5: fields[field] = String(fields[field].prefix(Int(g.next() % UInt64(fields[field].count + 1))))
        case 6: lines.insert(lines[index], at: index); editedFields = false
        case 7: lines.remove(at: index); editedFields = false
        case 8: lines = Array(lines.prefix(index)); editedFields = false
        default: editedFields = false
        }
        if editedFields { lines[index] = fields.joined(separator: "\t") }
        var bytes = Array(lines.joined(separator: "\n").utf8)
        if g.next() % 4 == 0, !bytes.isEmpty {
            // Garbage bytes anywhere: NUL, 0xFF, letters, separators, line breaks.
            for _ in 0..<(1 + g.next() % 3) {
                let at = Int(g.next() % UInt64(bytes.count))
                bytes[at] = [0x00, 0xFF, 0x41, 0x2C, 0x0A, 0x0D, 0x20, 0x09, 0x2E, 0x2D][Int(g.next() % 10)]
            }
        }
        return bytes
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator for test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
