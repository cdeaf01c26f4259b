// Prediction: k futures per window from the learned prior p(z | x). The past is encoded and the
// prior evaluated once per window; the decoder runs on k columns per window.
// Legend: B windows in a chunk, K samples, H hidden, Z latent, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

extension TrajectoryCVAE {
    /// Buffers for sampling chunks of up to `windows` windows × `k` samples: the encoder's for the
    /// windows, and only the decoder's for the windows × k columns.
    public final class SamplingWorkspace {
        public let windows: Int
        public let k: Int
        let encoder: Workspace
        var decoderInput: [Float], decoder1Out: [Float], decoder2Out: [Float], prediction: [Float]
        var epsilon: [Float]

        public init(_ model: TrajectoryCVAE, windows: Int, k: Int) {
            let c = model.configuration, columns = windows * k
            self.windows = windows
            self.k = k
            encoder = Workspace(model, capacity: windows)
            decoderInput = [Float](repeating: 0, count: (c.hidden + c.latent) * columns)
            decoder1Out = [Float](repeating: 0, count: c.hidden * columns)
            decoder2Out = decoder1Out
            prediction = [Float](repeating: 0, count: c.futureSize * columns)
            epsilon = [Float](repeating: 0, count: c.latent * columns)
        }
    }

    /// k futures for each window of `indices`, relative to the window's last observed position:
    /// (N, K, P, 2) with N = indices.count. `scale` multiplies the prior's σ (1: sample the prior).
    public func sample(_ set: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace: SamplingWorkspace, scale: Float = 1) -> [Float] {
        precondition(k == workspace.k, "the workspace was made for k = \(workspace.k)")
        let c = configuration, h = c.hidden, z = c.latent, out = c.futureSize
        var result = [Float](repeating: 0, count: indices.count * k * out)
        var start = indices.startIndex
        while start < indices.endIndex {
            let end = min(start + workspace.windows, indices.endIndex)
            let chunk = indices[start..<end]
            let b = chunk.count, columns = b * k
            let e = workspace.encoder, d = workspace
            Features.past(set, chunk, encoder: c.encoder, into: &e.x)
            encodePast(batch: b, workspace: e)
            let p = parameters.values
            prior.forward(e.postInput, batch: b, parameters: p, output: &e.priorHidden, activation: .relu)
            priorMu.forward(e.priorHidden, batch: b, parameters: p, output: &e.muP)
            priorLogVariance.forward(e.priorHidden, batch: b, parameters: p, output: &e.logVarianceP)
            workspace.epsilon.withUnsafeMutableBufferPointer { rng.fillNormal(UnsafeMutableBufferPointer(rebasing: $0[0..<(z * columns)])) }
            // Decoder input [h; z], column b·K + s for sample s of window b.
            d.decoderInput.withUnsafeMutableBufferPointer { input in
                e.postInput.withUnsafeBufferPointer { hidden in
                    for r in 0..<h {
                        for window in 0..<b {
                            let value = hidden[r * b + window]
                            for s in 0..<k { input[r * columns + window * k + s] = value }
                        }
                    }
                }
                workspace.epsilon.withUnsafeBufferPointer { eps in
                    for r in 0..<z {
                        for window in 0..<b {
                            let mu = e.muP[r * b + window], sigma = scale * expf(0.5 * e.logVarianceP[r * b + window])
                            for s in 0..<k {
                                let column = window * k + s
                                input[(h + r) * columns + column] = mu + sigma * eps[r * columns + column]
                            }
                        }
                    }
                }
            }
            decoder1.forward(d.decoderInput, batch: columns, parameters: p, output: &d.decoder1Out, activation: .relu)
            decoder2.forward(d.decoder1Out, batch: columns, parameters: p, output: &d.decoder2Out, activation: .relu)
            decoder3.forward(d.decoder2Out, batch: columns, parameters: p, output: &d.prediction)
            // (2P, B·K) → (B, K, P, 2).
            let offset = (start - indices.startIndex) * k * out
            for row in 0..<out {
                for column in 0..<columns { result[offset + column * out + row] = d.prediction[row * columns + column] }
            }
            start = end
        }
        return result
    }
}
