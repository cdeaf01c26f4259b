// The pictures trajpred draws from the store: a scene at a frame with observed paths, true and
// sampled futures; and a run's training curves.
import Plots
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public enum Pictures {
    /// SVG of the one scene of `selection` at `frame`: everyone with the model's observed steps
    /// ending there, their true futures and `k` sampled futures each.
    public static func scene(_ store: Store, model: TrainedModel, selection: String, frame: Double, k: Int, seed: UInt64,
                             density: Bool) throws -> String {
        let scenes = try store.scenes(selection: selection)
        guard scenes.count == 1, let scene = scenes.first else {
            throw WorkflowError.oneSceneNeeded(selection: selection, found: scenes.map(\.path))
        }
        let predictions: Predictions
        do {
            predictions = try Prediction.predict(store, model: model, PredictionRequest(
                source: .store(scene.path), target: .frame(frame), k: k, seed: seed))
        } catch WorkflowError.nothingToPredict(let observed, _, _, _) {
            throw WorkflowError.nothingToPredict(observed: observed, frame: formatted(frame), pedestrian: nil,
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
        return ScenePlot.render(paths, title: "\(scene.path), frame \(formatted(frame)): \(predictions.count) pedestrians, "
            + "\(k) futures each", density: density)
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
