// The notebook's VAE on 1-D targets: encoder Linear(1,20)–ReLU, heads Linear(20,2) for μ and
// log σ²; decoder Linear(2,20)–ReLU–Linear(20,20)–ReLU–Linear(20,1). Training encodes the target
// itself; evaluation decodes z ~ N(0, I). Feature-major buffers, allocated once per batch size.
// Legend: B batch; latent Z = 2.
import NNCore

/// The VAE of the 2020 notebook, with its parameters in one `ParameterSet`.
public struct ToyVAE: Sendable {
    public static let hidden = 20
    public static let latent = 2

    public var parameters = ParameterSet()
    let fc1: Linear, fc21: Linear, fc22: Linear, fc3: Linear, fc4: Linear, fc5: Linear

    /// Layers named as in the notebook (fc1, fc21, fc22, fc3, fc4, fc5), initialised as PyTorch does.
    public init(using rng: inout Xoshiro256) {
        let h = Self.hidden, z = Self.latent
        fc1 = Linear(inputSize: 1, outputSize: h, name: "fc1", in: &parameters)
        fc21 = Linear(inputSize: h, outputSize: z, name: "fc21", in: &parameters)
        fc22 = Linear(inputSize: h, outputSize: z, name: "fc22", in: &parameters)
        fc3 = Linear(inputSize: z, outputSize: h, name: "fc3", in: &parameters)
        fc4 = Linear(inputSize: h, outputSize: h, name: "fc4", in: &parameters)
        fc5 = Linear(inputSize: h, outputSize: 1, name: "fc5", in: &parameters)
        for layer in [fc1, fc21, fc22, fc3, fc4, fc5] { layer.initialize(&parameters.values, using: &rng) }
    }

    /// Activations and gradients of one batch size; reused every step.
    public final class Workspace {
        public let batch: Int
        var h1, mu, logVariance, standardDeviation, epsilon, z, h3, h4, output: [Float]
        var dOutput, dH4, dH3, dZ, dMu, dLogVariance, dH1: [Float]

        public init(batch: Int) {
            self.batch = batch
            let h = ToyVAE.hidden * batch, l = ToyVAE.latent * batch
            (h1, h3, h4, dH4, dH3, dH1) = ([Float](repeating: 0, count: h), [Float](repeating: 0, count: h),
                                           [Float](repeating: 0, count: h), [Float](repeating: 0, count: h),
                                           [Float](repeating: 0, count: h), [Float](repeating: 0, count: h))
            (mu, logVariance, epsilon, z, dZ, dMu, dLogVariance) = ([Float](repeating: 0, count: l),
                [Float](repeating: 0, count: l), [Float](repeating: 0, count: l), [Float](repeating: 0, count: l),
                [Float](repeating: 0, count: l), [Float](repeating: 0, count: l), [Float](repeating: 0, count: l))
            standardDeviation = mu
            output = [Float](repeating: 0, count: batch)
            dOutput = [Float](repeating: 0, count: batch)
        }
    }

    /// Reconstruction loss of the notebook.
    public enum Reconstruction: String, Sendable, CaseIterable {
        case mse, l1
    }

    /// The parts of one training loss.
    public struct Loss: Sendable, Equatable {
        public var total: Double
        public var reconstruction: Double
        public var kl: Double
    }

    /// Forward and backward of loss = recon(decode(z), x) + klWeight · KL(q(z|x) ‖ N(0, I)) with
    /// z = μ + ε·e^(lv/2) and ε from `workspace.epsilon` (fill it first). Gradients are zeroed, then accumulated.
    public mutating func lossAndGradients(target x: UnsafePointer<Float>, reconstruction: Reconstruction,
                                          klWeight: Float, workspace w: Workspace) -> Loss {
        let b = w.batch
        parameters.zeroGradients()
        let p = parameters.values, count = Self.latent * b
        // Forward.
        fc1.forward(x, batch: b, parameters: p, output: &w.h1, activation: .relu)
        fc21.forward(w.h1, batch: b, parameters: p, output: &w.mu)
        fc22.forward(w.h1, batch: b, parameters: p, output: &w.logVariance)
        reparameterize(mu: w.mu, logVariance: w.logVariance, epsilon: w.epsilon, count: count, &w.z,
                       standardDeviation: &w.standardDeviation)
        decode(w.z, batch: b, workspace: w)
        let recon = reconstruction == .mse ? mseLoss(w.output, x, count: b) : l1Loss(w.output, x, count: b)
        let kl = klStandardNormal(mu: w.mu, logVariance: w.logVariance, standardDeviation: w.standardDeviation,
                                  latent: Self.latent, batch: b)
        // Backward: input gradients are overwritten, and each ReLU's backward is fused into the
        // product that computes the gradient of its output (the mask is the ReLU's output).
        zero(&w.dOutput); zero(&w.dMu); zero(&w.dLogVariance)
        if reconstruction == .mse {
            mseLossBackward(w.output, x, count: b, &w.dOutput)
        } else {
            l1LossBackward(w.output, x, count: b, &w.dOutput)
        }
        fc5.backward(w.dOutput, input: w.h4, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: &w.dH4,
                     inputGradients: .overwrite, inputMask: w.h4)
        fc4.backward(w.dH4, input: w.h3, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: &w.dH3,
                     inputGradients: .overwrite, inputMask: w.h3)
        fc3.backward(w.dH3, input: w.z, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: &w.dZ,
                     inputGradients: .overwrite)
        reparameterizeBackward(w.dZ, epsilon: w.epsilon, standardDeviation: w.standardDeviation, count: count,
                               dMu: &w.dMu, dLogVariance: &w.dLogVariance)
        klStandardNormalBackward(mu: w.mu, standardDeviation: w.standardDeviation, latent: Self.latent, batch: b,
                                 scale: klWeight, dMu: &w.dMu, dLogVariance: &w.dLogVariance)
        fc21.backward(w.dMu, input: w.h1, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: &w.dH1,
                      inputGradients: .overwrite)
        fc22.backward(w.dLogVariance, input: w.h1, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: &w.dH1,
                      inputGradients: .accumulate, inputMask: w.h1)
        fc1.backward(w.dH1, input: x, batch: b, parameters: p, gradients: &parameters.gradients, inputGradient: nil)
        return Loss(total: recon + Double(klWeight) * kl, reconstruction: recon, kl: kl)
    }

    /// p(x|z): the decoder on z (2, B) into `workspace.output` (1, B).
    func decode(_ z: UnsafePointer<Float>, batch b: Int, workspace w: Workspace) {
        let p = parameters.values
        fc3.forward(z, batch: b, parameters: p, output: &w.h3, activation: .relu)
        fc4.forward(w.h3, batch: b, parameters: p, output: &w.h4, activation: .relu)
        fc5.forward(w.h4, batch: b, parameters: p, output: &w.output)
    }

    /// Evaluation: `count` predictions decoded from z ~ N(0, I), in chunks of the workspace's batch.
    public func sample(count: Int, using rng: inout Xoshiro256, workspace w: Workspace) -> [Float] {
        var predictions = [Float](repeating: 0, count: count)
        var start = 0
        while start < count {
            let b = min(w.batch, count - start)
            w.z.withUnsafeMutableBufferPointer { rng.fillNormal(UnsafeMutableBufferPointer(rebasing: $0[0..<(Self.latent * b)])) }
            decode(w.z, batch: b, workspace: w)
            predictions.replaceSubrange(start..<(start + b), with: w.output[0..<b])
            start += b
        }
        return predictions
    }
}

@inline(__always)
func zero(_ buffer: inout [Float]) {
    buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
}
