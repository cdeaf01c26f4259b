// `trajpred bench serve`: the service under load on loopback, its own server in this process and
// `LoopbackClient`s on threads (no other program needed): requests per second and latency
// percentiles, closed loop (each connection sends its next request when the answer is in) or open
// loop at a fixed rate (latency from the moment a request was due, so a slow answer is not hidden
// by the requests it delays); and `stream`'s work per tracker frame, without I/O.
import Dispatch
import Foundation
import Synchronization
import Workflows

public enum ServiceBenchmark {
    /// One workload's figures: requests answered, their rate, latency percentiles in ms.
    public struct Figures: Sendable {
        public var label: String
        public var requests: Int
        public var perSecond: Double
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var mean: Double
        /// Requests whose answer was not 200.
        public var failures: Int
    }

    /// A `/v1/predict` body: `agents` walkers with 8 positions each, k futures.
    public static func predictBody(agents: Int, k: Int) -> Data {
        let paths = (0..<agents).map { (a: Int) -> ObservedPathsBody.Path in
            let (x, y) = (Double(a % 10), Double(a / 10))
            let positions: [[Double]] = (0..<8).map { (t: Int) -> [Double] in [x + Double(t) * 0.45, y + Double(t) * 0.05] }
            return ObservedPathsBody.Path(id: "p\(a)", positions: positions)
        }
        return LiveJSON.encode(ObservedPathsBody(agents: paths, k: k, seed: 0))
    }

    /// The body's Encodable form (the request type itself only decodes).
    struct ObservedPathsBody: Encodable {
        struct Path: Encodable {
            var id: String
            var positions: [[Double]]
        }
        var agents: [Path]
        var k: Int
        var seed: UInt64
    }

    /// `connections` clients each sending `body` as soon as the previous answer is in, for `seconds`.
    public static func closedLoop(_ label: String, port: Int, body: Data, connections: Int, seconds: Double) -> Figures {
        let latencies = Mutex<[Double]>([]), failures = Atomic<Int>(0)
        let clock = ContinuousClock(), start = clock.now, end = start + .milliseconds(Int(seconds * 1000))
        DispatchQueue.concurrentPerform(iterations: connections) { _ in
            guard let client = try? LoopbackClient(port: port) else { return }
            var mine: [Double] = []
            while clock.now < end {
                let sent = clock.now
                let answer = try? client.send("POST", "/v1/predict", body: body)
                if answer?.status != 200 { failures.add(1, ordering: .relaxed) }
                mine.append(milliseconds(clock.now - sent))
            }
            latencies.withLock { $0 += mine }
        }
        return figures(label, latencies.withLock { $0 }, seconds: milliseconds(clock.now - start) / 1000,
                       failures: failures.load(ordering: .relaxed))
    }

    /// One client sending `body` at `rate` per second for `seconds`, each request due at its slot.
    public static func openLoop(_ label: String, port: Int, body: Data, rate: Double, seconds: Double) -> Figures {
        var latencies: [Double] = [], failures = 0
        guard let client = try? LoopbackClient(port: port) else { return figures(label, [], seconds: seconds, failures: 1) }
        let clock = ContinuousClock(), start = clock.now
        for i in 0..<Int(rate * seconds) {
            let due = start + .microseconds(Int(Double(i) * 1e6 / rate))
            let early = due - clock.now
            if early > .zero { usleep(UInt32(early / .microseconds(1))) }
            let answer = try? client.send("POST", "/v1/predict", body: body)
            if answer?.status != 200 { failures += 1 }
            latencies.append(milliseconds(clock.now - due))
        }
        return figures(label, latencies, seconds: seconds, failures: failures)
    }

    /// `stream`'s work for `frames` tracker frames of `agents` walkers at 2.5 Hz (parse, resample,
    /// predict, encode), in this thread; the percentiles are per frame.
    public static func stream(_ label: String, predictor: OnlinePredictor, agents: Int, k: Int, frames: Int) throws -> Figures {
        var stream = try LiveStream(predictor: predictor, k: k, seed: 0, forget: 5)
        let clock = ContinuousClock(), start = clock.now
        for f in 0..<frames {
            let time = Double(f) * 0.4
            let frame = TrackerFrameBody(time: time, agents: (0..<agents).map { a in
                TrackerFrameBody.Agent(id: "p\(a)", x: Double(a % 10) + time * 1.1, y: Double(a / 10) + time * 0.1)
            })
            _ = stream.process(LiveJSON.encode(frame))
        }
        return figures(label, Array(stream.summary.latencies.dropFirst(predictor.observed)),
                       seconds: milliseconds(clock.now - start) / 1000, failures: stream.summary.skipped)
    }

    struct TrackerFrameBody: Encodable {
        struct Agent: Encodable {
            var id: String
            var x: Double
            var y: Double
        }
        var time: Double
        var agents: [Agent]
    }

    static func milliseconds(_ duration: Duration) -> Double { Double(duration / .nanoseconds(1)) / 1e6 }

    static func figures(_ label: String, _ latencies: [Double], seconds: Double, failures: Int) -> Figures {
        let sorted = latencies.sorted()
        func p(_ q: Double) -> Double { sorted.isEmpty ? .nan : percentile(sorted, q) }
        return Figures(label: label, requests: sorted.count, perSecond: Double(sorted.count) / seconds, p50: p(0.5),
                       p95: p(0.95), p99: p(0.99), mean: sorted.reduce(0, +) / Double(max(1, sorted.count)),
                       failures: failures)
    }
}
