// Windows of store selections (DATASET[/SPLIT[/SCENE]]) with the scenes they come from: a
// window's scene index is its position in `scenes`, whose `id` is the scene's one identity in
// the store. Each scene's context (everyone, by step) is kept once in the window set.
import TrajectoryData
import TrajectoryStore

/// The longest observed step (meters per step) a model is shown: longer ones are tracking glitches
/// (ETH/UCY's longest is 2.6 m per 0.4 s step) and are shortened to this before any model reads
/// them (`WindowSet.capObservedSteps`). Futures, and so every metric's truth, are never changed.
public let maximumObservedStep: Float = 4

public struct SceneWindows: Sendable {
    public var windows: WindowSet
    /// Windows whose observed steps were shortened (glitches).
    public var cappedWindows = 0
    /// Windows left out because their future has a step longer than `maximumObservedStep` (training
    /// windows only, `loadForTraining`).
    public var leftOutWindows = 0
    /// The scenes, in the order of the windows' scene index.
    public var scenes: [SceneReference]

    /// Every window of the scenes of `selections` (a scene named twice is loaded once).
    public static func load(_ store: Store, selections: [String], observed: Int, predicted: Int) throws -> SceneWindows {
        var scenes: [SceneReference] = []
        for selection in selections {
            for scene in try store.scenes(selection: selection) where !scenes.contains(where: { $0.id == scene.id }) {
                scenes.append(scene)
            }
        }
        // One scene's tracks at a time: the windows keep their positions, the tracks go.
        var windows = WindowSet(observed: observed, predicted: predicted)
        windows.reserveCapacity(positions: try store.positionCount(of: scenes))
        for (index, scene) in scenes.enumerated() { windows.add(try store.tracks(of: scene), scene: index) }
        let capped = windows.capObservedSteps(at: maximumObservedStep)
        return SceneWindows(windows: windows, cappedWindows: capped, scenes: scenes)
    }

    /// The windows a model trains on: those of `load` but the ones whose future jumps farther than
    /// `maximumObservedStep` in a step (a tracking glitch: a model taught to follow it, or a loss
    /// on a 10 km error, is worth nothing; the CVAE's squared error overflowed). Their count is
    /// `leftOutWindows`. Evaluations keep every window: there the future is the truth.
    public static func loadForTraining(_ store: Store, selections: [String], observed: Int, predicted: Int) throws
        -> SceneWindows
    {
        var loaded = try load(store, selections: selections, observed: observed, predicted: predicted)
        let windows = loaded.windows
        loaded.leftOutWindows = loaded.windows.removeWindows { windows.longestFutureStep($0) > maximumObservedStep }
        return loaded
    }
}
