// Windows for training and evaluation from store selections (DATASET[/SPLIT[/SCENE]]).
import TrajectoryData
import TrajectoryStore

struct LoadedWindows {
    var windows: WindowSet
    var scenes: [SceneReference]
    /// The tracks of each scene, in the order of `scenes` (the windows' scene index).
    var tracks: [[Track]]
}

/// Every window of the scenes of `selections` (duplicates removed), with the scenes in window-source order.
func loadWindows(_ store: Store, selections: [String], observed: Int, predicted: Int) throws -> LoadedWindows {
    var scenes: [SceneReference] = []
    for selection in selections {
        for scene in try store.scenes(selection: selection) where !scenes.contains(where: { $0.id == scene.id }) {
            scenes.append(scene)
        }
    }
    let tracks = try scenes.map { try store.tracks(scene: $0.id) }
    var windows = WindowSet(observed: observed, predicted: predicted)
    for (index, sceneTracks) in tracks.enumerated() { windows.add(sceneTracks, scene: index) }
    return LoadedWindows(windows: windows, scenes: scenes, tracks: tracks)
}
