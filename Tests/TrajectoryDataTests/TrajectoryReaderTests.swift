// The three readers: what they accept (int/float ids, tabs/spaces, CRLF, BOM, blank lines,
// header mappings, quoting) and the exact error for each kind of bad row.
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TrajectoryData

func read(_ text: String, file: String = "f.txt", _ options: ReadOptions = ReadOptions()) throws -> ParsedFile {
    try TrajectoryReader.read(TextBuffer(Array(text.utf8)), file: file, options: options)
}

func readError(_ text: String, file: String = "f.txt", _ options: ReadOptions = ReadOptions()) -> ImportError? {
    do {
        _ = try read(text, file: file, options)
        return nil
    } catch let error as ImportError {
        return error
    } catch {
        return nil
    }
}

@Suite struct EthUcyReaderTests {
    @Test func floatIdsWithTabs() throws {
        let parsed = try read("0.0\t1.0\t13.44\t3.93\n10.0\t1.0\t12.93\t3.93\n")
        #expect(parsed.format == .ethucy)
        #expect(parsed.detail == "ETH/UCY text, tab-separated")
        #expect(parsed.observations == [
            Observation(frame: 0, pedestrian: "1", x: 13.44, y: 3.93, line: 1),
            Observation(frame: 10, pedestrian: "1", x: 12.93, y: 3.93, line: 2),
        ])
    }

    @Test func integerIdsWithSpacesCRLFBlankLinesAndBOM() throws {
        let parsed = try read("\u{FEFF}780 1 8.46 3.59\r\n\r\n790   1   9.57  3.79\r\n  \n\n")
        #expect(parsed.detail == "ETH/UCY text, space-separated")
        #expect(parsed.observations.map(\.line) == [1, 3])
        #expect(parsed.observations.map(\.frame) == [780, 790])
        #expect(parsed.observations.map(\.pedestrian) == ["1", "1"])
        #expect(parsed.observations[1].x == 9.57)
    }

    @Test func nonIntegralIdsKeepTheirValue() throws {
        #expect(try read("0 1.5 0 0\n").observations[0].pedestrian == "1.5")
    }

    @Test func wrongColumnCount() {
        #expect(readError("0\t1\t2\t3\n10\t1\t2\n") == .wrongColumnCount(file: "f.txt", line: 2, expected: 4, found: 3))
        #expect(readError("0\t1\t2\t3\t4\n") == .wrongColumnCount(file: "f.txt", line: 1, expected: 4, found: 5))
    }

    @Test func notANumber() {
        #expect(readError("0\t1\t2\t3\n10\t1\tabc\t3\n")
            == .notANumber(file: "f.txt", line: 2, column: "x", text: "abc"))
        #expect(readError("0\t1\t2\t3\n10\t1\t2\t3.0.0\n")
            == .notANumber(file: "f.txt", line: 2, column: "y", text: "3.0.0"))
    }

    @Test func nonFiniteAndOverflowingValues() {
        #expect(readError("0 1 nan 3\n") == .nonFinite(file: "f.txt", line: 1, column: "x", text: "nan"))
        #expect(readError("0 1 2 -inf\n") == .nonFinite(file: "f.txt", line: 1, column: "y", text: "-inf"))
        #expect(readError("0 1 1e39 3\n") == .nonFinite(file: "f.txt", line: 1, column: "x", text: "1e39"))
        #expect(readError("1e400 1 2 3\n") == .nonFinite(file: "f.txt", line: 1, column: "frame", text: "1e400"))
    }

    @Test func emptyFiles() {
        #expect(readError("") == .empty(file: "f.txt"))
        #expect(readError("\n  \n\r\n") == .empty(file: "f.txt"))
    }

    @Test func controlBytesAreEscapedInMessages() {
        #expect(readError("0 1 2\u{1}x 3\n") == .notANumber(file: "f.txt", line: 1, column: "x", text: "2\\x1x"))
    }
}

@Suite struct CSVReaderTests {
    @Test func recognisedNamesInAnyOrder() throws {
        let parsed = try read("x,y,track_id,frame\n1.5,2.5,7,10\n1.6,2.6,7,20\n", file: "a.csv")
        #expect(parsed.format == .csv)
        #expect(parsed.detail == "CSV, ','-separated, columns frame=frame, pedestrian=track_id, x=x, y=y")
        #expect(parsed.observations == [
            Observation(frame: 10, pedestrian: "7", x: 1.5, y: 2.5, line: 2),
            Observation(frame: 20, pedestrian: "7", x: 1.6, y: 2.6, line: 3),
        ])
        #expect(!parsed.frameIsSeconds)
    }

    @Test func detectedFromAHeaderEvenWithoutExtension() throws {
        #expect(try read("frame;ped;pos_x;pos_y\r\n0;a;1;2\r\n").format == .csv)
    }

    @Test func semicolonsQuotesAndSecondsColumn() throws {
        let parsed = try read("\"t\";\"agent_id\";\"pos_x\";\"pos_y\";note\n0.4;\"p 1\";\"1.0\";2;\"a;b\"\n",
                              file: "b.csv")
        #expect(parsed.detail.hasPrefix("CSV, ';'-separated"))
        #expect(parsed.observations == [Observation(frame: 0.4, pedestrian: "p 1", x: 1, y: 2, line: 2)])
        #expect(parsed.frameIsSeconds)
    }

    @Test func flagsNameColumnsByNameOrNumber() throws {
        let options = ReadOptions(frameColumn: "when", idColumn: "2", xColumn: "EAST", yColumn: "north")
        let parsed = try read("when,who,east,north\n5,9,1,2\n", file: "c.csv", options)
        #expect(parsed.observations == [Observation(frame: 5, pedestrian: "9", x: 1, y: 2, line: 2)])
    }

    @Test func missingColumnNamesTheFlag() {
        let error = readError("frame,ped,x\n0,1,2\n", file: "d.csv")
        #expect(error == .missingColumn(file: "d.csv", role: "y", tried: TrajectoryReader.csvColumnNames[3].names,
                                        header: ["frame", "ped", "x"]))
        #expect(error?.description.contains("--y-col") == true)
    }

    /// A header naming a column twice is ambiguous unless the flag gives its number; a column
    /// number beyond the header says how many there are.
    @Test func aColumnNamedTwiceOrBeyondTheHeaderIsRefused() throws {
        let twice = readError("frame,id,x,y,x\n0,1,2,3,4\n", file: "t.csv")
        #expect(twice?.description == "t.csv: line 1: the header names 'x' 2 times (columns 3, 5); give --x-col with its number")
        let chosen = try read("frame,id,x,y,x\n0,1,2,3,4\n", file: "t.csv", ReadOptions(xColumn: "5"))
        #expect(chosen.observations.map(\.x) == [4])
        let beyond = readError("frame,id,x,y\n0,1,2,3\n", file: "b.csv", ReadOptions(xColumn: "9"))
        #expect(beyond?.description == "b.csv: --x-col 9: the header has columns 1 to 4 [frame, id, x, y]")
        // One column for two roles, by number or by name.
        let shared = readError("frame,id,x,y\n0,1,2,3\n", file: "s.csv", ReadOptions(frameColumn: "1", idColumn: "1"))
        #expect(shared?.description == "s.csv: the frame and the id are both column 1 ('frame'); "
                + "give --frame-col and --id-col columns of their own")
        let named = readError("t,id,x,y\n0,1,2,3\n", file: "n.csv", ReadOptions(yColumn: "x"))
        #expect(named?.description == "n.csv: the x and the y are both column 3 ('x'); give --x-col and --y-col columns of their own")
    }

    @Test func badRows() {
        #expect(readError("frame,ped,x,y\n0,1,2,3\n1,1,2\n", file: "e.csv")
            == .wrongColumnCount(file: "e.csv", line: 3, expected: 4, found: 3))
        #expect(readError("frame,ped,x,y\n0,1,two,3\n", file: "e.csv")
            == .notANumber(file: "e.csv", line: 2, column: "x", text: "two"))
        #expect(readError("frame,ped,x,y\n0,1,2,NaN\n", file: "e.csv")
            == .nonFinite(file: "e.csv", line: 2, column: "y", text: "NaN"))
        #expect(readError("frame,ped,x,y\n", file: "e.csv") == .empty(file: "e.csv"))
    }
}

@Suite struct NDJSONReaderTests {
    let sample = """
        {"scene": {"id": 0, "p": 1, "s": 780, "e": 970, "fps": 2.5, "tag": [1, []]}}
        {"track": {"f": 780, "p": 1, "x": 8.46, "y": 3.59}}
        {"track": {"f": 790, "p": 1, "x": 9.57, "y": 3.79}}

        """

    @Test func tracksAndFps() throws {
        let parsed = try read(sample, file: "s.ndjson")
        #expect(parsed.format == .ndjson)
        #expect(parsed.framesPerSecond == 2.5)
        #expect(parsed.observations == [
            Observation(frame: 780, pedestrian: "1", x: 8.46, y: 3.59, line: 2),
            Observation(frame: 790, pedestrian: "1", x: 9.57, y: 3.79, line: 3),
        ])
    }

    @Test func detectedByFirstCharacter() throws {
        #expect(try read(sample, file: "s.txt").format == .ndjson)
    }

    @Test func badRecords() {
        #expect(readError("{\"track\": {\"f\": 1, \"p\": 1, \"x\": 2}}\n", file: "s.ndjson")
            == .malformedRecord(file: "s.ndjson", line: 1, reason: "track has no \"y\""))
        #expect(readError("{\"track\": {\"f\": 1, \"p\": 1, \"x\": 2, \"y\": 3}}\n{\"track\": \n", file: "s.ndjson")
            == .malformedRecord(file: "s.ndjson", line: 2, reason: "not a JSON object"))
        #expect(readError("{\"track\": {\"f\": 1, \"p\": 1, \"x\": \"a\", \"y\": 3}}\n", file: "s.ndjson")
            == .notANumber(file: "s.ndjson", line: 1, column: "x", text: "a"))
        #expect(readError("{\"person\": {}}\n", file: "s.ndjson")
            == .malformedRecord(file: "s.ndjson", line: 1, reason: "expected a \"scene\" or a \"track\" object"))
    }
}

@Suite struct ErrorTextTests {
    @Test func messagesStartWithFileAndLine() {
        let errors: [ImportError] = [
            .wrongColumnCount(file: "a.txt", line: 3, expected: 4, found: 2),
            .notANumber(file: "a.txt", line: 3, column: "x", text: "q"),
            .nonFinite(file: "a.txt", line: 3, column: "x", text: "nan"),
            .duplicateObservation(file: "a.txt", line: 3, frame: "10", pedestrian: "1", firstLine: 2),
            .offGrid(file: "a.txt", line: 3, frame: "15", origin: "0", step: "10"),
            .malformedRecord(file: "a.txt", line: 3, reason: "r"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("a.txt:3: "), "\(error)")
            #expect(error.line == 3)
        }
    }
}

@Suite struct NumberParsingTests {
    /// The fast decimal path must give exactly what the C library's correctly rounded strtod gives.
    @Test func fastPathEqualsStrtod() {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<100_000 {
            let digits = 1 + Int(next() % 17)
            var text = next() % 2 == 0 ? "-" : ""
            var body = String((0..<digits).map { _ in Character(String(next() % 10)) })
            if next() % 4 != 0 {
                let point = Int(next() % UInt64(digits + 1))
                body.insert(".", at: body.index(body.startIndex, offsetBy: point))
            }
            text += body
            let bytes = Array(text.utf8) + [0]
            let fast = bytes.withUnsafeBufferPointer { parseNumber($0, 0..<(bytes.count - 1)) }
            let reference = text.withCString { strtod($0, nil) }
            #expect(fast == reference, "\(text)")
            if fast != reference { return }
        }
    }

    @Test func exponentsLongMantissasAndWordsFallBack() {
        for (text, value) in [("1e3", 1000.0), ("12345678901234567890", 12345678901234567890.0), ("-0.5E-1", -0.05),
                              (".5", 0.5), ("5.", 5.0)] {
            let bytes = Array(text.utf8) + [0]
            #expect(bytes.withUnsafeBufferPointer { parseNumber($0, 0..<(bytes.count - 1)) } == value, "\(text)")
        }
        // Hexadecimal is strtod's, not a trajectory file's: 0x10 is not 16 here.
        for text in ["", ".", "-", "1.2.3", "1e", "abc", "1,5", "0x10", "0X1p4"] {
            let bytes = Array(text.utf8) + [0]
            #expect(bytes.withUnsafeBufferPointer { parseNumber($0, 0..<(bytes.count - 1)) } == nil, "\(text)")
        }
    }
}

@Suite struct ReaderMessageTests {
    @Test func utf16IsNamedWithItsCure() throws {
        let text = "frame,id,x,y\n0,1,0.5,0.5\n"
        let littleEndian: [UInt8] = Array(text.utf16).flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        for bytes in [[0xFF, 0xFE] + littleEndian, littleEndian] {
            let expected = ImportError.unreadable(file: "w.csv",
                                                  reason: "it is UTF-16 text; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)")
            #expect(throws: expected) { try TrajectoryReader.read(TextBuffer(bytes), file: "w.csv") }
        }
    }

    @Test func hexadecimalIsNotANumberAndIdsAreNormalisedByValue() throws {
        #expect(readError("0 1 0x10 2\n10 1 1 2\n") != nil)
        // 2.5 and 2.50 are one pedestrian, as 1, 1.0 and 1e0 are; words stay as written.
        let parsed = try read("frame,id,x,y\n0,2.5,0,0\n10,2.50,1,0\n0,1e0,5,5\n10,1.0,6,5\n0,walker,9,9\n", file: "f.csv")
        #expect(parsed.observations.map(\.pedestrian) == ["2.5", "2.5", "1", "1", "walker"])
    }

    /// Integral ids of 2⁵³ or more (a tracker's 64-bit ids) have no exact double: they keep their
    /// digits, so two of them that differ only in their last digits stay two pedestrians, in every
    /// reader; written twice by value (leading zeros, a zero fraction) they are still one.
    @Test func largeIntegralIdsKeepTheirDigits() throws {
        let (a, b) = ("1700000000000000001", "1700000000000000002")
        let csv = try read("frame,id,x,y\n0,\(a),0,0\n0,\(b),1,0\n10,0\(a).0,0,1\n10,+\(b),1,1\n", file: "f.csv")
        #expect(csv.observations.map(\.pedestrian) == [a, b, a, b])
        let eth = try read("0 \(a) 0 0\n0 \(b) 1 0\n10 \(a) 0 1\n10 \(b) 1 1\n")
        #expect(eth.observations.map(\.pedestrian) == [a, b, a, b])
        #expect(canonicalID("-0.0") == "0" && canonicalID("-12.50") == "-12.5" && canonicalID("9007199254740993") == "9007199254740993")
        #expect(decimalDigits("1e20") == nil && decimalDigits(".") == nil && decimalDigits("0.50") == "0.5")
        // A JSON number has no digits to keep: refused, naming the line.
        let json = #"{"track": {"f": 0, "p": 1700000000000000001, "x": 0, "y": 0}}"# + "\n"
        guard case .malformedRecord(_, 1, let reason)? = readError(json, file: "t.ndjson") else {
            Issue.record("a numeric id beyond 2^53 was read")
            return
        }
        #expect(reason.contains("2^53 or more") && reason.contains("as a string"), "\(reason)")
    }
}
