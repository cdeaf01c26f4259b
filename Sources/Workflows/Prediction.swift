// Predicting with a trained run: which windows (everyone at a frame, one pedestrian, every window
// of a scene; from the store or from a trajectory file), their k futures, and keeping them in the
// store under a run of kind predict.
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct PredictionRequest: Sendable {
    /// Where the observed paths come from.
    public enum Source: Sendable, Equatable {
        /// A selection DATASET[/SPLIT[/SCENE]] of the store.
        case store(String)
        /// A trajectory file (ETH/UCY, CSV or ndjson), read and not stored.
        case file(String)
    }

    /// Which windows.
    public enum Target: Sendable, Equatable {
        /// Everyone whose observed steps end at this frame.
        case frame(Double)
        /// One pedestrian (id as written), at a frame or at its last one.
        case pedestrian(String, frame: Double?)
        /// Every window: every step where a pedestrian has its observed steps.
        case all
    }

    public var source: Source
    public var target: Target
    public var k: Int
    public var seed: UInt64
    /// How a `.file` source is read (format, columns, grid), as `import` reads files.
    public var reading = ImportSettings()
    /// The target's frame is a time in seconds (`--time`), matched to the nearest step as a frame is.
    public var frameIsTime = false

    public init(source: Source, target: Target, k: Int = 20, seed: UInt64 = 0) {
        (self.source, self.target, self.k, self.seed) = (source, target, k, seed)
    }

    /// The step of `scene` nearest `instant`, a frame or (with `frameIsTime`) a time in seconds.
    func step(of instant: Double, in scene: SceneReference) -> Int? {
        frameIsTime ? scene.step(ofTime: instant) : scene.step(ofFrame: instant)
    }

    /// "frame 1000", or "time 12.4 s" when `frameIsTime`.
    func instant(_ value: Double) -> String {
        frameIsTime ? "time \(formatted(value)) s" : "frame \(formatted(value))"
    }

    var sourceName: String {
        switch source {
        case let .store(selection): return selection
        case let .file(path): return path
        }
    }
}

public enum Prediction {
    /// The windows of `request` (observed steps, and the truth where the tracks have it), with
    /// their scenes and each scene's context.
    public static func windows(_ store: Store, _ request: PredictionRequest, observed: Int, predicted: Int) throws
        -> (windows: WindowSet, scenes: [SceneReference], capped: Int)
    {
        var scenes: [SceneReference] = []
        var tracks: [[Track]] = []
        switch request.source {
        case let .store(selection):
            scenes = try store.scenes(selection: selection)
            tracks = try scenes.map { try store.tracks(of: $0) }
        case let .file(path):
            let text = try TextBuffer(contentsOf: path)
            let scene = try SceneBuilder.build(try TrajectoryReader.read(text, file: path, options: request.reading.read),
                                               file: path, options: try request.reading.grid(for: path).0)
            scenes = [SceneReference(id: nil, dataset: "input", split: .test, name: ImportPlan.sceneName(path),
                                     frameOrigin: scene.frameOrigin, frameStep: scene.frameStep, timeStep: scene.timeStep,
                                     frameDecimals: scene.frameDecimals)]
            tracks = [scene.tracks]
        }
        var windows = WindowSet(observed: observed, predicted: predicted)
        for (s, scene) in scenes.enumerated() {
            windows.setContext(tracks[s], scene: s)
            for (agent, track) in tracks[s].enumerated() {
                switch request.target {
                case .all:
                    for point in track.points { windows.addObserved(track, endingAt: point.step, scene: s, agent: agent) }
                case let .frame(frame):
                    if let step = request.step(of: frame, in: scene) {
                        windows.addObserved(track, endingAt: step, scene: s, agent: agent)
                    }
                case let .pedestrian(name, frame):
                    guard track.pedestrian == name else { continue }
                    if let frame {
                        if let step = request.step(of: frame, in: scene) {
                            windows.addObserved(track, endingAt: step, scene: s, agent: agent)
                        }
                    } else if let last = track.points.last {
                        windows.addObserved(track, endingAt: last.step, scene: s, agent: agent)
                    }
                }
            }
        }
        if case let .pedestrian(name, _) = request.target, !tracks.contains(where: { $0.contains { $0.pedestrian == name } }) {
            let inStore: Bool
            if case .store = request.source { inStore = true } else { inStore = false }
            throw WorkflowError.noSuchPedestrian(name: name, data: request.sourceName, inStore: inStore)
        }
        guard windows.count > 0 else {
            let (frame, pedestrian): (Double?, String?)
            switch request.target {
            case .all: (frame, pedestrian) = (nil, nil)
            case let .frame(f): (frame, pedestrian) = (f, nil)
            case let .pedestrian(p, f): (frame, pedestrian) = (f, p)
            }
            throw WorkflowError.nothingToPredict(observed: observed, ending: frame.map(request.instant), pedestrian: pedestrian,
                                                 data: request.sourceName)
        }
        let capped = windows.capObservedSteps(at: maximumObservedStep)
        return (windows, scenes, capped)
    }

    /// k futures of every window of `request`.
    public static func predict(_ store: Store, model: TrainedModel, _ request: PredictionRequest) throws -> Predictions {
        try model.check(k: request.k)
        let (windows, scenes, capped) = try self.windows(store, request, observed: model.observed,
                                                         predicted: model.predicted)
        try model.checkTimeStep(of: scenes, store: store)
        let samples = model.sample(windows, Array(0..<windows.count)[...], k: request.k, seed: request.seed)
        return Predictions(windows: windows, scenes: scenes, samples: samples, cappedWindows: capped)
    }

    /// Keeps `predictions` (of stored scenes) in the store under a new run of kind predict whose
    /// parent is the model's run; returns that run and the number of points stored.
    public static func keep(_ predictions: Predictions, in store: Store, model: TrainedModel,
                            request: PredictionRequest, checkpoint: CheckpointRecord.Label) throws
        -> (run: RunRecord, points: Int)
    {
        let configuration = PredictionRunConfiguration(data: request.sourceName, k: request.k, seed: request.seed,
                                                       checkpoint: checkpoint)
        var agentIDs: [Int64: [String: Int64]] = [:]
        for scene in predictions.scenes { if let id = scene.id { agentIDs[id] = try store.agentIDs(scene: id) } }
        let records = predictions.records(agentIDs: agentIDs)
        let run = try store.createRun(name: nil, kind: .predict, config: try configuration.storedJSON(), parent: model.run.id)
        do {
            try store.storePredictions(run: run.id, records)
        } catch {
            try? store.setStatus(run: run.id, .failed, error: "\(error)")
            throw error
        }
        return (run, records.count)
    }
}
