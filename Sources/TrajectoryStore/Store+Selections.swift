// Choosing data by `DATASET[/SPLIT[/SCENE]]` and reading its tracks back, ordered by pedestrian
// and step, as TrajectoryData values.
import TrajectoryData

/// A scene: one found by a selection in the store, or one read from a file (then `id` is nil).
public struct SceneReference: Equatable, Sendable {
    /// The scene's id in the store; nil for a scene read from a file and not stored.
    public var id: Int64?
    public var dataset: String
    public var split: Split
    public var name: String
    public var frameOrigin: Double
    public var frameStep: Double
    public var timeStep: Double
    /// Decimals the frames are written with (nil: not short decimals); frames are shown rounded to them.
    public var frameDecimals: Int?

    public init(id: Int64?, dataset: String, split: Split, name: String, frameOrigin: Double, frameStep: Double,
                timeStep: Double, frameDecimals: Int? = nil) {
        (self.id, self.dataset, self.split, self.name) = (id, dataset, split, name)
        (self.frameOrigin, self.frameStep, self.timeStep, self.frameDecimals) =
            (frameOrigin, frameStep, timeStep, frameDecimals)
    }

    /// `dataset/split/name`.
    public var path: String { "\(dataset)/\(split.rawValue)/\(name)" }

    /// How outputs name the scene: its path in the store, or the name of the file it was read from.
    public var displayName: String { id == nil ? name : path }

    /// The frame number of `step`, as the file writes it (`12.4`, not `12.400000000000002`).
    public func frame(of step: Int) -> Double {
        let frame = frameOrigin + Double(step) * frameStep
        return frameDecimals.map { rounded(frame, decimals: $0) } ?? frame
    }

    /// The step nearest frame `frame` (every frame within half a step of a grid step matches it);
    /// nil for a frame more than 10¹² steps away or not finite.
    public func step(ofFrame frame: Double) -> Int? {
        let step = (frame - frameOrigin) / frameStep
        guard step.isFinite, abs(step) < 1e12 else { return nil }
        return Int(step.rounded())
    }

    /// The step nearest `time` seconds (the trajectory view's `time`).
    public func step(ofTime time: Double) -> Int? { step(ofFrame: time * frameStep / timeStep) }

    /// The time of `step` in seconds: its frame in seconds, as the trajectory view's `time`.
    public func time(of step: Int) -> Double { frame(of: step) * timeStep / frameStep }
}

extension Store {
    /// The scenes of `selection`, `DATASET`, `DATASET/SPLIT` or `DATASET/SPLIT/SCENE`, in name order.
    /// Unknown names and empty selections are errors that say what exists.
    public func scenes(selection: String) throws -> [SceneReference] {
        let parts = selection.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw StoreError.invalidSelection(selection: selection, reason: "write DATASET, DATASET/SPLIT or DATASET/SPLIT/SCENE")
        }
        guard try database.scalarInt("SELECT id FROM dataset WHERE name = ?1", .text(parts[0])) != nil else {
            throw StoreError.notFound(kind: "dataset", name: parts[0], known: try datasetNames())
        }
        if parts.count >= 2, Split(rawValue: parts[1]) == nil {
            throw StoreError.unknownSplit(selection: selection, split: parts[1])
        }
        let found = try database.prepare("""
            SELECT s.id, d.name, s.split, s.name, s.frame_origin, s.frame_step, s.time_step, s.frame_decimals
            FROM scene AS s JOIN dataset AS d ON d.id = s.dataset_id
            WHERE d.name = ?1 AND (?2 IS NULL OR s.split = ?2) AND (?3 IS NULL OR s.name = ?3)
            ORDER BY CASE s.split WHEN 'train' THEN 0 WHEN 'val' THEN 1 ELSE 2 END, s.name
            """).rows([.text(parts[0]), parts.count >= 2 ? .text(parts[1]) : .null, parts.count == 3 ? .text(parts[2]) : .null]) {
                SceneReference(id: $0.int(0), dataset: $0.text(1), split: Split(rawValue: $0.text(2))!, name: $0.text(3),
                               frameOrigin: $0.double(4), frameStep: $0.double(5), timeStep: $0.double(6),
                               frameDecimals: $0.isNull(7) ? nil : Int($0.int(7)))
            }
        guard !found.isEmpty else { throw StoreError.emptySelection(selection) }
        return found
    }

    /// The names of the datasets, sorted.
    public func datasetNames() throws -> [String] {
        try database.prepare("SELECT name FROM dataset ORDER BY name").rows { $0.text(0) }
    }

    /// How many positions the stored scenes have (from their agents' counts, reading no position).
    public func positionCount(of scenes: [SceneReference]) throws -> Int {
        try scenes.reduce(0) { total, scene in
            guard let id = scene.id else { throw StoreError.notFound(kind: "scene", name: scene.path) }
            return total + Int(try database.scalarInt("SELECT sum(position_count) FROM agent WHERE scene_id = ?1", .integer(id)) ?? 0)
        }
    }

    /// Every track of a stored scene, in order of first appearance, points by step.
    public func tracks(of scene: SceneReference) throws -> [Track] {
        guard let id = scene.id else { throw StoreError.notFound(kind: "scene", name: scene.path) }
        return try tracks(scene: id)
    }

    /// Every track of a scene, in order of first appearance, points by step.
    public func tracks(scene id: Int64) throws -> [Track] {
        let statement = try database.prepare("""
            SELECT a.name, p.step, p.x, p.y FROM agent AS a JOIN position AS p ON p.agent_id = a.id
            WHERE a.scene_id = ?1 ORDER BY a.id, p.step
            """)
        try statement.bind(id, at: 1)
        defer { statement.reset() }
        var tracks: [Track] = []
        while try statement.step() {
            let name = statement.text(0)
            let point = TrackPoint(step: Int(statement.int(1)), x: statement.double(2), y: statement.double(3))
            if tracks.last?.pedestrian == name {
                tracks[tracks.count - 1].points.append(point)
            } else {
                tracks.append(Track(pedestrian: name, points: [point]))
            }
        }
        return tracks
    }
}

extension Store {
    /// The frame of `dataset/split` at which the most pedestrians have `observed` steps ending there
    /// (the earliest such frame on a tie), and its scene; nil when none has.
    public func busiestFrame(dataset: String, split: Split, observed: Int) throws -> (scene: String, frame: Double)? {
        try database.prepare("""
            SELECT t.dataset || '/' || t.split || '/' || t.scene, t.frame FROM trajectory AS t
            JOIN trajectory AS p ON p.scene = t.scene AND p.pedestrian = t.pedestrian AND p.step = t.step - ?3
            WHERE t.dataset = ?1 AND t.split = ?2 GROUP BY t.scene, t.frame ORDER BY count(*) DESC, t.frame LIMIT 1
            """).rows([.text(dataset), .text(split.rawValue), .integer(Int64(observed - 1))]) { ($0.text(0), $0.double(1)) }
            .first
    }
}
