// The CVAE against PyTorch (same weights, inputs and noise: every gradient and the loss), and
// against finite differences of its whole loss, for both past encoders.
import Foundation
import NNCore
import Testing
@testable import TrajectoryModel

/// Value k of a tensor with tag s: sin(0.731 k + s) · scale, rounded to Float (as make_golden.py).
func pattern(_ count: Int, _ tag: Double, scale: Double = 0.3) -> [Float] {
    (0..<count).map { Float(sin(0.731 * Double($0) + tag) * scale) }
}

/// (rows, columns) → (columns, rows).
func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    Tensor(shape: [rows, columns], data: values).transposed.data
}

/// Our parameter name for a PyTorch one.
func ourName(_ torchName: String) -> String {
    ["gru.weight_ih_l0": "gru.ih.weight", "gru.weight_hh_l0": "gru.hh.weight", "gru.bias_ih_l0": "gru.ih.bias",
     "gru.bias_hh_l0": "gru.hh.bias"][torchName] ?? torchName
}

/// A model of H=8, Z=4 loaded with the golden patterns, and a workspace of 3 windows filled likewise.
func goldenSetup(_ encoder: PastEncoder) -> (TrajectoryCVAE, TrajectoryCVAE.Workspace) {
    var rng = Xoshiro256(seed: 0)
    var model = TrajectoryCVAE(CVAEConfiguration(encoder: encoder, hidden: 8, latent: 4), using: &rng)
    let names = encoder == .mlp ? CVAEGolden.namesMlp : CVAEGolden.namesGru
    for (tag, name) in names.enumerated() {
        let entry = model.parameters.entry(ourName(name))!
        model.parameters.set(entry.name, Tensor(shape: entry.shape, data: pattern(entry.range.count, Double(tag))))
    }
    let batch = 3
    let w = TrajectoryCVAE.Workspace(model, capacity: batch)
    let torchX = pattern(batch * 16 * (encoder == .mlp ? 1 : 2), 40, scale: 1)
    if encoder == .mlp {
        w.x = transpose(torchX, rows: batch, columns: 16)
    } else {
        // (B, T, 4) → (T, 4, B).
        for b in 0..<batch { for t in 0..<8 { for i in 0..<4 { w.x[(t * 4 + i) * batch + b] = torchX[(b * 8 + t) * 4 + i] } } }
    }
    w.y = transpose(pattern(batch * 24, 41, scale: 1.5), rows: batch, columns: 24)
    w.epsilon = transpose(pattern(batch * 4, 42, scale: 1), rows: batch, columns: 4)
    return (model, w)
}

@Suite struct TrajectoryCVAETests {
    @Test(arguments: [PastEncoder.mlp, .gru])
    func lossAndEveryGradientMatchPyTorch(encoder: PastEncoder) {
        var (model, w) = goldenSetup(encoder)
        // Gradients are written, not added: whatever was in the buffer (here NaN) must not show.
        model.parameters.gradients = [Float](repeating: .nan, count: model.parameters.count)
        let loss = model.lossAndGradients(batch: 3, beta: 0.5, workspace: w)
        let expected = encoder == .mlp ? CVAEGolden.lossMlp : CVAEGolden.lossGru
        for (value, reference, what) in [(loss.total, expected[0], "loss"), (loss.reconstruction, expected[1], "reconstruction"),
                                         (loss.kl, expected[2], "KL")] {
            #expect(abs(Float(value) - reference) <= 1e-4 * abs(reference), "\(encoder) \(what): \(value) vs \(reference)")
        }
        let gradients = encoder == .mlp ? CVAEGolden.gradientsMlp : CVAEGolden.gradientsGru
        #expect(gradients.count == model.parameters.entries.count)
        for (torchName, reference) in gradients {
            let ours = model.parameters.gradient(ourName(torchName))!.data
            let floor = 1e-3 * (reference.map { abs($0) }.max() ?? 0)
            let worst = zip(ours, reference).map { abs($0 - $1) / max(abs($1), floor, 1e-12) }.max() ?? 0
            #expect(worst <= 1e-4, "\(encoder) d\(torchName): worst relative error \(worst)")
        }
    }

    @Test(arguments: [PastEncoder.mlp, .gru])
    func wholeLossAgainstFiniteDifferences(encoder: PastEncoder) {
        var (model, w) = goldenSetup(encoder)
        _ = model.lossAndGradients(batch: 3, beta: 0.5, workspace: w)
        let analytic = model.parameters.gradients
        let result = gradientCheck(values: model.parameters.values, analytic: analytic, step: 1e-3,
                                   absoluteTolerance: 1e-3, skipKinks: true) { values in
            var probe = model
            probe.parameters.values = values
            return probe.lossAndGradients(batch: 3, beta: 0.5, workspace: w).total
        }
        #expect(result.passed, "\(encoder): \(result)")
        #expect(result.skipped * 50 <= result.checked + result.skipped, "at most 2 % at ReLU kinks: \(result)")
    }
}
