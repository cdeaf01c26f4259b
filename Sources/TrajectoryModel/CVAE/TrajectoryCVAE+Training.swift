// The training pass of the CVAE: forward through q(z|x,y), the decoder and the prior, the loss,
// and the backward pass into the flat gradient buffer. Buffers live in a Workspace allocated once
// per batch capacity; nothing is allocated per step.
// Legend: B batch, H hidden, Z latent, P predicted steps.
import NNCore
import TrajectoryData

extension TrajectoryCVAE {
    /// Activations and gradients for batches of up to `capacity` windows.
    public final class Workspace {
        public let capacity: Int
        let configuration: CVAEConfiguration
        /// Encoder input: (2T, B) or (T, 4, B); the target y (2P, B).
        public var x: [Float], y: [Float]
        /// ε for the reparameterisation, (Z, B): fill before `lossAndGradients`.
        public var epsilon: [Float]
        var encoderHidden: [Float]          // mlp: first encoder layer (H, B)
        var postInput: [Float]              // [h; ReLU(fut_enc y)] (2H, B)
        var postHidden: [Float]             // (H, B)
        var muQ: [Float], logVarianceQ: [Float], sigmaQ: [Float]   // (Z, B)
        var priorHidden: [Float]            // (H, B)
        var muP: [Float], logVarianceP: [Float]                    // (Z, B)
        var decoderInput: [Float]           // [h; z] (H+Z, B)
        var decoder1Out: [Float], decoder2Out: [Float]             // (H, B)
        public var prediction: [Float]      // (2P, B)
        // Gradients.
        var dPrediction: [Float], dDecoder2: [Float], dDecoder1: [Float], dDecoderInput: [Float]
        var dMuQ: [Float], dLogVarianceQ: [Float], dMuP: [Float], dLogVarianceP: [Float]
        var dPostHidden: [Float], dPostInput: [Float], dPriorHidden: [Float], dEncoderHidden: [Float]
        var gruCache: GRU.Cache?

        public init(_ model: TrajectoryCVAE, capacity: Int) {
            let c = model.configuration, h = c.hidden, z = c.latent, b = capacity
            self.capacity = capacity
            configuration = c
            func buffer(_ rows: Int) -> [Float] { [Float](repeating: 0, count: rows * b) }
            x = buffer(c.pastSize)
            y = buffer(c.futureSize)
            epsilon = buffer(z)
            encoderHidden = buffer(h)
            postInput = buffer(2 * h)
            postHidden = buffer(h)
            (muQ, logVarianceQ, sigmaQ, muP, logVarianceP) = (buffer(z), buffer(z), buffer(z), buffer(z), buffer(z))
            priorHidden = buffer(h)
            decoderInput = buffer(h + z)
            (decoder1Out, decoder2Out) = (buffer(h), buffer(h))
            prediction = buffer(c.futureSize)
            dPrediction = buffer(c.futureSize)
            (dDecoder2, dDecoder1, dDecoderInput) = (buffer(h), buffer(h), buffer(h + z))
            (dMuQ, dLogVarianceQ, dMuP, dLogVarianceP) = (buffer(z), buffer(z), buffer(z), buffer(z))
            (dPostHidden, dPostInput, dPriorHidden, dEncoderHidden) = (buffer(h), buffer(2 * h), buffer(h), buffer(h))
            if let gru = model.gru { gruCache = GRU.Cache(gru: gru, steps: c.observed, batch: capacity) }
        }
    }

    /// The past encoder's input for windows `indices`: positions (2T, B) for mlp, per step
    /// (x, y, dx, dy) (T, 4, B) for gru; observed steps only.
    public func pastFeatures(_ windows: WindowSet, _ indices: ArraySlice<Int>, angles: UnsafePointer<Float>? = nil,
                             mirror: UnsafePointer<Float>? = nil, into x: UnsafeMutablePointer<Float>) {
        switch configuration.encoder {
        case .mlp: Features.positions(windows, indices, angles: angles, mirror: mirror, into: x)
        case .gru: Features.positionsAndDifferences(windows, indices, angles: angles, mirror: mirror, into: x)
        }
    }

    /// The batch's features and target, ε from `rng`, then `lossAndGradients` with β of `epoch`.
    public mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace w: Workspace,
                                      using rng: inout Xoshiro256, share: Float) -> Loss {
        let b = batch.count
        pastFeatures(batch.windows, batch.indices, angles: batch.angles, mirror: batch.mirror, into: &w.x)
        Features.future(batch.windows, batch.indices, angles: batch.angles, mirror: batch.mirror, into: &w.y)
        w.epsilon.withUnsafeMutableBufferPointer {
            rng.fillNormal(UnsafeMutableBufferPointer(rebasing: $0[0..<(configuration.latent * b)]))
        }
        return lossAndGradients(batch: b, beta: configuration.beta(epoch: epoch), workspace: w, share: share)
    }

    /// h = enc(x) into the top H rows of `postInput` (B columns). For `inference`, one window's GRU
    /// runs on transposed weights, made once per set of parameters.
    func encodePast(batch b: Int, workspace w: Workspace, inference: Bool = false) {
        let p = parameters.values
        if let encoder1, let encoder2 {
            encoder1.forward(w.x, batch: b, parameters: p, output: &w.encoderHidden, activation: .relu)
            encoder2.forward(w.encoderHidden, batch: b, parameters: p, output: &w.postInput, activation: .relu)
        } else if let gru {
            // The GRU cache's layout depends on the batch: a different (last, partial) batch gets its own.
            if w.gruCache?.batch != b { w.gruCache = GRU.Cache(gru: gru, steps: configuration.observed, batch: b) }
            let cache = w.gruCache!
            if inference, b == 1 {
                let transposed = DerivedWeights.shared.gruTransposed(version: version) {
                    p.withUnsafeBufferPointer { gru.transposedWeights(parameters: $0.baseAddress!) }
                }
                transposed.withUnsafeBufferPointer {
                    gru.forward(w.x, parameters: p, cache: cache, transposed: $0.baseAddress!)
                }
            } else {
                gru.forward(w.x, parameters: p, cache: cache)
            }
            let hb = configuration.hidden * b
            w.postInput.withUnsafeMutableBufferPointer { target in
                cache.hidden.withUnsafeBufferPointer { hidden in
                    target.baseAddress!.update(from: hidden.baseAddress! + configuration.observed * hb, count: hb)
                }
            }
        }
    }

    /// The loss of the batch in `workspace` (x, y and ε filled for `batch` windows) and its gradients,
    /// written over the previous ones (every layer's first contribution writes, so there is no
    /// zeroing pass). β weighs the KL term. `share` scales the gradients:
    /// a part of n windows of a batch of N passes n / N, so the parts' gradients add up to the batch's.
    public mutating func lossAndGradients(batch b: Int, beta: Float, workspace w: Workspace, share: Float = 1) -> Loss {
        precondition(b <= w.capacity, "batch larger than the workspace")
        let h = configuration.hidden, z = configuration.latent, hb = h * b, zb = z * b
        let out = configuration.futureSize * b
        let p = parameters.values

        // Forward: h, then q(z | x, y).
        encodePast(batch: b, workspace: w)
        w.postInput.withUnsafeMutableBufferPointer { postInput in
            futureEncoder.forward(w.y, batch: b, parameters: p, output: postInput.baseAddress! + hb, activation: .relu)
        }
        posterior.forward(w.postInput, batch: b, parameters: p, output: &w.postHidden, activation: .relu)
        posteriorMu.forward(w.postHidden, batch: b, parameters: p, output: &w.muQ)
        posteriorLogVariance.forward(w.postHidden, batch: b, parameters: p, output: &w.logVarianceQ)
        // p(z | x).
        prior.forward(w.postInput, batch: b, parameters: p, output: &w.priorHidden, activation: .relu)
        priorMu.forward(w.priorHidden, batch: b, parameters: p, output: &w.muP)
        priorLogVariance.forward(w.priorHidden, batch: b, parameters: p, output: &w.logVarianceP)
        // z ~ q, decoder input [h; z].
        w.decoderInput.withUnsafeMutableBufferPointer { decoderInput in
            let base = decoderInput.baseAddress!
            w.postInput.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: hb) }
            reparameterize(mu: w.muQ, logVariance: w.logVarianceQ, epsilon: w.epsilon, count: zb, base + hb,
                           standardDeviation: &w.sigmaQ)
        }
        decoder1.forward(w.decoderInput, batch: b, parameters: p, output: &w.decoder1Out, activation: .relu)
        decoder2.forward(w.decoder1Out, batch: b, parameters: p, output: &w.decoder2Out, activation: .relu)
        decoder3.forward(w.decoder2Out, batch: b, parameters: p, output: &w.prediction)
        let reconstruction = mseLoss(w.prediction, w.y, count: out)
        let kl = klGaussians(muQ: w.muQ, logVarianceQ: w.logVarianceQ, muP: w.muP, logVarianceP: w.logVarianceP,
                             latent: z, batch: b)

        // Backward: the decoder.
        zero(&w.dPrediction, out)
        mseLossBackward(w.prediction, w.y, count: out, scale: share, &w.dPrediction)
        decoder3.backward(w.dPrediction, input: w.decoder2Out, batch: b, parameters: p,
                          gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: &w.dDecoder2,
                          inputGradients: .overwrite, inputMask: w.decoder2Out)
        decoder2.backward(w.dDecoder2, input: w.decoder1Out, batch: b, parameters: p,
                          gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: &w.dDecoder1,
                          inputGradients: .overwrite, inputMask: w.decoder1Out)
        decoder1.backward(w.dDecoder1, input: w.decoderInput, batch: b, parameters: p,
                          gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: &w.dDecoderInput,
                          inputGradients: .overwrite)
        // The latent: dz through the reparameterisation, and β·KL(q ‖ p).
        zero(&w.dMuQ, zb); zero(&w.dLogVarianceQ, zb); zero(&w.dMuP, zb); zero(&w.dLogVarianceP, zb)
        w.dDecoderInput.withUnsafeBufferPointer { dInput in
            reparameterizeBackward(dInput.baseAddress! + hb, epsilon: w.epsilon, standardDeviation: w.sigmaQ, count: zb,
                                   dMu: &w.dMuQ, dLogVariance: &w.dLogVarianceQ)
        }
        klGaussiansBackward(muQ: w.muQ, logVarianceQ: w.logVarianceQ, muP: w.muP, logVarianceP: w.logVarianceP,
                            latent: z, batch: b, scale: beta * share, dMuQ: &w.dMuQ, dLogVarianceQ: &w.dLogVarianceQ,
                            dMuP: &w.dMuP, dLogVarianceP: &w.dLogVarianceP)
        // q(z | x, y) back to [h; fut].
        posteriorMu.backward(w.dMuQ, input: w.postHidden, batch: b, parameters: p, gradients: &parameters.gradients,
                             weightGradients: .overwrite, inputGradient: &w.dPostHidden, inputGradients: .overwrite)
        posteriorLogVariance.backward(w.dLogVarianceQ, input: w.postHidden, batch: b, parameters: p,
                                      gradients: &parameters.gradients, weightGradients: .overwrite,
                                      inputGradient: &w.dPostHidden, inputGradients: .accumulate, inputMask: w.postHidden)
        posterior.backward(w.dPostHidden, input: w.postInput, batch: b, parameters: p,
                           gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: &w.dPostInput,
                           inputGradients: .overwrite)
        // The future encoder: its ReLU, then its weights (y itself needs no gradient).
        w.dPostInput.withUnsafeMutableBufferPointer { dPostInput in
            w.postInput.withUnsafeBufferPointer { postInput in
                let d = dPostInput.baseAddress! + hb, out = postInput.baseAddress! + hb
                for i in 0..<hb where out[i] <= 0 { d[i] = 0 }
                futureEncoder.backward(d, input: w.y, batch: b, parameters: p, gradients: &parameters.gradients,
                                       weightGradients: .overwrite, inputGradient: nil)
            }
        }
        // p(z | x) back to h.
        priorMu.backward(w.dMuP, input: w.priorHidden, batch: b, parameters: p, gradients: &parameters.gradients,
                         weightGradients: .overwrite, inputGradient: &w.dPriorHidden, inputGradients: .overwrite)
        priorLogVariance.backward(w.dLogVarianceP, input: w.priorHidden, batch: b, parameters: p,
                                  gradients: &parameters.gradients, weightGradients: .overwrite,
                                  inputGradient: &w.dPriorHidden, inputGradients: .accumulate, inputMask: w.priorHidden)
        // dh = from the posterior (top of dPostInput) + from the prior + from the decoder input.
        w.dPostInput.withUnsafeMutableBufferPointer { dPostInput in
            let dh = dPostInput.baseAddress!
            prior.backward(w.dPriorHidden, input: w.postInput, batch: b, parameters: p,
                           gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: dh,
                           inputGradients: .accumulate)
            w.dDecoderInput.withUnsafeBufferPointer { dDecoder in
                for i in 0..<hb { dh[i] += dDecoder[i] }
            }
            // The past encoder.
            if let encoder1, let encoder2 {
                w.postInput.withUnsafeBufferPointer { hOut in
                    for i in 0..<hb where hOut[i] <= 0 { dh[i] = 0 }
                }
                encoder2.backward(dh, input: w.encoderHidden, batch: b, parameters: p,
                                  gradients: &parameters.gradients, weightGradients: .overwrite,
                                  inputGradient: &w.dEncoderHidden, inputGradients: .overwrite,
                                  inputMask: w.encoderHidden)
                encoder1.backward(w.dEncoderHidden, input: w.x, batch: b, parameters: p,
                                  gradients: &parameters.gradients, weightGradients: .overwrite, inputGradient: nil)
            } else if let gru, let cache = w.gruCache {
                gru.backward(finalGradient: dh, input: w.x, parameters: p, gradients: &parameters.gradients,
                             weightGradients: .overwrite, cache: cache, inputGradient: nil)
            }
        }
        return Loss(total: reconstruction + Double(beta) * kl, reconstruction: reconstruction, kl: kl)
    }
}

@inline(__always)
func zero(_ buffer: inout [Float], _ count: Int) {
    buffer.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: 0, count: count) }
}
