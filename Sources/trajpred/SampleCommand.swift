// `trajpred sample`: k futures per pedestrian from a trained run, in absolute scene coordinates,
// as CSV / JSON / ndjson (to stdout or --out) and optionally into the predictions table.
import ArgumentParser
import Foundation
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

enum PredictionFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, ndjson
}

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample k futures per pedestrian: at a frame, for one pedestrian, or for every window of a scene.",
        discussion: """
            Rows: scene,pedestrian,last_observed_frame,sample,step,frame,x,y, with pedestrian ids and \
            frames as written in the imported file. A pedestrian is predicted when its last 8 steps up to \
            the frame are all observed. --input reads observed paths from a file instead of the store.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("run"), help: "The trained run (id or name).") var runReference: String
    @Option(help: "The checkpoint: best or last.") var checkpoint: CheckpointRecord.Label = .best
    @Option(help: "Data selection DATASET[/SPLIT[/SCENE]].") var data: String?
    @Option(help: "Observed paths from a trajectory file (ETH/UCY, CSV or ndjson) instead of --data.") var input: String?
    @Option(help: "Predict from this frame (the last observed one).") var frame: Double?
    @Option(help: "Only this pedestrian (its id as written in the file); without --frame, from its last frame.")
    var pedestrian: String?
    @Flag(help: "Every window: every frame where a pedestrian has 8 observed steps.") var all = false
    @Option(help: "Futures per pedestrian.") var k: Int = 20
    @Option(help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(help: "Output format: csv, json or ndjson.") var format: PredictionFormat = .csv
    @Option(help: "Write to this file instead of stdout.") var out: String?
    @Flag(name: .customLong("store"), help: "Also keep the predictions in the store, under a run of kind predict.")
    var keep = false

    func validate() throws {
        guard (data == nil) != (input == nil) else { throw ValidationError("give either --data SELECTION or --input FILE") }
        let modes = [frame != nil && pedestrian == nil, pedestrian != nil, all].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("choose one of --frame F, --pedestrian P [--frame F], --all") }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        if keep, input != nil { throw ValidationError("--store needs pedestrians of the store (--data)") }
    }

    func run() throws {
        let database = try store.openExisting()
        let loaded = try loadModel(database, run: runReference, checkpoint: checkpoint)
        let configuration = loaded.settings.model
        // The scenes and their tracks.
        var scenes: [SceneReference] = []
        var tracks: [[Track]] = []
        if let data {
            scenes = try database.scenes(selection: data)
            tracks = try scenes.map { try database.tracks(scene: $0.id) }
        } else if let input {
            let text = try TextBuffer(contentsOf: input)
            let scene = try SceneBuilder.build(try TrajectoryReader.read(text, file: input), file: input)
            scenes = [SceneReference(id: -1, dataset: "input", split: .test, name: ImportPlan.sceneName(input),
                                     frameOrigin: scene.frameOrigin, frameStep: scene.frameStep, timeStep: scene.timeStep)]
            tracks = [scene.tracks]
        }
        // The windows to predict.
        var windows = WindowSet(observed: configuration.observed, predicted: configuration.predicted)
        for (s, scene) in scenes.enumerated() {
            let step = frame.map { ($0 - scene.frameOrigin) / scene.frameStep }
            for track in tracks[s] where pedestrian == nil || track.pedestrian == pedestrian {
                if all {
                    for point in track.points { windows.addObserved(track, endingAt: point.step, scene: s) }
                } else if let step {
                    guard step == step.rounded() else { continue }
                    windows.addObserved(track, endingAt: Int(step), scene: s)
                } else if let last = track.points.last {
                    windows.addObserved(track, endingAt: last.step, scene: s)
                }
            }
        }
        guard windows.count > 0 else {
            throw ValidationErrorText("no pedestrian has \(configuration.observed) consecutive observed steps "
                + (frame.map { "ending at frame \(formatted($0))" } ?? "there")
                + (pedestrian.map { " (pedestrian \($0))" } ?? "") + " in \(data ?? input ?? "")")
        }
        var rng = Xoshiro256(seed: seed)
        let indices = Array(0..<windows.count)[...]
        let workspace = TrajectoryCVAE.SamplingWorkspace(loaded.model, windows: min(256, windows.count), k: k)
        let samples = loaded.model.sample(windows, indices, k: k, using: &rng, workspace: workspace)
        try write(samples, windows: windows, scenes: scenes)
        if keep {
            let config = "{\"k\":\(k),\"seed\":\(seed),\"checkpoint\":\"\(checkpoint.rawValue)\",\"data\":\(jsonString(data ?? ""))}"
            let predictRun = try database.createRun(name: nil, kind: "predict", config: config, parent: loaded.run.id)
            var agents: [Int: [String: Int64]] = [:]
            var records: [PredictionRecord] = []
            records.reserveCapacity(windows.count * k * windows.predicted)
            for n in 0..<windows.count {
                let source = windows.sources[n], origin = windows.origins[n]
                if agents[source.scene] == nil { agents[source.scene] = try database.agentIDs(scene: scenes[source.scene].id) }
                let agent = agents[source.scene]![source.pedestrian]!
                for s in 0..<k {
                    for t in 0..<windows.predicted {
                        let i = ((n * k + s) * windows.predicted + t) * 2
                        records.append(PredictionRecord(agentID: agent, lastObservedStep: source.lastObservedStep, sample: s,
                                                        step: t + 1, x: origin.x + Double(samples[i]), y: origin.y + Double(samples[i + 1])))
                    }
                }
            }
            try database.storePredictions(run: predictRun.id, records)
            printError("stored \(records.count) predicted points as run \(predictRun.id) (\(predictRun.name))")
        }
    }

    /// Writes every predicted point, streaming, in the chosen format.
    func write(_ samples: [Float], windows: WindowSet, scenes: [SceneReference]) throws {
        let output: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw ValidationErrorText("cannot write \(out)")
            }
            output = handle
        } else {
            output = FileHandle.standardOutput
        }
        var buffer = ""
        func flush(_ force: Bool = false) {
            if force || buffer.utf8.count > 1 << 16 {
                output.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        let columns = ["scene", "pedestrian", "last_observed_frame", "sample", "step", "frame", "x", "y"]
        switch format {
        case .csv: buffer += columns.joined(separator: ",") + "\n"
        case .json: buffer += "["
        case .ndjson: break
        }
        var first = true
        for n in 0..<windows.count {
            let source = windows.sources[n], origin = windows.origins[n], scene = scenes[source.scene]
            let sceneName = scene.id < 0 ? scene.name : scene.path
            let lastFrame = formatted(scene.frame(of: source.lastObservedStep))
            for s in 0..<k {
                for t in 0..<windows.predicted {
                    let i = ((n * k + s) * windows.predicted + t) * 2
                    let x = origin.x + Double(samples[i]), y = origin.y + Double(samples[i + 1])
                    let frameText = formatted(scene.frame(of: source.lastObservedStep + t + 1))
                    let xText = String(format: "%.4f", x), yText = String(format: "%.4f", y)
                    switch format {
                    case .csv:
                        buffer += "\(Listing.csvField(sceneName)),\(Listing.csvField(source.pedestrian)),\(lastFrame),\(s),\(t + 1),\(frameText),\(xText),\(yText)\n"
                    case .json, .ndjson:
                        let object = "{\"scene\": \(jsonString(sceneName)), \"pedestrian\": \(jsonString(source.pedestrian)), "
                            + "\"last_observed_frame\": \(lastFrame), \"sample\": \(s), \"step\": \(t + 1), "
                            + "\"frame\": \(frameText), \"x\": \(xText), \"y\": \(yText)}"
                        if format == .json {
                            buffer += (first ? "\n  " : ",\n  ") + object
                        } else {
                            buffer += object + "\n"
                        }
                    }
                    first = false
                    flush()
                }
            }
        }
        if format == .json { buffer += first ? "]\n" : "\n]\n" }
        flush(true)
    }
}
