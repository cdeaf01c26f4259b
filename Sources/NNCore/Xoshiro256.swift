// The one source of randomness in trajpred: xoshiro256** (Blackman & Vigna 2018), seeded through
// SplitMix64, with uniform and standard-normal draws. Passed explicitly (`using: &rng`); its
// state is four words, saved with checkpoints so a resumed run draws what it would have drawn.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded, reproducible generator: same seed, same sequence, on every machine.
public struct Xoshiro256: RandomNumberGenerator, Equatable, Sendable {
    /// The four state words (never all zero).
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state with four outputs of SplitMix64 started at `seed`, as the xoshiro authors advise.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from saved state words; nil if they are all zero (not a valid state).
    public init?(state words: [UInt64]) {
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as four words, for a checkpoint.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool { a.stateWords == b.stateWords }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits (every Float in the grid k / 2^24 equally likely).
    public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal draw, N(0, 1), by the ziggurat method with 128 layers in Doornik's ZIGNOR
    /// form (2005): the layer index and the uniform come from disjoint bits of one 64-bit output,
    /// so 99 % of draws cost one `next()`, a table lookup and a multiply; the rest use exact
    /// rejection and the tail beyond R by Marsaglia's method.
    public mutating func normal() -> Float {
        Float(normalDouble())
    }

    /// A standard normal draw in Double precision (see `normal()`).
    public mutating func normalDouble() -> Double {
        let table = Ziggurat.shared
        return table.x.withUnsafeBufferPointer { x in
            table.ratio.withUnsafeBufferPointer { ratio in normalDouble(x: x.baseAddress!, ratio: ratio.baseAddress!) }
        }
    }

    /// The ziggurat draw itself, on the tables' storage (so a loop of draws touches no reference count).
    @inline(__always)
    mutating func normalDouble(x: UnsafePointer<Double>, ratio: UnsafePointer<Double>) -> Double {
        while true {
            let bits = next()
            let layer = Int(bits & 0x7F)
            let u = Double(bits >> 11) * 0x1p-52 - 1  // in [−1, 1)
            if abs(u) < ratio[layer] { return u * x[layer] }
            if layer == 0 {
                // The tail beyond R (Marsaglia 1964).
                var tailX = 0.0, tailY = 0.0
                repeat {
                    tailX = log(1 - uniformDouble()) / Ziggurat.r
                    tailY = log(1 - uniformDouble())
                } while -2 * tailY < tailX * tailX
                return u < 0 ? tailX - Ziggurat.r : Ziggurat.r - tailX
            }
            let candidate = u * x[layer]
            let f0 = exp(-0.5 * (x[layer] * x[layer] - candidate * candidate))
            let f1 = exp(-0.5 * (x[layer + 1] * x[layer + 1] - candidate * candidate))
            if f1 + uniformDouble() * (f0 - f1) < 1 { return candidate }
        }
    }

    /// Fills `buffer` with N(0, 1) draws, the same values as as many `normal()` calls.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let table = Ziggurat.shared
        table.x.withUnsafeBufferPointer { x in
            table.ratio.withUnsafeBufferPointer { ratio in
                for i in buffer.indices {
                    buffer[i] = Float(normalDouble(x: x.baseAddress!, ratio: ratio.baseAddress!))
                }
            }
        }
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift, unbiased by rejection).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Shuffles `array` in place (Fisher–Yates). Inlinable, so it is specialised where it is used:
    /// unspecialised, each generic swap allocated two temporaries (40,000 mallocs per epoch of 20,000).
    @inlinable
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// The ziggurat's layer edges x[0…128] and the ratios x[i+1]/x[i] (Doornik's ZIGNOR tables).
struct Ziggurat: Sendable {
    static let layers = 128
    /// Where the tail starts.
    static let r = 3.442619855899
    /// The area of each layer.
    static let v = 9.91256303526217e-3
    static let shared = Ziggurat()

    let x: [Double]
    let ratio: [Double]

    init() {
        var x = [Double](repeating: 0, count: Self.layers + 1)
        var f = exp(-0.5 * Self.r * Self.r)
        x[0] = Self.v / f
        x[1] = Self.r
        for i in 2..<Self.layers {
            x[i] = (-2 * log(Self.v / x[i - 1] + f)).squareRoot()
            f = exp(-0.5 * x[i] * x[i])
        }
        x[Self.layers] = 0
        self.x = x
        ratio = (0..<Self.layers).map { x[$0 + 1] / x[$0] }
    }
}
