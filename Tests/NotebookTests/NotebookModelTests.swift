// The notebook's parts: targets, the whole VAE loss against finite differences, W1 in closed form,
// and determinism (one seed, one result, bit for bit).
import NNCore
import Testing
@testable import Notebook

@Suite struct NotebookModelTests {
    @Test func targetsAreAThirdAtMinusOne() {
        let targets = NotebookExperiment.targets(count: 1000)
        #expect(targets.filter { $0 == -1 }.count == 334)
        #expect(targets.filter { $0 == 1 }.count == 666)
        #expect(Array(targets.prefix(4)) == [-1, 1, 1, -1])
    }

    /// The smallest |pre-activation| of the three ReLU layers after a forward pass: central
    /// differences are only meaningful when no ± step crosses a kink.
    func reluMargin(_ vae: ToyVAE, target: [Float], workspace w: ToyVAE.Workspace) -> Float {
        let b = w.batch, p = vae.parameters.values
        var pre1 = [Float](repeating: 0, count: ToyVAE.hidden * b), pre3 = pre1, pre4 = pre1
        vae.fc1.forward(target, batch: b, parameters: p, output: &pre1)
        vae.fc3.forward(w.z, batch: b, parameters: p, output: &pre3)
        vae.fc4.forward(w.h3, batch: b, parameters: p, output: &pre4)
        return (pre1 + pre3 + pre4).map { abs($0) }.min()!
    }

    @Test(arguments: [ToyVAE.Reconstruction.mse, .l1])
    func wholeVAELossGradient(reconstruction: ToyVAE.Reconstruction) {
        let batch = 6
        let target: [Float] = [-1, 1, 1, -1, 1, 1]
        let workspace = ToyVAE.Workspace(batch: batch)
        // The first seed whose pre-activations all keep 0.02 away from the ReLU kink.
        var vae: ToyVAE!
        for seed in UInt64(1)... {
            var rng = Xoshiro256(seed: seed)
            vae = ToyVAE(using: &rng)
            workspace.epsilon.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
            _ = vae.lossAndGradients(target: target, reconstruction: reconstruction, klWeight: 0.7, workspace: workspace)
            if reluMargin(vae, target: target, workspace: workspace) > 0.02 { break }
        }
        let analytic = vae.parameters.gradients
        let result = gradientCheck(values: vae.parameters.values, analytic: analytic, step: 1e-3,
                                   absoluteTolerance: 2e-3) { values in
            var probe = vae!
            probe.parameters.values = values
            return probe.lossAndGradients(target: target, reconstruction: reconstruction, klWeight: 0.7,
                                          workspace: workspace).total
        }
        #expect(result.passed, "\(result)")
        #expect(result.checked == vae.parameters.count)
    }

    @Test func wassersteinClosedForms() {
        let truth = [Float](repeating: -1, count: 100) + [Float](repeating: 1, count: 200)
        #expect(abs(wassersteinToTwoPoints(truth, negativeShare: 1.0 / 3.0)) < 1e-12)
        #expect(abs(wassersteinToTwoPoints([Float](repeating: 0, count: 999), negativeShare: 1.0 / 3.0) - 1) < 1e-12)
        // Everything at +1: a third of the mass moves by 2.
        #expect(abs(wassersteinToTwoPoints([Float](repeating: 1, count: 300), negativeShare: 1.0 / 3.0) - 2.0 / 3.0) < 1e-12)
        // Three samples −1, 1, 3 and q = ½: F⁻¹ is −1 on [0,⅓), 1 on [⅓,⅔), 3 on [⅔,1); G⁻¹ jumps at ½.
        // |−1 − (−1)|·⅓ + |1 − (−1)|·(½ − ⅓) + |1 − 1|·(⅔ − ½) + |3 − 1|·⅓ = ⅓ + ⅔ = 1.
        #expect(abs(wassersteinToTwoPoints([3, -1, 1], negativeShare: 0.5) - 1) < 1e-12)
        // Unsorted input, against a sort-based computation on random samples.
        var rng = Xoshiro256(seed: 9)
        let samples = (0..<1001).map { _ in rng.uniform(-2, 2) }
        let sorted = samples.map(Double.init).sorted()
        var expected = 0.0
        for (i, s) in sorted.enumerated() {
            let low = Double(i) / 1001, high = Double(i + 1) / 1001
            let negative = max(0, min(high, 1.0 / 3.0) - low)
            expected += negative * abs(s + 1) + (high - low - negative) * abs(s - 1)
        }
        #expect(abs(wassersteinToTwoPoints(samples, negativeShare: 1.0 / 3.0) - expected) < 1e-12)
    }

    @Test func statsOfKnownPredictions() {
        let stats = PredictionStats([-1, -0.9, 0.5, 1, 1.1])
        #expect(abs(stats.mean - 0.14) < 1e-7)
        #expect(stats.fractionBelowZero == 0.4)
        #expect(stats.fractionNearMinusOne == 0.4)
        #expect(stats.fractionNearPlusOne == 0.4)
        #expect(!stats.isBimodal)
    }

    @Test func sameSeedSameResultBitForBit() {
        var short = NotebookSettings()
        short.epochs = 200
        short.predictions = 5000
        let a = NotebookExperiment.run(seed: 3, settings: short, keepPredictions: true)
        let b = NotebookExperiment.run(seed: 3, settings: short, keepPredictions: true)
        let c = NotebookExperiment.run(seed: 4, settings: short, keepPredictions: true)
        #expect(a.map(\.predictions) == b.map(\.predictions))
        #expect(a.map(\.finalLoss) == b.map(\.finalLoss))
        #expect(a.map(\.predictions) != c.map(\.predictions))
        #expect(a.map(\.model) == NotebookModel.allCases)
    }
}
