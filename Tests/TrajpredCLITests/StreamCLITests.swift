// `trajpred stream` end to end: a replay of the zara1 test scene (one JSON line per frame, with
// bad lines among them) answers each good line, and the line of frame 5500 holds the futures
// `sample --frame 5500` prints with the same run, k and seed; each bad line is one stderr line
// with its number; Ctrl-C ends the stream with its summary and exit 0.
import Foundation
import Testing

/// The zara1 test scene as tracker lines: `{"time": frame / 25, "agents": [{"id", "x", "y"}, …]}`,
/// one per frame, values as written in the file.
func zara1ReplayLines() throws -> [String] {
    let text = try String(contentsOfFile: repositoryRoot + "/data/zara1/test/crowds_zara01.txt", encoding: .utf8)
    var lines: [String] = [], currentFrame = ""
    var agents: [[String: Any]] = []
    func flush() throws {
        guard !agents.isEmpty, let frame = Double(currentFrame) else { return }
        let object: [String: Any] = ["time": frame / 25, "agents": agents]
        lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        agents = []
    }
    for row in text.split(separator: "\n") {
        let fields = row.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
        if fields[0] != currentFrame { try flush(); currentFrame = fields[0] }
        agents.append(["id": String(Int(Double(fields[1])!)), "x": Double(fields[2])!, "y": Double(fields[3])!])
    }
    try flush()
    return lines
}

/// Runs trajpred with the text `input` on stdin.
func run(_ arguments: [String], input: String, in folder: String) throws -> Run {
    let path = folder + "/stdin-\(UUID().uuidString).txt"
    try input.write(toFile: path, atomically: true, encoding: .utf8)
    return try run(trajpred, arguments, in: folder, input: path)
}

@Suite(.serialized) struct StreamCLITests {
    @Test func aReplayAnswersEveryGoodLineAsSampleDoesAndSkipsBadOnes() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "small"], in: folder).status == 0)
        var lines = try zara1ReplayLines()
        #expect(lines.count == 872)
        let bad = [(3, "this is not json"), (10, #"{"time": 0.1, "agents": []}"#),
                   (20, #"{"time": 99999, "agents": [{"id": "1", "x": 1}]}"#),
                   (30, #"{"time": 99999, "agents": [{"id": "1", "x": NaN, "y": 2}]}"#),
                   (40, #"{"time": 99999, "agents": ["# + String(repeating: " ", count: 17 << 20) + "]}")]
        for (number, line) in bad { lines.insert(line, at: number - 1) }
        let result = try run(["stream", "--run", "small", "--k", "3", "--seed", "5"], input: lines.joined(separator: "\n") + "\n",
                             in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.prefix(5) == [
            "line 3: not JSON; skipped",
            "line 10: time: 0.1 is not after the previous frame's 2.8; skipped",
            "line 20: agents[0].y: missing; skipped",
            "line 30: not JSON; skipped",
            "line 40: longer than 16 MiB; skipped",
        ])
        #expect(errors.count == 6 && errors[5].hasPrefix("stream ended: 877 lines (5 skipped), 148 agents, 4117 predictions; per line p50 "),
                "\(errors.last ?? "")")
        let answers = result.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(answers.count == 872 && answers.allSatisfy { $0 != nil })

        // Frame 5500 (220 s): the futures `sample --frame 5500` prints, to its four decimals.
        let line = try #require(answers.first { ($0?["time"] as? Double) == 220 } ?? nil)
        let predictions = try #require(line["predictions"] as? [[String: Any]])
        let sample = try run(trajpred, ["sample", "--run", "small", "--data", "zara1/test", "--frame", "5500", "--k", "3",
                                        "--seed", "5"], in: folder)
        var expected: [String: [Double]] = [:]
        for row in sample.stdout.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",")
            expected[String(f[1]), default: []] += [Double(f[6])!, Double(f[7])!]
        }
        #expect(predictions.count == expected.count && predictions.count > 5)
        for prediction in predictions {
            let id = try #require(prediction["id"] as? String)
            let futures = try #require(prediction["futures"] as? [[[Double]]])
            let flat = futures.flatMap { $0.flatMap { $0 } }
            let want = try #require(expected[id])
            #expect(flat.count == want.count && zip(flat, want).allSatisfy { abs($0 - $1) <= 0.00011 }, "pedestrian \(id)")
            #expect((prediction["times"] as? [Double])?.first == 220.4)
        }
    }

    @Test func ctrlCEndsTheStreamWithItsSummary() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train", "--model", "anchors", "--train", "zara1/train/crowds_zara02",
                                   "--val", "zara1/val/crowds_zara02", "--name", "a", "--progress", "plain"],
                        in: folder).status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: trajpred)
        process.arguments = ["stream", "--run", "a"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let (input, output, errors) = (Pipe(), Pipe(), Pipe())
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, errors)
        try process.run()
        let lines = try zara1ReplayLines()
        // Each line is answered (and flushed) before the next is sent: a pipe is enough for a tracker.
        for line in lines.prefix(20) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            var answered = Data()
            repeat { answered += output.fileHandleForReading.availableData } while answered.last != 10 && process.isRunning
            #expect(answered.filter { $0 == 10 }.count == 1)
        }
        process.interrupt()
        #expect(exits(process, within: 60))
        #expect(process.terminationStatus == 0)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.hasPrefix("stream ended: 20 lines (0 skipped), "), "\(stderr)")
    }
}


/// Waits for `process` to end, at most `seconds`; kills it (and returns false) if it has not.
func exits(_ process: Process, within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    guard process.isRunning else { return true }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return false
}
