// NNCore against PyTorch: the same deterministic weights and inputs on both sides (see
// Golden/make_golden.py), outputs, losses, every gradient, and parameters after 10 SGD and 10
// Adam steps, all within 1e-4 relative.
import Foundation
import Testing
@testable import NNCore

/// Value k of a tensor with tag s: sin(0.731 k + s) · scale, rounded to Float (as make_golden.py).
func pattern(_ count: Int, _ tag: Double, scale: Double = 0.5) -> [Float] {
    (0..<count).map { Float(sin(0.731 * Double($0) + tag) * scale) }
}

/// Elementwise |a − b| ≤ 1e-4 · max(|b|, 1e-3 · max|b|): relative, with a floor for entries
/// a thousand times smaller than the tensor's largest.
func expectClose(_ actual: [Float], _ expected: [Float], _ what: String, tolerance: Float = 1e-4,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    let floor = 1e-3 * (expected.map { abs($0) }.max() ?? 0)
    for (i, (a, b)) in zip(actual, expected).enumerated() where abs(a - b) > tolerance * max(abs(b), floor) {
        Issue.record("\(what)[\(i)]: \(a), PyTorch \(b)", sourceLocation: sourceLocation)
        return
    }
}

/// (rows, columns) row-major → (columns, rows).
func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    Tensor(shape: [rows, columns], data: values).transposed.data
}

/// The two-layer MLP of make_golden.py: Linear(5, 7) – ReLU – Linear(7, 3).
struct GoldenMLP {
    var parameters = ParameterSet()
    let fc1: Linear, fc2: Linear
    let batch = 4
    let x: [Float]       // (5, B)
    let target: [Float]  // (3, B)

    init() {
        fc1 = Linear(inputSize: 5, outputSize: 7, name: "fc1", in: &parameters)
        fc2 = Linear(inputSize: 7, outputSize: 3, name: "fc2", in: &parameters)
        parameters.set("fc1.weight", Tensor(shape: [7, 5], data: pattern(35, 1)))
        parameters.set("fc1.bias", Tensor(shape: [7], data: pattern(7, 2)))
        parameters.set("fc2.weight", Tensor(shape: [3, 7], data: pattern(21, 3)))
        parameters.set("fc2.bias", Tensor(shape: [3], data: pattern(3, 4)))
        x = transpose(pattern(20, 5, scale: 1.5), rows: 4, columns: 5)
        target = transpose(pattern(12, 6), rows: 4, columns: 3)
    }

    /// Forward, loss, and (zeroed then accumulated) gradients; returns (output (3, B), loss, dx (5, B)).
    mutating func step(l1: Bool = false) -> (output: [Float], loss: Double, dx: [Float]) {
        var hidden = [Float](repeating: 0, count: 7 * batch), y = [Float](repeating: 0, count: 3 * batch)
        fc1.forward(x, batch: batch, parameters: parameters.values, output: &hidden)
        reluInPlace(&hidden, count: hidden.count)
        fc2.forward(hidden, batch: batch, parameters: parameters.values, output: &y)
        let loss = l1 ? l1Loss(y, target, count: y.count) : mseLoss(y, target, count: y.count)
        var dy = [Float](repeating: 0, count: y.count), dHidden = [Float](repeating: 0, count: hidden.count)
        var dx = [Float](repeating: 0, count: x.count)
        if l1 { l1LossBackward(y, target, count: y.count, &dy) } else { mseLossBackward(y, target, count: y.count, &dy) }
        parameters.zeroGradients()
        fc2.backward(dy, input: hidden, batch: batch, parameters: parameters.values, gradients: &parameters.gradients,
                     inputGradient: &dHidden)
        var dPre = [Float](repeating: 0, count: hidden.count)
        reluBackward(dHidden, output: hidden, &dPre, count: hidden.count)
        fc1.backward(dPre, input: x, batch: batch, parameters: parameters.values, gradients: &parameters.gradients,
                     inputGradient: &dx)
        return (y, loss, dx)
    }
}

@Suite struct GoldenTests {
    @Test func mlpForwardLossAndGradients() {
        var mlp = GoldenMLP()
        let (output, loss, dx) = mlp.step()
        expectClose(transpose(output, rows: 3, columns: 4), Golden.mlpOutput, "output")
        expectClose([Float(loss)], [Golden.mlpLoss], "loss")
        expectClose(mlp.parameters.gradient("fc1.weight")!.data, Golden.mlpGrad_fc1_weight, "dfc1.weight")
        expectClose(mlp.parameters.gradient("fc1.bias")!.data, Golden.mlpGrad_fc1_bias, "dfc1.bias")
        expectClose(mlp.parameters.gradient("fc2.weight")!.data, Golden.mlpGrad_fc2_weight, "dfc2.weight")
        expectClose(mlp.parameters.gradient("fc2.bias")!.data, Golden.mlpGrad_fc2_bias, "dfc2.bias")
        expectClose(transpose(dx, rows: 5, columns: 4), Golden.mlpGradInput, "dx")

        var l1 = GoldenMLP()
        let (_, l1Value, _) = l1.step(l1: true)
        expectClose([Float(l1Value)], [Golden.mlpL1Loss], "l1 loss")
        expectClose(l1.parameters.gradient("fc1.weight")!.data, Golden.mlpL1Grad_fc1_weight, "l1 dfc1.weight")
    }

    /// Ten steps of `step` on the MLP, compared with PyTorch's losses and final parameters.
    func tenSteps(_ name: String, step: (inout ParameterSet) -> Void, losses expected: [Float],
                  after: [String: [Float]]) {
        var mlp = GoldenMLP()
        var losses: [Float] = []
        for _ in 0..<10 {
            losses.append(Float(mlp.step().loss))
            step(&mlp.parameters)
        }
        expectClose(losses, expected, "\(name) losses")
        for (parameter, values) in after.sorted(by: { $0.key < $1.key }) {
            expectClose(mlp.parameters.tensor(parameter)!.data, values, "\(name) \(parameter)")
        }
    }

    @Test func tenSGDSteps() {
        var sgd = SGD(learningRate: 0.01, momentum: 0.9)
        tenSteps("SGD", step: { sgd.step(&$0) }, losses: Golden.mlpSgdLosses, after: [
            "fc1.weight": Golden.mlpSgdAfter_fc1_weight, "fc1.bias": Golden.mlpSgdAfter_fc1_bias,
            "fc2.weight": Golden.mlpSgdAfter_fc2_weight, "fc2.bias": Golden.mlpSgdAfter_fc2_bias,
        ])
    }

    @Test func tenAdamSteps() {
        var adam = Adam(learningRate: 0.01)
        tenSteps("Adam", step: { adam.step(&$0) }, losses: Golden.mlpAdamLosses, after: [
            "fc1.weight": Golden.mlpAdamAfter_fc1_weight, "fc1.bias": Golden.mlpAdamAfter_fc1_bias,
            "fc2.weight": Golden.mlpAdamAfter_fc2_weight, "fc2.bias": Golden.mlpAdamAfter_fc2_bias,
        ])
    }

    @Test func gruFinalStateAndGradients() {
        var parameters = ParameterSet()
        let gru = GRU(inputSize: 4, hiddenSize: 6, name: "gru", in: &parameters)
        parameters.set("gru.ih.weight", Tensor(shape: [18, 4], data: pattern(72, 7)))
        parameters.set("gru.hh.weight", Tensor(shape: [18, 6], data: pattern(108, 8)))
        parameters.set("gru.ih.bias", Tensor(shape: [18], data: pattern(18, 9)))
        parameters.set("gru.hh.bias", Tensor(shape: [18], data: pattern(18, 10)))
        let batch = 3, steps = 5
        // PyTorch's (B, T, I) → ours (T, I, B).
        let torchInput = pattern(batch * steps * 4, 11, scale: 1.5)
        var x = [Float](repeating: 0, count: torchInput.count)
        for b in 0..<batch { for t in 0..<steps { for i in 0..<4 {
            x[(t * 4 + i) * batch + b] = torchInput[(b * steps + t) * 4 + i]
        }}}
        let cache = GRU.Cache(gru: gru, steps: steps, batch: batch)
        gru.forward(x, parameters: parameters.values, cache: cache)
        expectClose(transpose(Array(cache.finalHidden), rows: 6, columns: batch), Golden.gruFinal, "h_T")
        let dFinal = transpose(pattern(18, 12), rows: batch, columns: 6)
        var dx = [Float](repeating: 0, count: x.count)
        gru.backward(finalGradient: dFinal, input: x, parameters: parameters.values, gradients: &parameters.gradients,
                     cache: cache, inputGradient: &dx)
        expectClose(parameters.gradient("gru.ih.weight")!.data, Golden.gruGrad_weight_ih, "dweight_ih")
        expectClose(parameters.gradient("gru.hh.weight")!.data, Golden.gruGrad_weight_hh, "dweight_hh")
        expectClose(parameters.gradient("gru.ih.bias")!.data, Golden.gruGrad_bias_ih, "dbias_ih")
        expectClose(parameters.gradient("gru.hh.bias")!.data, Golden.gruGrad_bias_hh, "dbias_hh")
        var torchDx = [Float](repeating: 0, count: x.count)
        for b in 0..<batch { for t in 0..<steps { for i in 0..<4 {
            torchDx[(b * steps + t) * 4 + i] = dx[(t * 4 + i) * batch + b]
        }}}
        expectClose(torchDx, Golden.gruGradInput, "dx")
    }

    @Test func klOfTwoGaussians() {
        // PyTorch's (B=2, Z=3) → ours (Z, B).
        let (mq, lq, mp, lp) = (transpose(pattern(6, 13), rows: 2, columns: 3), transpose(pattern(6, 14), rows: 2, columns: 3),
                                transpose(pattern(6, 15), rows: 2, columns: 3), transpose(pattern(6, 16), rows: 2, columns: 3))
        let value = klGaussians(muQ: mq, logVarianceQ: lq, muP: mp, logVarianceP: lp, latent: 3, batch: 2)
        expectClose([Float(value)], [Golden.klValue], "KL")
        var dMuQ = [Float](repeating: 0, count: 6), dLvQ = dMuQ, dMuP = dMuQ, dLvP = dMuQ
        klGaussiansBackward(muQ: mq, logVarianceQ: lq, muP: mp, logVarianceP: lp, latent: 3, batch: 2,
                            dMuQ: &dMuQ, dLogVarianceQ: &dLvQ, dMuP: &dMuP, dLogVarianceP: &dLvP)
        let grads = [dMuQ, dLvQ, dMuP, dLvP]
        for (i, name) in ["dmuQ", "dlvQ", "dmuP", "dlvP"].enumerated() {
            expectClose(transpose(grads[i], rows: 3, columns: 2), Golden.klGrads[i], name)
        }
    }
}
