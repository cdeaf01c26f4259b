// The pictures trajpred draws from the store: a scene at a frame with observed paths, true and
// sampled futures; and a run's training curves.
import Plots
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public enum Pictures {
    /// SVG of the one scene of `selection` at `frame` (a time in seconds with `frameIsTime`): everyone
    /// with the model's observed steps ending there, their true futures and `k` sampled futures
    /// each; drawn over the scene's image when it has one and a homography or scale.
    public static func scene(_ store: Store, model: TrainedModel, selection: String, frame: Double, frameIsTime: Bool = false,
                             k: Int, seed: UInt64, density: Bool) throws -> String {
        let scenes = try store.scenes(selection: selection)
        guard scenes.count == 1, let scene = scenes.first else {
            throw WorkflowError.oneSceneNeeded(selection: selection, found: scenes.map(\.path))
        }
        let predictions: Predictions
        var request = PredictionRequest(source: .store(scene.path), target: .frame(frame), k: k, seed: seed)
        request.frameIsTime = frameIsTime
        do {
            predictions = try Prediction.predict(store, model: model, request)
        } catch WorkflowError.nothingToPredict(let observed, _, _, _) {
            throw WorkflowError.nothingToPredict(observed: observed, ending: request.instant(frame), pedestrian: nil,
                                                 data: scene.path)
        }
        let bad = predictions.samples.values.filter { !$0.isFinite }.count
        guard bad == 0 else { throw WorkflowError.nonFinitePredictions(run: model.run.name, count: bad / 2) }
        let tracks = try store.tracks(of: scene)
        let byName = Dictionary(tracks.map { ($0.pedestrian, $0) }, uniquingKeysWith: { a, _ in a })
        var paths: [PedestrianPaths] = []
        for n in 0..<predictions.count {
            let last = predictions.lastObservedStep(n)
            let truth = (byName[predictions.pedestrian(n)]?.points ?? []).filter {
                $0.step > last && $0.step <= last + predictions.predicted
            }.map { SIMD2($0.x, $0.y) }
            let futures = (0..<k).map { s in
                (0..<predictions.predicted).map { predictions.position(window: n, sample: s, step: $0) }
            }
            paths.append(PedestrianPaths(name: predictions.pedestrian(n), observed: predictions.observed(n), truth: truth,
                                         samples: futures))
        }
        let title = "\(scene.path), \(frameIsTime ? "time" : "frame") \(formatted(frame)): \(predictions.count) "
            + "pedestrians, \(k) futures each"
        if let id = scene.id, let image = try store.image(scene: id), let pixels = try store.pixelMapping(scene: id) {
            return ScenePlot.render(paths, title: title, over: image, pixels: pixels)
        }
        return ScenePlot.render(paths, title: title, density: density)
    }

    /// SVG of a run's loss, KL and validation curves, one point per finished epoch.
    public static func curves(_ store: Store, run reference: String) throws -> String {
        let run = try store.run(named: reference)
        let epochs = try store.epochs(run: run.id)
        guard !epochs.isEmpty else { throw WorkflowError.noEpochs(run: run.name) }
        func series(_ name: String, _ color: String, _ value: (EpochRecord) -> Double?) -> CurveSeries {
            CurveSeries(name: name, points: epochs.compactMap { epoch in value(epoch).map { (Double(epoch.epoch), $0) } },
                        color: color)
        }
        return CurvePlot.render(panels: [
            ("training loss (MSE + β·KL)", [series("loss", "#1f4e99") { $0.loss },
                                            series("reconstruction", "#2ca02c") { $0.reconstruction }]),
            ("KL(q ‖ p), nats", [series("KL", "#9467bd") { $0.kl }]),
            ("validation, meters", [series("minADE@20", "#ff7f0e") { $0.validationMinADE },
                                    series("minFDE@20", "#d62728") { $0.validationMinFDE }]),
        ], xLabel: "epoch", title: "Training of run \(run.id) (\(run.name))")
    }
}
