// Live prediction in the library: a replay of the zara1 test scene, one tracker frame per frame,
// gives at each frame exactly the futures of `sample --frame` (every family, and neighbours as
// context); agents wait for the model's observed steps and are forgotten after `forget` seconds;
// a jittered 30 Hz tracker gives the futures of the same walk at the model's step; bad frames are
// refused with the field at fault and change nothing; many threads on one model answer as one.
import Foundation
import NNCore
import Synchronization
import Testing
import TestSupport
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
@testable import Workflows

/// The path of a store with zara1 imported and a tiny run of each configuration, by name: cvae,
/// anchors, wta, cvae-dlow and wta with its neighbours (scene context) as inputs.
let liveRunsPath: String = {
    let store = try! zara1Store()
    let runs: [(name: String, family: String, options: [String: String], epochs: Int)] = [
        ("cvae", "cvae", ["hidden": "16", "latent": "4"], 1),
        ("anchors", "anchors", [:], 1),
        ("wta", "wta", ["hidden": "16"], 1),
        ("cvae-dlow", "cvae-dlow", ["hidden": "16", "latent": "4", "cvae-epochs": "1"], 2),
        ("wta-neighbours", "wta", ["hidden": "16", "neighbours": "3", "neighbour-radius": "0"], 1),
    ]
    for run in runs {
        var training = try! TrainingRunConfiguration.defaultTraining(family: run.family)
        (training.epochs, training.batch, training.minimumSteps) = (run.epochs, 256, 0)
        let configuration = try! TrainingRunConfiguration(family: run.family, options: ModelOptions(run.options),
                                                          training: training, train: ["zara1/train/crowds_zara02"],
                                                          val: ["zara1/val/crowds_zara02"])
        _ = try! TrainingSession.start(store, configuration: configuration, name: run.name).run()
    }
    return store.path
}()

/// The store of `liveRunsPath`, opened for one test.
func liveRuns() throws -> Store { try Store(path: liveRunsPath, create: false) }

/// The zara1 test scene as a tracker would send it: one frame per frame of the file, at the
/// scene's times (frame × 0.4 / 10 s), agents in file order, ids as the store keeps them.
func zara1TestReplay() throws -> [TrackerFrame] {
    let path = repositoryRoot + "/data/zara1/test/crowds_zara01.txt"
    let observations = try TrajectoryReader.read(try TextBuffer(contentsOf: path), file: path,
                                                 options: ImportSettings().read).observations
    var frames: [TrackerFrame] = []
    for observation in observations {
        let time = observation.frame * 0.4 / 10
        if frames.last?.time != time { frames.append(TrackerFrame(time: time, agents: [])) }
        frames[frames.count - 1].agents.append(TrackedAgent(id: observation.pedestrian, x: observation.x, y: observation.y))
    }
    return frames
}

/// A walker at `velocity` m/s from `start`, its position at `time`.
func walk(_ time: Double, start: SIMD2<Double> = [2, 3], velocity: SIMD2<Double> = [1.2, 0.4]) -> TrackedAgent {
    let p = start + time * velocity
    return TrackedAgent(id: "w", x: p.x, y: p.y)
}

@Suite(.serialized) struct OnlinePredictorTests {
    @Test(arguments: ["cvae", "anchors", "wta", "cvae-dlow", "wta-neighbours"])
    func aReplayGivesTheFuturesOfSampleAtEveryFrame(run: String) throws {
        let store = try liveRuns()
        let predictor = try OnlinePredictor.load(store, run: run, checkpoint: .best)
        #expect(predictor.timeStep == 0.4 && predictor.observed == 8)
        // Remembering agents for longer than the observed steps keeps every neighbour that sample sees.
        var tracks = predictor.makeTracks(forget: 4)
        var compared = 0
        for (index, frame) in try zara1TestReplay().enumerated() {
            try tracks.observe(frame)
            guard index % 9 == 0 else { continue }
            let live = try predictor.predict(tracks, at: frame.time, agents: frame.agents.map(\.id), k: 3, seed: 7)
            let frameNumber = (frame.time * 10 / 0.4).rounded()
            let request = PredictionRequest(source: .store("zara1/test"), target: .frame(frameNumber), k: 3, seed: 7)
            guard let sampled = try? Prediction.predict(store, model: predictor.model, request) else {
                #expect(live.predictions.isEmpty, "frame \(frameNumber)")
                continue
            }
            // The same agents, in the order of the frame, and the same futures to the bit.
            #expect(live.predictions.map(\.id) == frame.agents.map(\.id).filter { id in
                (0..<sampled.count).contains { sampled.pedestrian($0) == id }
            })
            #expect(live.waiting.count + live.predictions.count == frame.agents.count)
            for futures in live.predictions {
                let n = try #require((0..<sampled.count).first { sampled.pedestrian($0) == futures.id })
                for s in 0..<3 {
                    for t in 0..<predictor.predicted {
                        #expect(futures.position(future: s, step: t) == sampled.position(window: n, sample: s, step: t))
                    }
                }
                #expect(futures.probabilities == sampled.samples.probabilities.map { Array($0[(n * 3)..<(n * 3 + 3)]) })
                #expect(zip(futures.times, (0..<12).map { sampled.time(window: n, step: $0) }).allSatisfy { abs($0 - $1) < 1e-6 })
                compared += 1
            }
        }
        #expect(compared > 300)
    }

    @Test func agentsWaitForTheirStepsAndAreForgotten() throws {
        let predictor = try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, maxGap: 1)
        var tracks = predictor.makeTracks(forget: 1)
        func frame(_ step: Int, _ agents: [TrackedAgent]) throws -> LiveForecast {
            let time = Double(step) * 0.4
            try tracks.observe(TrackerFrame(time: time, agents: agents))
            return try predictor.predict(tracks, at: time, agents: agents.map(\.id), k: 2, seed: 0)
        }
        let other = TrackedAgent(id: "o", x: 0, y: 0)
        for step in 0..<7 { #expect(try frame(step, [walk(Double(step) * 0.4), other]).waiting == ["w", "o"]) }
        let seventh = try frame(7, [walk(2.8), other])
        #expect(seventh.predictions.map(\.id) == ["w", "o"] && seventh.waiting.isEmpty)
        #expect(seventh.predictions[0].times == [3.2, 3.6, 4, 4.4, 4.8, 5.2, 5.6, 6, 6.4, 6.8, 7.2, 7.6])
        // Unseen at one frame: remembered, and back its steps are interpolated across the 0.8 s gap
        // (within the maximum gap, 1 s here).
        #expect(try frame(8, [other]).predictions.map(\.id) == ["o"])
        #expect(tracks.agents["w"] != nil)
        #expect(try frame(9, [walk(3.6), other]).predictions.map(\.id) == ["w", "o"])
        // Unseen for 0.8 s again: remembered; for 1.2 s (> forget): forgotten, and back it waits again.
        _ = try frame(10, [other])
        _ = try frame(11, [other])
        #expect(tracks.agents["w"] != nil)
        _ = try frame(12, [other])
        #expect(tracks.agents["w"] == nil && tracks.agents["o"] != nil && tracks.agentsSeen == 2)
        #expect(try frame(13, [walk(5.2), other]).waiting == ["w"])
        #expect(tracks.agentsSeen == 3)
        // History is trimmed to what a prediction reads.
        for step in 15..<200 { _ = try frame(step, [other]) }
        #expect(tracks.agents["o"]!.observations.count <= 8 + 3)
    }

    @Test func aJitteredFastTrackerGivesTheFuturesOfTheWalkAtTheModelsStep() throws {
        var rng = SystemRandomNumberGenerator()
        for run in ["anchors", "wta", "cvae"] {
            let predictor = try OnlinePredictor.load(try liveRuns(), run: run, checkpoint: .best)
            var exact = predictor.makeTracks(forget: 5), jittered = predictor.makeTracks(forget: 5)
            for step in 0...7 { try exact.observe(TrackerFrame(time: 100 + Double(step) * 0.4, agents: [walk(Double(step) * 0.4)])) }
            // 30 Hz with ±10 ms of jitter and every fifth frame dropped, ending at the same time.
            var times = stride(from: 100.0, to: 102.8, by: 1 / 30).enumerated().filter { $0.offset % 5 != 3 }
                .map { $0.element + Double.random(in: -0.01...0.01, using: &rng) }
            times[0] = 99.9
            times.append(102.8)
            for time in times { try jittered.observe(TrackerFrame(time: time, agents: [walk(time - 100)])) }
            let a = try predictor.predict(exact, at: 102.8, agents: ["w"], k: 5, seed: 1)
            let b = try predictor.predict(jittered, at: 102.8, agents: ["w"], k: 5, seed: 1)
            #expect(a.predictions.count == 1 && b.predictions.count == 1)
            let largest = zip(a.predictions[0].futures, b.predictions[0].futures).map { abs($0 - $1) }.max() ?? 1
            #expect(largest < 1e-4, "\(run): \(largest) m")
        }
    }

    /// A gap interpolated one position per step: more than 10,000 steps of it is refused at load; so is a
    /// step under 1 ms, whose index of a valid time (up to 10¹² s) overflowed and took the server down.
    @Test func aGapOfTooManyStepsOrATinyStepIsRefused() throws {
        #expect(throws: WorkflowError.invalidInput(field: "--max-gap", reason: "a gap of 100 s is more than 10,000 steps of "
                                                   + "0.001 s to interpolate across: choose a longer --dt or a shorter --max-gap")) {
            try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, timeStep: 0.001, maxGap: 100)
        }
        #expect(try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, timeStep: 0.001, maxGap: 10).maxGap == 10)
        for step in [1e-12, 0.000999] {
            #expect(throws: WorkflowError.invalidInput(field: "--dt", reason: "a step of \(formatted(step)) s is shorter than "
                                                       + "0.001 s: live times would number more steps than an index holds")) {
                try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, timeStep: step, maxGap: 0.01)
            }
        }
        #expect(throws: WorkflowError.invalidInput(field: "--dt", reason: "a step of 1e+300 s is longer than a day: "
                                                   + "a walk is not seen on a grid that coarse")) {
            try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, timeStep: 1e300)
        }
        // The smallest step with the widest times: two frames 10¹² s apart are read, not a crash.
        let predictor = try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best, timeStep: 0.001)
        var tracks = predictor.makeTracks(forget: 5)
        for time in [-1e12, 1e12] {
            try tracks.observe(TrackerFrame(time: time, agents: [TrackedAgent(id: "7", x: 1, y: 2)]))
            _ = try predictor.predict(tracks, at: time, agents: ["7"], k: 2, seed: 0)
        }
    }

    @Test func badFramesAreRefusedWithTheirFieldAndChangeNothing() throws {
        let predictor = try OnlinePredictor.load(try liveRuns(), run: "anchors", checkpoint: .best)
        var tracks = predictor.makeTracks(forget: 5)
        try tracks.observe(TrackerFrame(time: 1.6, agents: [walk(0)]))
        let cases: [(String, WorkflowError)] = [
            ("not json", .invalidInput(field: "", reason: "not JSON")),
            (#"{"agents": []}"#, .invalidInput(field: "time", reason: "missing")),
            (#"{"time": "soon", "agents": []}"#, .invalidInput(field: "time", reason: "must be a number")),
            (#"{"time": 2, "agents": [{"id": "1", "x": 1}]}"#, .invalidInput(field: "agents[0].y", reason: "missing")),
            (#"{"time": 2, "agents": [{"id": "1", "x": 1, "y": 2}, {"x": 1, "y": 2}]}"#,
             .invalidInput(field: "agents[1].id", reason: "missing")),
            (#"{"time": 2, "agents": [{"id": "1", "x": null, "y": 2}]}"#,
             .invalidInput(field: "agents[0].x", reason: "must be a number, not null")),
            (#"{"time": 2, "agents": {"id": "1"}}"#, .invalidInput(field: "agents", reason: "must be an array")),
            (#"{"time": 1.2, "agents": []}"#, .invalidInput(field: "time", reason: "1.2 is not after the previous frame's 1.6")),
            (#"{"time": 1.6, "agents": []}"#, .invalidInput(field: "time", reason: "1.6 is not after the previous frame's 1.6")),
            (#"{"time": 2, "agents": [{"id": "1", "x": 1, "y": 2}, {"id": 1, "x": 1, "y": 2}]}"#,
             .invalidInput(field: "agents[1].id", reason: "'1' appears twice in the frame")),
            (#"{"time": 2, "agents": [{"id": "1", "x": 1e999, "y": 2}]}"#, .invalidInput(field: "", reason: "not JSON")),
            (#"{"time": 2, "agents": [{"id": "1", "x": 1, "y": -1e300}]}"#,
             .invalidInput(field: "agents[0].y", reason: "must be a finite number within ±1e9")),
            (#"{"time": 1e13, "agents": []}"#, .invalidInput(field: "time", reason: "must be a finite number within ±1e12")),
            // Two 64-bit ids that a double cannot tell apart: refused, not merged.
            (#"{"time": 2, "agents": [{"id": 1700000000000000001, "x": 1, "y": 2}]}"#,
             .invalidInput(field: "agents[0].id",
                           reason: "a number of 2^53 or more, beyond what a JSON number keeps exactly; send the id as a string")),
        ]
        for (line, expected) in cases {
            #expect(throws: expected, "\(line)") {
                try tracks.observe(try LiveJSON.decode(TrackerFrame.self, from: Data(line.utf8)))
            }
        }
        // NaN cannot be written in JSON; a frame built in code with one is refused all the same.
        #expect(throws: WorkflowError.invalidInput(field: "agents[1].x", reason: "must be a finite number within ±1e9")) {
            try tracks.observe(TrackerFrame(time: 2, agents: [walk(0.4), TrackedAgent(id: "n", x: .nan, y: 0)]))
        }
        #expect(tracks.lastFrameTime == 1.6 && tracks.agents.count == 1 && tracks.agents["w"]!.observations.count == 1)
        // Numeric ids are their text.
        let frame = try LiveJSON.decode(TrackerFrame.self, from: Data(#"{"time": 2, "agents": [{"id": 7.0, "x": 1, "y": 2}]}"#.utf8))
        #expect(frame.agents[0].id == "7")
        let large = try LiveJSON.decode(TrackerFrame.self, from: Data(#"{"time": 2, "agents": [{"id": 1e15, "x": 1, "y": 2}]}"#.utf8))
        #expect(large.agents[0].id == "1000000000000000", "as import writes it")
    }

    @Test func anAnswerIsOneLineOfJSONWithItsValuesRounded() throws {
        let forecast = LiveForecast(time: 1_700_000_000.4, predictions: [
            LiveForecast.AgentFutures(id: "a\"b\\c\n\u{1}é", futures: [1.23456, -0.00004, -12.5, 3, 1e17, -0.25], k: 1,
                                      times: [0.4, 0.8, 1.2], probabilities: [1]),
        ], waiting: ["7"])
        let line = String(decoding: forecast.json, as: UTF8.self)
        #expect(line == #"{"predictions":[{"futures":[[[1.2346,0],[-12.5,3],[1e+17,-0.25]]],"id":"a\"b\\c\u000a\u0001é","#
            + #""probabilities":[1],"times":[0.4,0.8,1.2]}],"time":1700000000.4,"waiting":["7"]}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: forecast.json) as? [String: Any])
        #expect((parsed["predictions"] as? [[String: Any]])?.first?["id"] as? String == "a\"b\\c\n\u{1}é")
        // Fractions with leading zeros, integers, and random values read back within half a unit of 10⁻⁴.
        var bytes = JSONBytes()
        bytes.numbers([0.0005, -3.0071, 12.5, 100, 0.00004, 7.00009], decimals: 4)
        #expect(String(decoding: bytes.bytes, as: UTF8.self) == "[0.0005,-3.0071,12.5,100,0,7.0001]")
        var rng = Xoshiro256(seed: 5)
        let values: [Double] = (0..<2_000).map { _ in Double(rng.uniform(-1, 1)) * pow(10.0, Double(rng.uniform(-5, 6))) }
        var all = JSONBytes()
        all.numbers(values, decimals: 4)
        let read = try #require(try JSONSerialization.jsonObject(with: Data(all.bytes)) as? [NSNumber]).map(\.doubleValue)
        #expect(read.count == values.count)
        let tolerance: Double = 0.5e-4 * (1 + 1e-9)
        for (value, back) in zip(values, read) { #expect(abs(value - back) <= tolerance, "\(value) → \(back)") }
        // Each is the text of its units of 10⁻⁴ (or 10⁻⁶), rounded half away from zero, trailing zeros cut.
        func reference(_ value: Double, _ decimals: Int) -> String {
            let units = Int64((value * [1e4, 1e6][decimals / 6]).rounded())
            var text = String(units.magnitude)
            text = String(repeating: "0", count: max(0, decimals + 1 - text.count)) + text
            var fraction = String(text.suffix(decimals))
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return (units < 0 ? "-" : "") + text.dropLast(decimals) + (fraction.isEmpty ? "" : "." + fraction)
        }
        for decimals in [4, 6] {
            var one = JSONBytes()
            one.numbers(values + [0, -0.0, 1e15 / 1e6, -99.99995, 0.0000005], decimals: decimals)
            #expect(String(decoding: one.bytes, as: UTF8.self)
                        == "[" + (values + [0, -0.0, 1e15 / 1e6, -99.99995, 0.0000005]).map { reference($0, decimals) }.joined(separator: ",") + "]")
        }
    }

    @Test func manyThreadsOnOneModelAnswerAsOneDoes() throws {
        for run in ["cvae", "wta"] {
            let predictor = try OnlinePredictor.load(try liveRuns(), run: run, checkpoint: .best)
            var tracks = predictor.makeTracks(forget: 5)
            var recorded: [(OnlineTracks, TrackerFrame)] = []
            for (index, frame) in try zara1TestReplay().enumerated() where index < 400 {
                try tracks.observe(frame)
                if index % 10 == 9 { recorded.append((tracks, frame)) }
            }
            let snapshots = recorded
            let sequential = try snapshots.map { try predictor.predict($0.0, at: $0.1.time, agents: $0.1.agents.map(\.id), k: 20, seed: 3) }
            let results = Mutex<[Int: LiveForecast]>([:])
            DispatchQueue.concurrentPerform(iterations: snapshots.count * 3) { i in
                let (tracks, frame) = snapshots[i % snapshots.count]
                let forecast = try? predictor.predict(tracks, at: frame.time, agents: frame.agents.map(\.id), k: 20, seed: 3)
                results.withLock { all in
                    if let earlier = all[i % snapshots.count] { #expect(earlier == forecast) }
                    all[i % snapshots.count] = forecast
                }
            }
            #expect(results.withLock { all in (0..<snapshots.count).map { all[$0] } } == sequential)
        }
    }
}
