// `trajpred stream` without its input and output: one tracker frame (a line of JSON) in, one line
// of predictions out, or the line's error; counts and per-line latencies for the summary at the
// end. Every line's prediction draws from a generator seeded with the stream's seed, so a line's
// futures depend on the history and the seed only, never on the line's position in the stream.
import Foundation
import TrajectoryData

public struct LiveStream: Sendable {
    public let predictor: OnlinePredictor
    public private(set) var tracks: OnlineTracks
    public let k: Int
    public let seed: UInt64
    public private(set) var summary = LiveStreamSummary()

    public init(predictor: OnlinePredictor, k: Int, seed: UInt64, forget: Double) throws(WorkflowError) {
        try predictor.check(k: k)
        self.predictor = predictor
        self.k = k
        self.seed = seed
        tracks = predictor.makeTracks(forget: forget)
    }

    /// Counts a line skipped unread (one longer than a reader keeps).
    public mutating func skipUnread() {
        summary.lines += 1
        summary.skipped += 1
    }

    /// The answer to one line (without its newline), or why the line is skipped; the tracks change
    /// only for a good line.
    public mutating func process(_ line: Data) -> Result<Data, WorkflowError> {
        let clock = ContinuousClock(), start = clock.now
        summary.lines += 1
        do {
            let frame = try LiveJSON.decode(TrackerFrame.self, from: line)
            try predictor.check(k: k, agents: frame.agents.count)
            try tracks.observe(frame)
            let forecast = try predictor.predict(tracks, at: frame.time, agents: frame.agents.map(\.id), k: k, seed: seed)
            let output = forecast.json
            summary.predictions += forecast.predictions.count
            summary.agents = tracks.agentsSeen
            summary.latencies.append(Double((clock.now - start) / .microseconds(1)) / 1000)
            return .success(output)
        } catch {
            summary.skipped += 1
            return .failure(error)
        }
    }
}

/// What a stream did: lines read, lines skipped, agents seen, predictions made (one per agent and
/// line), and each answered line's time from reading to its answer.
public struct LiveStreamSummary: Sendable, Equatable {
    public var lines = 0
    public var skipped = 0
    public var agents = 0
    public var predictions = 0
    /// Milliseconds per answered line.
    public var latencies: [Double] = []

    public init() {}

    /// "120 lines (2 skipped), 148 agents, 4132 predictions; per line p50 0.41 ms, p95 …"
    public var description: String {
        var text = "\(lines) lines (\(skipped) skipped), \(agents) agents, \(predictions) predictions"
        if !latencies.isEmpty {
            let sorted = latencies.sorted()
            let parts = [50, 95, 99].map { (q: Int) -> String in
                "p\(q) " + formatted(rounded(percentile(sorted, Double(q) / 100), 3)) + " ms"
            }
            text += "; per line " + parts.joined(separator: ", ")
        }
        return text
    }
}
