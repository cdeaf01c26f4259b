// Sampling's fast paths (the decoder's shared h-part, chunks in two lanes, the one-window GRU on
// transposed weights) against the model written out as plain loops over its named weights,
// with the same noise.
import Foundation
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

/// The CVAE's prediction for one window and given ε, as the equations read: no shared work, no kernels.
struct NaiveCVAE {
    let model: TrajectoryCVAE

    func weights(_ name: String) -> [Float] { model.parameters.tensor(name)!.data }

    /// y = W·x + b, then ReLU if asked.
    func linear(_ name: String, _ x: [Float], relu: Bool = false) -> [Float] {
        let w = weights(name + ".weight"), b = weights(name + ".bias")
        return (0..<b.count).map { i in
            var sum = Double(b[i])
            for j in 0..<x.count { sum += Double(w[i * x.count + j]) * Double(x[j]) }
            return relu ? Float(max(sum, 0)) : Float(sum)
        }
    }

    func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    /// h for one window's features x (mlp: 2T values; gru: T steps of 4).
    func encode(_ x: [Float]) -> [Float] {
        let c = model.configuration, h = c.hidden
        if c.encoder == .mlp { return linear("enc.2", linear("enc.0", x, relu: true), relu: true) }
        var state = [Float](repeating: 0, count: h)
        for t in 0..<c.observed {
            let input = Array(x[(t * 4)..<(t * 4 + 4)])
            let gi = linear("gru.ih", input), gh = linear("gru.hh", state)
            state = (0..<h).map { i in
                let r = sigmoid(Double(gi[i]) + Double(gh[i]))
                let z = sigmoid(Double(gi[h + i]) + Double(gh[h + i]))
                let n = tanh(Double(gi[2 * h + i]) + r * Double(gh[2 * h + i]))
                return Float((1 - z) * n + z * Double(state[i]))
            }
        }
        return state
    }

    /// k futures (K, 2P) of window `index`, sample s drawing its latent from ε[s].
    func predict(_ set: WindowSet, _ index: Int, epsilon: [[Float]]) -> [[Float]] {
        let c = model.configuration
        var x = [Float](repeating: 0, count: c.pastSize)
        past(set, [index], encoder: c.encoder, into: &x)
        let h = encode(x)
        let prior = linear("prior.0", h, relu: true)
        let mu = linear("prior_mu", prior), logVariance = linear("prior_lv", prior)
        return epsilon.map { eps in
            let z = (0..<c.latent).map { mu[$0] + exp(0.5 * logVariance[$0]) * eps[$0] }
            return linear("dec.4", linear("dec.2", linear("dec.0", h + z, relu: true), relu: true))
        }
    }
}

@Suite struct SamplingTests {
    /// ε as `sample` draws it: chunk c from a generator seeded by the c-th draw of the caller's,
    /// laid out (Z, chunk windows · K).
    func noise(seed: UInt64, windows: Int, chunk: Int, k: Int, latent: Int) -> [[[Float]]] {
        var rng = Xoshiro256(seed: seed)
        let starts = Array(stride(from: 0, to: windows, by: chunk))
        let seeds = starts.map { _ in rng.next() }
        var result: [[[Float]]] = []
        for (c, start) in starts.enumerated() {
            let count = min(chunk, windows - start), columns = count * k
            var generator = Xoshiro256(seed: seeds[c])
            var drawn = [Float](repeating: 0, count: latent * columns)
            drawn.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
            for window in 0..<count {
                result.append((0..<k).map { s in (0..<latent).map { drawn[$0 * columns + window * k + s] } })
            }
        }
        return result
    }

    @Test(arguments: [PastEncoder.mlp, .gru], [(40, 6), (128, 16)])
    func sampleEqualsTheEquations(encoder: PastEncoder, sizes: (hidden: Int, latent: Int)) {
        var rng = Xoshiro256(seed: 31)
        let model = TrajectoryCVAE(CVAEConfiguration(encoder: encoder, hidden: sizes.hidden, latent: sizes.latent),
                                   using: &rng)
        let naive = NaiveCVAE(model: model)
        let set = SyntheticWalks.windows(count: 70, seed: 5)
        let out = model.configuration.futureSize
        // 70 windows: two full chunks and a partial one, in two lanes; then single windows (the
        // transposed-GRU path), k = 1 and k = 3.
        for (indices, k, capacity) in [(Array(0..<70), 3, 70), ([11], 1, 1), ([64], 3, 1)] {
            let workspace = TrajectoryCVAE.SamplingWorkspace(model, windows: capacity, k: k)
            var generator = Xoshiro256(seed: 99)
            let fast = model.sample(set, indices[...], k: k, using: &generator, workspace: workspace)
            let chunk = min(TrajectoryCVAE.samplingChunk, capacity)
            let eps = noise(seed: 99, windows: indices.count, chunk: chunk, k: k, latent: sizes.latent)
            var worst: Float = 0
            for (n, index) in indices.enumerated() {
                for (s, expected) in naive.predict(set, index, epsilon: eps[n]).enumerated() {
                    for i in 0..<out {
                        worst = max(worst, abs(fast.values[(n * k + s) * out + i] - expected[i]) / max(1, abs(expected[i])))
                    }
                }
            }
            #expect(worst < 2e-5, "\(encoder) H \(sizes.hidden) windows \(indices.count) k \(k): \(worst)")
        }
    }

    @Test func transposedWeightsFollowTheParameters() {
        // A model changed after a one-window sample must not keep the first weights' transpose.
        var rng = Xoshiro256(seed: 32)
        var model = TrajectoryCVAE(CVAEConfiguration(encoder: .gru, hidden: 40, latent: 6), using: &rng)
        let set = SyntheticWalks.windows(count: 3, seed: 6)
        let workspace = TrajectoryCVAE.SamplingWorkspace(model, windows: 1, k: 2)
        var generator = Xoshiro256(seed: 1)
        let before = model.sample(set, [2], k: 2, using: &generator, workspace: workspace)
        let copy = model
        let entry = model.parameters.entry("gru.hh.weight")!
        for i in entry.range.range { model.parameters.values[i] *= 0.5 }
        generator = Xoshiro256(seed: 1)
        let after = model.sample(set, [2], k: 2, using: &generator, workspace: workspace)
        let expected = NaiveCVAE(model: model).predict(set, 2, epsilon: noise(seed: 1, windows: 1, chunk: 1, k: 2, latent: 6)[0])
        #expect(before != after)
        #expect(zip(after.values, expected.flatMap { $0 }).allSatisfy { abs($0 - $1) < 2e-5 })
        // The copy kept its own weights and still samples as before.
        generator = Xoshiro256(seed: 1)
        #expect(copy.sample(set, [2], k: 2, using: &generator, workspace: workspace) == before)
    }
}
