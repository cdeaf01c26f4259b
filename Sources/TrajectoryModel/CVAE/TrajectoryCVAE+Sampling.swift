// Prediction: k futures per window from the learned prior p(z | x). The past is encoded and the
// prior evaluated once per window; so is the h-part of the decoder's first layer,
// W₁·[h; z] + b₁ = (W₁ₕ·h + b₁) + W₁_z·z: only the Z latent columns are multiplied per sample,
// which takes the first layer from (H+Z)·H to Z·H multiply-adds per future.
// Legend: B windows in a chunk, K samples, H hidden, Z latent, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

extension TrajectoryCVAE {
    /// Windows per sampling chunk: fixes which noise each window gets.
    public static let samplingChunk = 32

    /// The prior's log-variance is clamped to ±this when sampling (as Trajectron++ clamps its
    /// log-σ): an input unlike any in training cannot make exp(½ log σ²) explode.
    public static let logVarianceBound: Float = 8

    /// Buffers for sampling chunks of up to `windows` windows × `k` samples, in two lanes so two
    /// chunks run at once: per lane the encoder's buffers for the windows, and only the decoder's
    /// for the windows × k columns.
    public final class SamplingWorkspace: @unchecked Sendable {
        public let windows: Int
        public let k: Int
        let lanes: [Lane]

        public init(_ model: TrajectoryCVAE, windows: Int, k: Int) {
            self.windows = windows
            self.k = k
            lanes = (0..<CoreTeam.laneCount).map { _ in Lane(model, windows: min(windows, TrajectoryCVAE.samplingChunk), k: k) }
        }
    }

    /// Where sampled latents come from: the prior's noise, or K learned codes per window
    /// (z_k = μ_p + σ_p ⊙ (W_k h + c_k), `layer` mapping h to the K·Z codes).
    enum LatentSource {
        case prior
        case codes(Linear, count: Int)
    }

    final class Lane {
        /// The codes of a learned sampler (K·Z, B), when it is used.
        var codes: [Float] = []
        let encoder: Workspace
        /// W₁ₕ·h + b₁ per window (H, B); the latent columns z (Z, B·K), drawn as ε then scaled in place.
        var shared: [Float], latent: [Float]
        var decoder1Out: [Float], decoder2Out: [Float], prediction: [Float]

        init(_ model: TrajectoryCVAE, windows: Int, k: Int) {
            let c = model.configuration, columns = windows * k
            encoder = Workspace(model, capacity: windows)
            shared = [Float](repeating: 0, count: c.hidden * windows)
            latent = [Float](repeating: 0, count: c.latent * columns)
            decoder1Out = [Float](repeating: 0, count: c.hidden * columns)
            decoder2Out = decoder1Out
            prediction = [Float](repeating: 0, count: c.futureSize * columns)
        }
    }

    /// k futures for each window of `indices`, relative to the window's last observed position:
    /// (N, K, P, 2) with N = indices.count, z drawn from the prior.
    /// Chunks of `samplingChunk` windows run two at a time; chunk c draws its noise from a generator
    /// seeded by the c-th draw of `rng`, so the result depends neither on timing nor on the
    /// workspace (as long as it holds a whole chunk).
    public func sample(_ set: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace: SamplingWorkspace) -> Samples {
        sample(set, indices, k: k, using: &rng, workspace: workspace, scale: 1)
    }

    /// `sample` with the prior's σ multiplied by `scale`.
    public func sample(_ set: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace: SamplingWorkspace, scale: Float) -> Samples {
        sample(set, indices, k: k, using: &rng, workspace: workspace, scale: scale, latents: .prior)
    }

    func sample(_ set: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                workspace: SamplingWorkspace, scale: Float, latents: LatentSource) -> Samples {
        precondition(k == workspace.k, "the workspace was made for k = \(workspace.k)")
        let out = configuration.futureSize
        var result = Samples(windows: indices.count, k: k, predicted: configuration.predicted)
        // Chunks of 32 windows: the decoder's activations for 32 × k columns stay in the L2 cache
        // (one big chunk streams megabytes through memory per layer), and both lanes get work.
        let chunkSize = min(Self.samplingChunk, workspace.windows)
        let chunkStarts = Array(stride(from: indices.startIndex, to: indices.endIndex, by: chunkSize))
        let seeds = chunkStarts.map { _ in rng.next() }
        result.values.withUnsafeMutableBufferPointer { buffer in
            let target = UncheckedSendable(buffer.baseAddress!)
            var pair = 0
            while pair < chunkStarts.count {
                let lanes = min(CoreTeam.laneCount, chunkStarts.count - pair), first = pair
                let run: @Sendable (Int) -> Void = { lane in
                    let c = first + lane
                    let chunk = indices[chunkStarts[c]..<min(chunkStarts[c] + chunkSize, indices.endIndex)]
                    var generator = Xoshiro256(seed: seeds[c])
                    self.sampleChunk(set, chunk, k: k, using: &generator, lane: workspace.lanes[lane], scale: scale,
                                     latents: latents, into: target.value + (chunkStarts[c] - indices.startIndex) * k * out)
                }
                if lanes == 1 { run(0) } else { CoreTeam.shared.run(run) }
                pair += lanes
            }
        }
        return result
    }

    /// One chunk: encode, prior, decode k columns per window, write (B, K, P, 2) at `result`.
    func sampleChunk(_ set: WindowSet, _ chunk: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256, lane d: Lane,
                     scale: Float, latents: LatentSource, into result: UnsafeMutablePointer<Float>) {
        let c = configuration, z = c.latent, out = c.futureSize
        let b = chunk.count, columns = b * k
        let e = d.encoder
        pastFeatures(set, chunk, into: &e.x)
        encodePast(batch: b, workspace: e, inference: true)
        let p = parameters.values
        priorForward(batch: b, workspace: e)
        // z = μp + scale·σp·ε, column b·K + s for sample s of window b.
        if case let .codes(layer, count) = latents {
            // The first k of the window's K codes, laid out (Z, B·K) like the noise they replace.
            if d.codes.count < count * z * b { d.codes = [Float](repeating: 0, count: count * z * b) }
            layer.forward(e.postInput, batch: b, parameters: p, output: &d.codes)
            for window in 0..<b {
                for s in 0..<k {
                    for r in 0..<z { d.latent[r * columns + window * k + s] = d.codes[(s * z + r) * b + window] }
                }
            }
        }
        d.latent.withUnsafeMutableBufferPointer { latent in
            if case .prior = latents { rng.fillNormal(UnsafeMutableBufferPointer(rebasing: latent[0..<(z * columns)])) }
            for r in 0..<z {
                for window in 0..<b {
                    let logVariance = min(max(e.logVarianceP[r * b + window], -Self.logVarianceBound),
                                          Self.logVarianceBound)
                    let mu = e.muP[r * b + window], sigma = scale * expf(0.5 * logVariance)
                    for column in (window * k)..<((window + 1) * k) {
                        latent[r * columns + column] = mu + sigma * latent[r * columns + column]
                    }
                }
            }
        }
        decodeFirstLayer(past: e.postInput, windows: b, perWindow: k, latent: d.latent, shared: &d.shared,
                         output: &d.decoder1Out)
        decoder2.forward(d.decoder1Out, batch: columns, parameters: p, output: &d.decoder2Out, activation: .relu)
        decoder3.forward(d.decoder2Out, batch: columns, parameters: p, output: &d.prediction)
        // (2P, B·K) → (B, K, P, 2).
        d.prediction.withUnsafeBufferPointer { prediction in
            for row in 0..<out {
                for column in 0..<columns { result[column * out + row] = prediction[row * columns + column] }
            }
        }
    }

    /// p(z | x): μp and log σp² (Z, B) of `b` windows whose h is in the top H rows of `w.postInput`.
    func priorForward(batch b: Int, workspace w: Workspace) {
        let p = parameters.values
        prior.forward(w.postInput, batch: b, parameters: p, output: &w.priorHidden, activation: .relu)
        priorMu.forward(w.priorHidden, batch: b, parameters: p, output: &w.muP)
        priorLogVariance.forward(w.priorHidden, batch: b, parameters: p, output: &w.logVarianceP)
    }

    /// The decoder's first layer on k latent columns per window, ReLU(W₁·[h; z] + b₁) (H, B·k), column
    /// window·k + s: the h-part (and bias) once per window into `shared` (H, B), copied to its k columns,
    /// then the z-part added for every column from `latent` (Z, B·k) and the ReLU applied as the
    /// results leave the registers. `past` holds h in its first H·B values.
    func decodeFirstLayer(past: [Float], windows b: Int, perWindow k: Int, latent: [Float], shared: inout [Float],
                          output: inout [Float]) {
        let h = configuration.hidden, z = configuration.latent, columns = b * k
        parameters.values.withUnsafeBufferPointer { values in
            let weight1 = values.baseAddress! + decoder1.weight.offset
            gemmNN(transA: false, m: h, n: b, k: h, a: weight1, lda: h + z, b: past, ldb: b, c: &shared, ldc: b,
                   accumulate: false, rowBias: values.baseAddress! + decoder1.bias.offset)
            shared.withUnsafeBufferPointer { shared in
                output.withUnsafeMutableBufferPointer { out in
                    for r in 0..<h {
                        for window in 0..<b {
                            let value = shared[r * b + window]
                            for column in (window * k)..<((window + 1) * k) { out[r * columns + column] = value }
                        }
                    }
                }
            }
            gemmNN(transA: false, m: h, n: columns, k: z, a: weight1 + h, lda: h + z, b: latent, ldb: columns,
                   c: &output, ldc: columns, accumulate: true, epilogue: .relu)
        }
    }
}
