// Live prediction on one loaded model: from what `OnlineTracks` remembers, the model's observed
// steps of each agent on a grid of the model's step ending at the time predicted from (resampled
// by `Resampler`, the rules of `import --resample`: linear interpolation, never across a gap
// longer than `maxGap`, never extrapolating), then k futures per agent through the same sampling
// as `trajpred sample`. Immutable and Sendable: any number of threads predict at once with one
// model, each call drawing from its own generator seeded with its seed.
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct OnlinePredictor: Sendable {
    public let model: TrainedModel
    /// Seconds per model step.
    public let timeStep: Double
    /// Seconds: observations further apart are not interpolated between.
    public let maxGap: Double

    public var observed: Int { model.observed }
    public var predicted: Int { model.predicted }

    /// The default `maxGap`, in model steps (as `import --resample`'s default `--max-gap`).
    public static let defaultMaxGapSteps = 2.0

    public init(model: TrainedModel, timeStep: Double, maxGap: Double? = nil) {
        precondition(timeStep > 0 && timeStep.isFinite, "a positive step")
        self.model = model
        self.timeStep = timeStep
        self.maxGap = maxGap ?? Self.defaultMaxGapSteps * timeStep
        precondition(self.maxGap > 0 && self.maxGap.isFinite, "a positive maximum gap")
    }

    /// The run `reference`'s checkpoint `label`, with its step: `timeStep` when given, else the
    /// seconds per step of its training scenes (which must agree).
    public static func load(_ store: Store, run reference: String, checkpoint label: CheckpointRecord.Label?,
                            timeStep: Double? = nil, maxGap: Double? = nil) throws -> OnlinePredictor {
        let model = try TrainedModel.load(store, run: reference, checkpoint: label)
        var step = timeStep
        if step == nil {
            let found = model.trainingTimeSteps(store)
            guard found.count == 1 else { throw WorkflowError.unknownTimeStep(run: model.run.name, found: found.sorted()) }
            step = found[0]
        }
        // Live times lie within ±10¹² s (`LiveLimit.time`): from 1 ms on, a time's step index stays
        // below 2⁵³; at 10⁻¹² s two valid frames a few seconds apart overflowed it and took the server down.
        guard step! >= Self.shortestStep else {
            throw WorkflowError.invalidInput(field: "--dt", reason: "a step of \(formatted(step!)) s is shorter than "
                + "\(formatted(Self.shortestStep)) s: live times would number more steps than an index holds")
        }
        guard step! <= longestResampleStep else {
            throw WorkflowError.invalidInput(field: "--dt", reason: "a step of \(formatted(step!)) s is longer than a day: "
                + "a walk is not seen on a grid that coarse")
        }
        let predictor = OnlinePredictor(model: model, timeStep: step!, maxGap: maxGap)
        // Interpolating across a gap makes one position per step: a gap of more than 10,000 steps
        // (a --dt far below the tracker's rate) would fill the memory.
        guard predictor.maxGap / predictor.timeStep <= Self.longestGapSteps else {
            throw WorkflowError.invalidInput(field: "--max-gap", reason:
                "a gap of \(formatted(predictor.maxGap)) s is more than \(grouped(Int(Self.longestGapSteps))) steps of "
                + "\(formatted(predictor.timeStep)) s to interpolate across: choose a longer --dt or a shorter --max-gap")
        }
        return predictor
    }

    /// The shortest step a live predictor takes, in seconds.
    public static let shortestStep = 0.001

    /// The most steps interpolated across one gap.
    public static let longestGapSteps = 10_000.0

    /// The largest k a request may ask.
    public var maximumK: Int { model.model.maximumFutures?.k ?? TrainedModel.futureLimit }

    /// The most futures (agents × k) one answer holds: about 200 MB of JSON. A request for more is
    /// refused before anything is remembered (4,000 agents × 1,000 futures, a 1 GB answer, brought
    /// the server down).
    public static let answerLimit = 500_000

    /// Refuses an answer of `agents` × k futures beyond `answerLimit`.
    public func check(k: Int, agents: Int) throws(WorkflowError) {
        try check(k: k)
        guard agents <= Self.answerLimit / k else {
            throw .invalidInput(field: "agents", reason: "\(agents) agents × k \(k) is more than "
                + "\(grouped(Self.answerLimit)) futures in one answer; ask for fewer agents or a smaller k")
        }
    }

    /// Refuses a k outside 1…maximumK.
    public func check(k: Int) throws(WorkflowError) {
        guard k >= 1 else { throw .invalidInput(field: "k", reason: "must be at least 1") }
        guard k <= maximumK else {
            if let maximum = model.model.maximumFutures {
                throw .tooManyFutures(k: k, maximum: maximum.k, family: model.configuration.family, option: maximum.option)
            }
            throw .invalidInput(field: "k", reason: "must be at most \(maximumK)")
        }
    }

    /// Memory for one tracker: enough history for a prediction's observed steps (and the gap before
    /// them), agents forgotten after `forget` seconds unseen.
    public func makeTracks(forget: Double) -> OnlineTracks {
        OnlineTracks(horizon: Double(observed - 1) * timeStep + maxGap, forget: forget)
    }

    /// k futures of each agent of `ids` (in that order) from its observed steps ending at `time`:
    /// grid times time − (observed − 1 − j) × timeStep, j = 0 … observed − 1, shared by every agent.
    /// An agent whose grid is not covered (too little history, a gap longer than `maxGap`, or not
    /// seen at `time`) is waiting. The windows are built in order of first appearance and sampled
    /// together from a generator seeded with `seed`, as `sample --frame` does with a scene's
    /// tracks: the same history and seed give the same futures. Every remembered agent is context
    /// (neighbours) at the grid times it covers. `k` is checked by `check(k:)`. Futures that are not
    /// finite numbers (damaged weights) are an error, never an answer.
    public func predict(_ tracks: OnlineTracks, at time: Double, agents ids: [String], k: Int, seed: UInt64)
        throws(WorkflowError) -> LiveForecast
    {
        let resampler = Resampler(gridStep: timeStep, origin: time, maxGap: maxGap)
        let first = -(observed - 1)
        // Each remembered agent's grid points at steps 0 … observed − 1 (grid index n is step n − first).
        var context: [Track] = []
        for agent in tracks.ordered {
            var points: [TrackPoint] = []
            for segment in resampler.resample(agent.observations) {
                for point in segment.points where point.step >= first && point.step <= 0 {
                    points.append(TrackPoint(step: point.step - first, x: point.x, y: point.y))
                }
            }
            context.append(Track(pedestrian: agent.id, points: points))
        }
        let asked = Set(ids)
        var windows = WindowSet(observed: observed, predicted: predicted)
        windows.setContext(context, scene: 0)
        var windowOf: [String: Int] = [:]
        for (index, track) in context.enumerated() where asked.contains(track.pedestrian) {
            if windows.addObserved(track, endingAt: observed - 1, scene: 0, agent: index) {
                windowOf[track.pedestrian] = windows.count - 1
            }
        }
        var forecast = LiveForecast(time: time, predictions: [], waiting: [])
        guard windows.count > 0 else {
            forecast.waiting = ids
            return forecast
        }
        windows.capObservedSteps(at: maximumObservedStep)
        let samples = model.sample(windows, Array(0..<windows.count)[...], k: k, seed: seed)
        let bad = samples.values.count { !$0.isFinite }
        guard bad == 0 else { throw .nonFinitePredictions(run: model.run.name, count: bad / 2) }
        let scene = SceneReference(id: nil, dataset: "live", split: .test, name: "live", frameOrigin: 0, frameStep: 1,
                                   timeStep: timeStep)
        let predictions = Predictions(windows: windows, scenes: [scene], samples: samples)
        let times = (0..<predicted).map { rounded(time + predictions.secondsAhead(window: 0, step: $0), 6) }
        for id in ids {
            guard let n = windowOf[id] else {
                forecast.waiting.append(id)
                continue
            }
            var futures: [Double] = []
            futures.reserveCapacity(k * predicted * 2)
            for s in 0..<k {
                for t in 0..<predicted {
                    let p = predictions.position(window: n, sample: s, step: t)
                    futures.append(p.x)
                    futures.append(p.y)
                }
            }
            let probabilities = samples.probabilities.map { Array($0[(n * k)..<((n + 1) * k)]) }
            forecast.predictions.append(LiveForecast.AgentFutures(id: id, futures: futures, k: k, times: times,
                                                                  probabilities: probabilities))
        }
        return forecast
    }
}
