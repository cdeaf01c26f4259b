// The notebook's deterministic regressor: Linear(1,50)–ReLU–Linear(50,1) applied to fresh
// N(0, 1) noise each call (its input is ignored). Whatever the noise, a mean loss pulls it to one
// answer: the mean of the targets under MSE, their median under L1.
// Legend: B batch.
import NNCore

public struct SimpleRegressor: Sendable {
    public static let hidden = 50

    public var parameters = ParameterSet()
    let fc1: Linear, fc2: Linear

    public init(using rng: inout Xoshiro256) {
        fc1 = Linear(inputSize: 1, outputSize: Self.hidden, name: "fc1", in: &parameters)
        fc2 = Linear(inputSize: Self.hidden, outputSize: 1, name: "fc2", in: &parameters)
        fc1.initialize(&parameters.values, using: &rng)
        fc2.initialize(&parameters.values, using: &rng)
    }

    public final class Workspace {
        public let batch: Int
        var noise, hidden, output, dOutput, dHidden: [Float]

        public init(batch: Int) {
            self.batch = batch
            noise = [Float](repeating: 0, count: batch)
            output = noise
            dOutput = noise
            hidden = [Float](repeating: 0, count: SimpleRegressor.hidden * batch)
            dHidden = hidden
        }
    }

    /// Forward on the noise in `workspace.noise` (1, B) (fill it first).
    func forward(_ w: Workspace, batch b: Int) {
        let p = parameters.values
        fc1.forward(w.noise, batch: b, parameters: p, output: &w.hidden, activation: .relu)
        fc2.forward(w.hidden, batch: b, parameters: p, output: &w.output)
    }

    /// Loss against `target` (1, B) and its gradients (zeroed, then accumulated).
    public mutating func lossAndGradients(target: UnsafePointer<Float>, reconstruction: ToyVAE.Reconstruction,
                                          workspace w: Workspace) -> Double {
        let b = w.batch
        forward(w, batch: b)
        parameters.zeroGradients()
        zero(&w.dOutput)
        let loss: Double
        if reconstruction == .mse {
            loss = mseLoss(w.output, target, count: b)
            mseLossBackward(w.output, target, count: b, &w.dOutput)
        } else {
            loss = l1Loss(w.output, target, count: b)
            l1LossBackward(w.output, target, count: b, &w.dOutput)
        }
        let p = parameters.values
        fc2.backward(w.dOutput, input: w.hidden, batch: b, parameters: p, gradients: &parameters.gradients,
                     inputGradient: &w.dHidden, inputGradients: .overwrite, inputMask: w.hidden)
        fc1.backward(w.dHidden, input: w.noise, batch: b, parameters: p, gradients: &parameters.gradients,
                     inputGradient: nil)
        return loss
    }

    /// `count` predictions on fresh noise, in chunks of the workspace's batch.
    public func sample(count: Int, using rng: inout Xoshiro256, workspace w: Workspace) -> [Float] {
        var predictions = [Float](repeating: 0, count: count)
        var start = 0
        while start < count {
            let b = min(w.batch, count - start)
            w.noise.withUnsafeMutableBufferPointer { rng.fillNormal(UnsafeMutableBufferPointer(rebasing: $0[0..<b])) }
            forward(w, batch: b)
            predictions.replaceSubrange(start..<(start + b), with: w.output[0..<b])
            start += b
        }
        return predictions
    }
}
