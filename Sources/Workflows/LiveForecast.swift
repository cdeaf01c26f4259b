// The answer of live prediction at one time: for each agent asked about that has the model's
// observed steps, k futures in absolute meters with their times (and probabilities when the model
// ranks its futures); the others are listed as waiting. One line of `trajpred stream`, one body of
// the HTTP service:
// {"time": 12.4, "predictions": [{"id": "7", "futures": [[[x, y], …], …], "times": [12.8, …],
//  "probabilities": […]}], "waiting": ["9"]}
// Legend: K futures, P predicted steps.
import Foundation

public struct LiveForecast: Sendable, Equatable {
    public struct AgentFutures: Sendable, Equatable {
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
    }

    /// Seconds, the time predicted from.
    public var time: Double
    public var predictions: [AgentFutures]
    /// Agents asked about without the model's observed steps yet (or with a gap among them).
    public var waiting: [String]
}

extension LiveForecast {
    /// The answer as one line of JSON, keys sorted (as `LiveJSON.encode` writes them), positions to
    /// 0.1 mm, probabilities and times to 10⁻⁶. Written here rather than by JSONEncoder, which took
    /// about 1.5 µs per number: 37 ms per frame of 50 agents × 20 futures × 12 steps (release build,
    /// measured), against ~1 ms here.
    public var json: Data {
        var out = JSONBytes()
        out.reserve(predictions.count * (predictions.first.map { $0.futures.count * 9 + 256 } ?? 0) + 64)
        out.append("{\"predictions\":[")
        for (i, prediction) in predictions.enumerated() {
            if i > 0 { out.append(",") }
            out.append("{\"futures\":[")
            for s in 0..<prediction.k {
                out.append(s == 0 ? "[" : ",[")
                for t in 0..<prediction.predicted {
                    let p = prediction.position(future: s, step: t)
                    out.append(t == 0 ? "[" : ",[")
                    out.number(p.x, decimals: 4)
                    out.append(",")
                    out.number(p.y, decimals: 4)
                    out.append("]")
                }
                out.append("]")
            }
            out.append("],\"id\":")
            out.string(prediction.id)
            if let probabilities = prediction.probabilities {
                out.append(",\"probabilities\":")
                out.numbers(probabilities.map(Double.init), decimals: 6)
            }
            out.append(",\"times\":")
            out.numbers(prediction.times, decimals: 6)
            out.append("}")
        }
        out.append("],\"time\":")
        out.number(time, decimals: 6)
        out.append(",\"waiting\":[")
        for (i, id) in waiting.enumerated() {
            if i > 0 { out.append(",") }
            out.string(id)
        }
        out.append("]}")
        return Data(out.bytes)
    }
}

/// Bytes of JSON written in order: punctuation, escaped strings, numbers rounded to some decimals.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes += $0 }
    }

    /// A JSON string: quotes, backslashes and control characters escaped (RFC 8259 §7).
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let scales: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    mutating func numbers(_ values: [Double], decimals: Int) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            number(value, decimals: decimals)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `value` rounded to `decimals` (at most 9) without trailing zeros: 12.4, -0.0311, 3; beyond
    /// 9·10¹⁵ units Swift's shortest form; null if not finite (never written by live prediction,
    /// which refuses non-finite futures).
    mutating func number(_ value: Double, decimals: Int) {
        let scale = Self.scales[decimals]
        let scaled = (value * scale).rounded()
        guard value.isFinite else { return append("null") }
        guard abs(scaled) < 9e15 else { return bytes += Array("\(value)".utf8) }
        // Digits straight into the bytes (no String per number: this writes most of an answer).
        var units = Int64(scaled)
        if units < 0 {
            bytes.append(UInt8(ascii: "-"))
            units = -units
        }
        let divisor = Int64(scale)
        digits(UInt64(units / divisor), count: 1)
        var fraction = UInt64(units % divisor), places = decimals
        guard fraction > 0 else { return }
        while fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        bytes.append(UInt8(ascii: "."))
        digits(fraction, count: places)
    }

    /// The decimal digits of `value`, at least `count` of them (leading zeros): written backwards
    /// into a stack buffer, then appended in order (reversing a slice of `bytes` copied it).
    private mutating func digits(_ value: UInt64, count: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var rest = value, first = 24
            repeat {
                first -= 1
                buffer[first] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || 24 - first < min(count, 20)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[first..<24]))
        }
    }
}
