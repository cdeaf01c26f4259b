// `trajpred sample`: k futures per pedestrian from a trained run, in absolute scene coordinates,
// as CSV / JSON / ndjson (to stdout or --out) and optionally into the predictions table.
import ArgumentParser
import Foundation
import TrajectoryData
import TrajectoryStore
import Workflows

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
    @Option(help: "The checkpoint: best or last (default: best, or last for a run trained without validation).")
    var checkpoint: CheckpointRecord.Label?
    @Option(help: "Data selection DATASET[/SPLIT[/SCENE]].") var data: String?
    @Option(help: "Observed paths from a trajectory file (ETH/UCY, CSV or ndjson) instead of --data.") var input: String?
    @OptionGroup(title: "Reading --input") var reading: ReaderOptionGroup
    @Option(parsing: .unconditional,
            help: "Predict from this frame (the last observed one), as written in the file; the nearest step matches.")
    var frame: Double?
    @Option(parsing: .unconditional, help: "Predict from this time in seconds (the trajectory view's time) instead of a frame.")
    var time: Double?
    @Option(help: "Only this pedestrian (its id as written in the file); without --frame, from its last frame.")
    var pedestrian: String?
    @Flag(help: "Every window: every frame where a pedestrian has 8 observed steps.") var all = false
    @Option(parsing: .unconditional, help: "Futures per pedestrian.") var k: Int = 20
    @Option(parsing: .unconditional, help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(help: "Output format: csv, json or ndjson.") var format: PredictionFormat = .csv
    @Option(help: "Write to this file instead of stdout.") var out: String?
    @Flag(name: .customLong("store"), help: "Also keep the predictions in the store, under a run of kind predict.")
    var keep = false

    func validate() throws {
        guard (data == nil) != (input == nil) else { throw ValidationError("give either --data SELECTION or --input FILE") }
        if frame != nil, time != nil { throw ValidationError("give --frame F or --time SECONDS, not both") }
        let frame = self.frame ?? time
        let modes = [frame != nil && pedestrian == nil, pedestrian != nil, all].filter { $0 }.count
        guard modes == 1 else {
            throw ValidationError("choose one of --frame F (or --time S), --pedestrian P [--frame F], --all")
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        if keep, input != nil { throw ValidationError("--store needs pedestrians of the store (--data)") }
    }

    func run() throws {
        let database = try store.openExisting()
        let model = try TrainedModel.load(database, run: runReference, checkpoint: checkpoint)
        let instant = frame ?? time
        let target: PredictionRequest.Target =
            all ? .all : pedestrian.map { .pedestrian($0, frame: instant) } ?? .frame(instant!)
        var request = PredictionRequest(source: data.map { .store($0) } ?? .file(input!), target: target, k: k, seed: seed)
        request.reading = reading.settings
        request.frameIsTime = time != nil
        let predictions = try Prediction.predict(database, model: model, request)
        if predictions.cappedWindows > 0 {
            printError("warning: \(predictions.cappedWindows) of \(predictions.count) pedestrians moved more than "
                + "\(formatted(Double(maximumObservedStep))) m between two observed steps (tracking glitches?); those steps "
                + "were shortened to \(formatted(Double(maximumObservedStep))) m before predicting")
        }
        if let out {
            try PredictionWriter.write(predictions, as: format, toFile: out)
        } else {
            try PredictionWriter.write(predictions, as: format, to: FileHandle.standardOutput)
        }
        if keep {
            let kept = try Prediction.keep(predictions, in: database, model: model, request: request, checkpoint: model.checkpoint)
            printError("stored \(kept.points) predicted points as run \(kept.run.id) (\(kept.run.name))")
        }
    }
}
