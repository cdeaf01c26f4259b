// The raw result of reading a trajectory file: observations in file order, with the line each
// came from, and what the reader learnt about the file. No grid, no validation across rows.

/// One (frame, pedestrian, x, y) row as read.
public struct Observation: Equatable, Sendable {
    /// The frame as written (an integer id, or seconds for a time column).
    public var frame: Double
    /// The pedestrian id as written; integral numbers are normalised (`1.0` → `1`).
    public var pedestrian: String
    /// Position in meters.
    public var x: Double
    public var y: Double
    /// 1-based line of the file.
    public var line: Int

    public init(frame: Double, pedestrian: String, x: Double, y: Double, line: Int) {
        self.frame = frame
        self.pedestrian = pedestrian
        self.x = x
        self.y = y
        self.line = line
    }
}

/// The file formats trajpred reads.
public enum TrajectoryFormat: String, CaseIterable, Sendable {
    /// ETH/UCY text: `frame ped x y`, tab or space separated, no header.
    case ethucy
    /// CSV with a header row naming the columns.
    case csv
    /// TrajNet++ ndjson: `{"scene": {...}}` and `{"track": {"f","p","x","y"}}` lines.
    case ndjson
    /// ETH `obsmat.txt`: `frame ped pos_x pos_z pos_y v_x v_z v_y`, meters, 2.5 annotations per second.
    case obsmat
    /// Stanford Drone Dataset `annotations.txt`: `track_id xmin ymin xmax ymax frame lost occluded generated "label"`.
    case sdd
}

/// What a reader returns.
public struct ParsedFile: Sendable {
    public var format: TrajectoryFormat
    /// How the reader understood the file, for the user: separator, columns used.
    public var detail: String
    public var observations: [Observation]
    /// Observations per second stated by the file itself (TrajNet++ `fps`).
    public var framesPerSecond: Double?
    /// True when the frame column holds seconds (a CSV column named `t`, `time`, `timestamp`).
    public var frameIsSeconds: Bool
    /// Seconds between two annotations of a pedestrian, stated by the format (ETH obsmat: 0.4 s),
    /// whatever the frame ids count.
    public var annotationSeconds: Double?
    /// True when positions are pixels (SDD): they need a scale or a homography.
    public var positionsArePixels: Bool
    /// Seconds per frame id, from a time column beside the frame column (a CSV with `frame` and
    /// `time`), and that column's name.
    public var secondsPerFrame: (seconds: Double, column: String)?
    /// Why a time column beside the frame column gives no seconds per frame id (its times run against
    /// the frames): refused unless the step is given (`--dt`).
    public var timeColumnProblem: String?

    public init(format: TrajectoryFormat, detail: String, observations: [Observation],
                framesPerSecond: Double? = nil, frameIsSeconds: Bool = false, annotationSeconds: Double? = nil,
                positionsArePixels: Bool = false) {
        self.format = format
        self.detail = detail
        self.observations = observations
        self.framesPerSecond = framesPerSecond
        self.frameIsSeconds = frameIsSeconds
        self.annotationSeconds = annotationSeconds
        self.positionsArePixels = positionsArePixels
    }
}
