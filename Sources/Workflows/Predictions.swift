// Sampled futures where they happen: the windows they continue, the scenes those come from, and
// the samples. The one place that turns a sample's offset from its window's origin into absolute
// meters, and a future step into the frame and time of the scene.
// Legend: N windows, K samples, P predicted steps.
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct Predictions: Sendable {
    public let windows: WindowSet
    /// The scenes of the windows' scene indices.
    public let scenes: [SceneReference]
    public let samples: Samples
    /// Windows whose observed steps longer than `maximumObservedStep` were shortened before predicting.
    public let cappedWindows: Int

    public init(windows: WindowSet, scenes: [SceneReference], samples: Samples, cappedWindows: Int = 0) {
        precondition(samples.count == windows.count, "one set of samples per window")
        self.windows = windows
        self.scenes = scenes
        self.samples = samples
        self.cappedWindows = cappedWindows
    }

    /// Windows.
    public var count: Int { windows.count }
    public var k: Int { samples.k }
    public var predicted: Int { samples.predicted }

    public func scene(_ n: Int) -> SceneReference { scenes[windows.sources[n].scene] }
    public func pedestrian(_ n: Int) -> String { windows.sources[n].pedestrian }
    public func lastObservedStep(_ n: Int) -> Int { windows.sources[n].lastObservedStep }
    public func lastObservedFrame(_ n: Int) -> Double { scene(n).frame(of: lastObservedStep(n)) }

    /// The frame of future step t (0-based: the step after the last observed one is 0).
    public func frame(window n: Int, step t: Int) -> Double { scene(n).frame(of: lastObservedStep(n) + t + 1) }

    /// Seconds of future step t after the last observed position.
    public func secondsAhead(window n: Int, step t: Int) -> Double { Double(t + 1) * scene(n).timeStep }

    /// The time of future step t in the scene's seconds (as the trajectory view's `time`).
    public func time(window n: Int, step t: Int) -> Double { scene(n).time(of: lastObservedStep(n) + t + 1) }

    /// Sample s of window n at future step t, in the scene's meters.
    public func position(window n: Int, sample s: Int, step t: Int) -> SIMD2<Double> {
        let p = samples[window: n, sample: s, step: t]
        return windows.origins[n] + SIMD2(Double(p.x), Double(p.y))
    }

    /// The observed positions of window n, in the scene's meters.
    public func observed(_ n: Int) -> [SIMD2<Double>] {
        let relative = Array(windows.observedPositions(n)), origin = windows.origins[n]
        return (0..<windows.observed).map { origin + SIMD2(Double(relative[2 * $0]), Double(relative[2 * $0 + 1])) }
    }

    /// Every predicted point as the store keeps it, with agents' store ids from `agentIDs`
    /// (scene store id → pedestrian name → agent id).
    func records(agentIDs: [Int64: [String: Int64]]) -> [PredictionRecord] {
        var records: [PredictionRecord] = []
        records.reserveCapacity(count * k * predicted)
        for n in 0..<count {
            guard let sceneID = scene(n).id, let agent = agentIDs[sceneID]?[pedestrian(n)] else { continue }
            for s in 0..<k {
                for t in 0..<predicted {
                    let p = position(window: n, sample: s, step: t)
                    records.append(PredictionRecord(agentID: agent, lastObservedStep: lastObservedStep(n), sample: s,
                                                    step: t + 1, x: p.x, y: p.y))
                }
            }
        }
        return records
    }
}
