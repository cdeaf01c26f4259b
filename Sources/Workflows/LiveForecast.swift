// The answer of live prediction at one time: for each agent asked about that has the model's
// observed steps, k futures in absolute meters with their times (and probabilities when the model
// ranks its futures); the others are listed as waiting. One line of `trajpred stream`, one body of
// the HTTP service:
// {"time": 12.4, "predictions": [{"id": "7", "futures": [[[x, y], …], …], "times": [12.8, …],
//  "probabilities": […]}], "waiting": ["9"]}
// Legend: K futures, P predicted steps.

public struct LiveForecast: Encodable, Sendable, Equatable {
    public struct AgentFutures: Encodable, Sendable, Equatable {
        public var id: String
        /// (K, P, 2), meters; written rounded to 0.1 mm (as `sample` writes them).
        public var futures: [Double]
        public var k: Int
        /// (P): seconds of each future step, on the tracker's clock.
        public var times: [Double]
        /// (K): each future's probability, most probable first; nil for a sampler.
        public var probabilities: [Float]?

        public var predicted: Int { times.count }

        /// Step t of future s.
        public func position(future s: Int, step t: Int) -> SIMD2<Double> {
            let i = (s * predicted + t) * 2
            return SIMD2(futures[i], futures[i + 1])
        }

        enum CodingKeys: String, CodingKey { case id, futures, times, probabilities }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            var all = c.nestedUnkeyedContainer(forKey: .futures)
            for s in 0..<k {
                var future = all.nestedUnkeyedContainer()
                for t in 0..<predicted {
                    let p = position(future: s, step: t)
                    var point = future.nestedUnkeyedContainer()
                    try point.encode(rounded(p.x, 4))
                    try point.encode(rounded(p.y, 4))
                }
            }
            try c.encode(times, forKey: .times)
            try c.encodeIfPresent(probabilities.map { $0.map { rounded(Double($0), 6) } }, forKey: .probabilities)
        }
    }

    /// Seconds, the time predicted from.
    public var time: Double
    public var predictions: [AgentFutures]
    /// Agents asked about without the model's observed steps yet (or with a gap among them).
    public var waiting: [String]
}
