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

    /// A standard normal draw, N(0, 1), by the Box–Muller transform on two 53-bit uniforms.
    /// One draw per call (the second value is discarded) so the state alone determines the future.
    public mutating func normal() -> Float {
        let u1 = 1 - uniformDouble()  // (0, 1]: log is finite
        let u2 = uniformDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Fills `buffer` with N(0, 1) draws.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] = normal() }
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

    /// Shuffles `array` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }
}

@inline(__always)
private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
