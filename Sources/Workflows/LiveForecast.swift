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
        // Room for the whole answer at once: a number and its punctuation take at most 24 bytes (Swift's
        // shortest form beyond 9·10¹⁵ units may take more: the buffer grows), an id 6 per byte escaped.
        var room = 64
        for prediction in predictions {
            let numbers = prediction.k * prediction.predicted * 2 + (prediction.probabilities?.count ?? 0) + prediction.times.count
            room += 24 * numbers + 6 * prediction.id.utf8.count + 64
        }
        for id in waiting { room += 6 * id.utf8.count + 4 }
        var out = JSONBytes(capacity: room)
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
                out.numbers(probabilities.lazy.map(Double.init), decimals: 6)
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
        return out.data()
    }
}

/// Bytes of JSON written in order: punctuation, escaped strings, numbers rounded to some decimals.
/// Written straight into one buffer (grown when a write would not fit: an answer's writer sizes it
/// once), a byte or two digits at a time: appending slices to an array took a sixth of a live answer's time.
struct JSONBytes: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The bytes written, as Data.
    consuming func data() -> Data { Data(bytes: base, count: count) }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let larger = max(needed, 2 * capacity)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        (base, capacity) = (moved, larger)
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        reserve(1)
        base[count] = value
        count += 1
    }

    mutating func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        reserve(length)
        (base + count).update(from: text.utf8Start, count: length)
        count += length
    }

    /// A JSON string: quotes, backslashes and control characters escaped (RFC 8259 §7).
    mutating func string(_ text: String) {
        reserve(text.utf8.count * 6 + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        let hex: StaticString = "0123456789abcdef"
        for value in text.utf8 {
            switch value {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                base[count] = UInt8(ascii: "\\")
                base[count + 1] = value
                count += 2
            case 0..<0x20:
                for (i, escaped) in [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                     hex.utf8Start[Int(value >> 4)], hex.utf8Start[Int(value & 15)]].enumerated() {
                    base[count + i] = escaped
                }
                count += 6
            default:
                base[count] = value
                count += 1
            }
        }
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    mutating func numbers<Values: Sequence<Double>>(_ values: Values, decimals: Int) {
        byte(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            number(value, decimals: decimals)
        }
        byte(UInt8(ascii: "]"))
    }

    /// `value` rounded to `decimals` (at most 9) without trailing zeros: 12.4, -0.0311, 3; beyond
    /// 9·10¹⁵ units Swift's shortest form; null if not finite (never written by live prediction,
    /// which refuses non-finite futures).
    mutating func number(_ value: Double, decimals: Int) {
        precondition((0...9).contains(decimals), "at most 9 decimals")
        // The answers' two precisions get their own copy, whose divisions by a constant are multiplications.
        switch decimals {
        case 4: fixed(value, decimals: 4, scale: 10_000)
        case 6: fixed(value, decimals: 6, scale: 1_000_000)
        default: fixed(value, decimals: decimals, scale: (0..<decimals).reduce(1) { power, _ in power * 10 })
        }
    }

    @inline(__always)
    private mutating func fixed(_ value: Double, decimals: Int, scale: UInt64) {
        let scaled = (value * Double(scale)).rounded()
        guard value.isFinite else { return append("null") }
        guard abs(scaled) < 9e15 else {
            for value in "\(value)".utf8 { byte(value) }
            return
        }
        // A sign, at most 17 digits and the point.
        reserve(32)
        var units: UInt64
        if scaled < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
            units = UInt64(-scaled)
        } else {
            units = UInt64(scaled)
        }
        digits(units / scale, count: 1)
        units %= scale
        guard units > 0 else { return }
        var places = decimals
        while units % 10 == 0 {
            units /= 10
            places -= 1
        }
        base[count] = UInt8(ascii: ".")
        count += 1
        digits(units, count: places)
    }

    /// "00" to "99": two digits at a time.
    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// The decimal digits of `value`, at least `count` of them (leading zeros), written in place
    /// from the last, two at a time: room for them is reserved by `fixed`.
    @inline(__always)
    private mutating func digits(_ value: UInt64, count minimum: Int) {
        var length = 1, power: UInt64 = 10
        while length < 20, value >= power {
            length += 1
            power = power &* 10
        }
        length = max(length, minimum)
        let pairs = Self.digitPairs.utf8Start
        var remaining = value, i = count + length
        while remaining >= 100 {
            let pair = Int(remaining % 100) * 2
            remaining /= 100
            i -= 2
            (base[i], base[i + 1]) = (pairs[pair], pairs[pair + 1])
        }
        if remaining >= 10 {
            i -= 2
            (base[i], base[i + 1]) = (pairs[Int(remaining) * 2], pairs[Int(remaining) * 2 + 1])
        } else {
            i -= 1
            base[i] = UInt8(ascii: "0") + UInt8(remaining)
        }
        while i > count {
            i -= 1
            base[i] = UInt8(ascii: "0")
        }
        count += length
    }
}
