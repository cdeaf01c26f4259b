// Finite-difference checks of every layer and loss: loss = Σ(out ⊙ dout) with a random upstream
// gradient dout, central differences in Double against each backward pass.
import Foundation
import Testing
@testable import NNCore

func randomArray(_ count: Int, _ rng: inout Xoshiro256, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in scale * rng.uniform(-1, 1) }
}

/// Σ a ⊙ b in Double.
func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

@Suite struct GradientTests {
    @Test func checkCanFail() {
        // A gradient 10 % off must be caught.
        let values: [Float] = [0.3, -0.7, 1.1]
        let loss: ([Float]) -> Double = { v in v.reduce(0) { $0 + Double($1 * $1 * $1) } }
        let right = values.map { 3 * $0 * $0 }
        #expect(gradientCheck(values: values, analytic: right, loss: loss).passed)
        #expect(!gradientCheck(values: values, analytic: right.map { $0 * 1.1 }, loss: loss).passed)
    }

    @Test func linear() {
        var rng = Xoshiro256(seed: 1)
        var parameters = ParameterSet()
        let layer = Linear(inputSize: 5, outputSize: 7, name: "fc", in: &parameters)
        layer.initialize(&parameters.values, using: &rng)
        let batch = 3
        let x = randomArray(5 * batch, &rng), dout = randomArray(7 * batch, &rng)
        func forward(_ p: [Float], _ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: 7 * batch)
            layer.forward(x, batch: batch, parameters: p, output: &y)
            return y
        }
        var dx = [Float](repeating: 0, count: x.count)
        layer.backward(dout, input: x, batch: batch, parameters: parameters.values, gradients: &parameters.gradients,
                       inputGradient: &dx)
        let p = parameters.values
        let byParameters = gradientCheck(values: p, analytic: parameters.gradients) { dot(forward($0, x), dout) }
        let byInput = gradientCheck(values: x, analytic: dx) { dot(forward(p, $0), dout) }
        #expect(byParameters.passed, "\(byParameters)")
        #expect(byInput.passed, "\(byInput)")
        // The fused forms: ReLU output, overwritten and masked input gradients.
        var relu = [Float](repeating: 0, count: 7 * batch)
        layer.forward(x, batch: batch, parameters: p, output: &relu, activation: .relu)
        #expect(relu == forward(p, x).map { max($0, 0) })
        var scratch = ParameterSet()
        _ = scratch.add("g", shape: [p.count])
        var overwritten = [Float](repeating: 7, count: x.count)
        layer.backward(dout, input: x, batch: batch, parameters: p, gradients: &scratch.gradients,
                       inputGradient: &overwritten, inputGradients: .overwrite)
        #expect(zip(overwritten, dx).allSatisfy { abs($0 - $1) < 1e-6 })
        let mask = randomArray(x.count, &rng)
        var masked = [Float](repeating: 7, count: x.count)
        layer.backward(dout, input: x, batch: batch, parameters: p, gradients: &scratch.gradients,
                       inputGradient: &masked, inputGradients: .overwrite, inputMask: mask)
        #expect(zip(zip(masked, dx), mask).allSatisfy { pair, m in abs(pair.0 - (m > 0 ? pair.1 : 0)) < 1e-6 })
        // Forward against the definition y[o,b] = Σ_i W[o,i] x[i,b] + bias[o].
        let y = forward(p, x)
        let w = parameters.tensor("fc.weight")!.data, bias = parameters.tensor("fc.bias")!.data
        for o in 0..<7 { for b in 0..<batch {
            let expected = (0..<5).reduce(bias[o]) { $0 + w[o * 5 + $1] * x[$1 * batch + b] }
            #expect(abs(y[o * batch + b] - expected) < 1e-5)
        }}
    }

    @Test func relu() {
        var rng = Xoshiro256(seed: 2)
        // Keep inputs away from the kink so ± step never crosses it.
        let x = randomArray(40, &rng).map { $0 < 0 ? $0 - 0.1 : $0 + 0.1 }
        let dout = randomArray(40, &rng)
        var y = [Float](repeating: 0, count: 40), dx = [Float](repeating: 0, count: 40)
        reluForward(x, &y, count: 40)
        reluBackward(dout, output: y, &dx, count: 40)
        let result = gradientCheck(values: x, analytic: dx) { v in
            var out = [Float](repeating: 0, count: 40)
            reluForward(v, &out, count: 40)
            return dot(out, dout)
        }
        #expect(result.passed, "\(result)")
        #expect(y == x.map { max($0, 0) })
    }

    /// From h_0 = 0 (the model's case, where the first step's hidden product is skipped) and from
    /// a given h_0.
    @Test(arguments: [false, true])
    func gru(givenStart: Bool) {
        var rng = Xoshiro256(seed: 3)
        var parameters = ParameterSet()
        let gru = GRU(inputSize: 3, hiddenSize: 5, name: "gru", in: &parameters)
        gru.initialize(&parameters.values, using: &rng)
        let steps = 4, batch = 2, hb = 5 * batch
        let x = randomArray(steps * 3 * batch, &rng, scale: 2)
        let dFinal = randomArray(hb, &rng), dSteps = randomArray(steps * hb, &rng)
        let start = givenStart ? randomArray(hb, &rng) : [Float](repeating: 0, count: hb)
        func run(_ p: [Float], _ x: [Float]) -> GRU.Cache {
            let cache = GRU.Cache(gru: gru, steps: steps, batch: batch)
            cache.hidden.replaceSubrange(0..<hb, with: start)
            gru.forward(x, parameters: p, cache: cache)
            return cache
        }
        func loss(_ p: [Float], _ x: [Float]) -> Double {
            let cache = run(p, x)
            // h_1 … h_T against dSteps, and h_T once more against dFinal.
            return dot(Array(cache.hidden[hb...]), dSteps) + dot(Array(cache.finalHidden), dFinal)
        }
        let cache = run(parameters.values, x)
        var dx = [Float](repeating: 0, count: x.count)
        gru.backward(finalGradient: dFinal, dSteps: dSteps, input: x, parameters: parameters.values,
                     gradients: &parameters.gradients, cache: cache, inputGradient: &dx)
        let p = parameters.values
        let byParameters = gradientCheck(values: p, analytic: parameters.gradients) { loss($0, x) }
        let byInput = gradientCheck(values: x, analytic: dx) { loss(p, $0) }
        #expect(byParameters.passed, "\(byParameters)")
        #expect(byInput.passed, "\(byInput)")
    }

    @Test func lossesAndLatents() {
        var rng = Xoshiro256(seed: 4)
        let n = 12
        let prediction = randomArray(n, &rng), target = randomArray(n, &rng)
        var dMse = [Float](repeating: 0, count: n), dL1 = [Float](repeating: 0, count: n)
        mseLossBackward(prediction, target, count: n, scale: 0.7, &dMse)
        l1LossBackward(prediction, target, count: n, scale: 0.7, &dL1)
        let mse = gradientCheck(values: prediction, analytic: dMse) { 0.7 * mseLoss($0, target, count: n) }
        let l1 = gradientCheck(values: prediction, analytic: dL1, step: 1e-3) { 0.7 * l1Loss($0, target, count: n) }
        #expect(mse.passed, "\(mse)")
        #expect(l1.passed, "\(l1)")

        let latent = 3, batch = 4, count = latent * batch
        let mu = randomArray(count, &rng), lv = randomArray(count, &rng)
        let muP = randomArray(count, &rng), lvP = randomArray(count, &rng)
        let zeros = [Float](repeating: 0, count: count)
        /// KL through the reparameterisation's σ output, as a model computes it.
        func klStandard(_ m: [Float], _ l: [Float]) -> Double {
            var z = zeros, sigma = zeros
            reparameterize(mu: m, logVariance: l, epsilon: zeros, count: count, &z, standardDeviation: &sigma)
            return 2 * klStandardNormal(mu: m, logVariance: l, standardDeviation: sigma, latent: latent, batch: batch)
        }
        var z0 = zeros, sigma = zeros
        reparameterize(mu: mu, logVariance: lv, epsilon: zeros, count: count, &z0, standardDeviation: &sigma)
        var dMu = zeros, dLv = zeros
        klStandardNormalBackward(mu: mu, standardDeviation: sigma, latent: latent, batch: batch, scale: 2, dMu: &dMu,
                                 dLogVariance: &dLv)
        let klMu = gradientCheck(values: mu, analytic: dMu) { klStandard($0, lv) }
        let klLv = gradientCheck(values: lv, analytic: dLv) { klStandard(mu, $0) }
        #expect(klMu.passed && klLv.passed, "\(klMu) \(klLv)")

        var dMuQ = [Float](repeating: 0, count: count), dLvQ = dMuQ, dMuP = dMuQ, dLvP = dMuQ
        klGaussiansBackward(muQ: mu, logVarianceQ: lv, muP: muP, logVarianceP: lvP, latent: latent, batch: batch,
                            dMuQ: &dMuQ, dLogVarianceQ: &dLvQ, dMuP: &dMuP, dLogVarianceP: &dLvP)
        func kl(_ a: [Float], _ b: [Float], _ c: [Float], _ d: [Float]) -> Double {
            klGaussians(muQ: a, logVarianceQ: b, muP: c, logVarianceP: d, latent: latent, batch: batch)
        }
        for (result, name) in [
            (gradientCheck(values: mu, analytic: dMuQ) { kl($0, lv, muP, lvP) }, "muQ"),
            (gradientCheck(values: lv, analytic: dLvQ) { kl(mu, $0, muP, lvP) }, "lvQ"),
            (gradientCheck(values: muP, analytic: dMuP) { kl(mu, lv, $0, lvP) }, "muP"),
            (gradientCheck(values: lvP, analytic: dLvP) { kl(mu, lv, muP, $0) }, "lvP"),
        ] {
            #expect(result.passed, "\(name): \(result)")
        }

        let epsilon = randomArray(count, &rng), dz = randomArray(count, &rng)
        var zR = zeros, sigmaR = zeros
        reparameterize(mu: mu, logVariance: lv, epsilon: epsilon, count: count, &zR, standardDeviation: &sigmaR)
        var dMuR = zeros, dLvR = zeros
        reparameterizeBackward(dz, epsilon: epsilon, standardDeviation: sigmaR, count: count, dMu: &dMuR,
                               dLogVariance: &dLvR)
        func z(_ m: [Float], _ l: [Float]) -> Double {
            var out = zeros, s = zeros
            reparameterize(mu: m, logVariance: l, epsilon: epsilon, count: count, &out, standardDeviation: &s)
            return dot(out, dz)
        }
        let rMu = gradientCheck(values: mu, analytic: dMuR) { z($0, lv) }
        let rLv = gradientCheck(values: lv, analytic: dLvR) { z(mu, $0) }
        #expect(rMu.passed && rLv.passed, "\(rMu) \(rLv)")
    }

    @Test func klClosedForms() {
        // KL(N(1, e^0) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − log σ²) = ½ per latent dimension.
        #expect(abs(klStandardNormal(mu: [1, 1], logVariance: [0, 0], standardDeviation: [1, 1], latent: 2, batch: 1) - 1.0) < 1e-12)
        // KL(N(0, e^{log 4}) ‖ N(0, 1)) = ½ (4 − 1 − log 4).
        let expected = 0.5 * (4 - 1 - 1.3862943611198906)
        #expect(abs(klStandardNormal(mu: [0], logVariance: [Float(1.3862943611198906)], standardDeviation: [2], latent: 1,
                                     batch: 1) - expected) < 1e-6)
        // KL(N(1, 1) ‖ N(3, 4)) = log(2) + (1 + 4) / 8 − ½.
        let kl = klGaussians(muQ: [1], logVarianceQ: [0], muP: [3], logVarianceP: [Float(1.3862943611198906)],
                             latent: 1, batch: 1)
        #expect(abs(kl - (0.6931471805599453 + 5.0 / 8 - 0.5)) < 1e-6)
        // Against the standard normal it is the same as the general form with μp = 0, lvp = 0.
        #expect(abs(klGaussians(muQ: [0.3, -1], logVarianceQ: [0.2, -0.5], muP: [0, 0], logVarianceP: [0, 0], latent: 2, batch: 1)
            - klStandardNormal(mu: [0.3, -1], logVariance: [0.2, -0.5], standardDeviation: [expf(0.1), expf(-0.25)],
                               latent: 2, batch: 1)) < 1e-7)
    }
}

@Suite struct VectorMathTests {
    @Test func expSigmoidTanhAgainstLibm() {
        var worstExp: Float = 0, worstSigmoid: Float = 0, worstTanh: Float = 0
        var x: Float = -87
        while x < 88 {
            var v = SIMD16<Float>()
            for l in 0..<16 { v[l] = x + Float(l) * 0.0137 }
            let e = exp16(v), s = sigmoid16(v), t = tanh16(v)
            for l in 0..<16 {
                let reference = expf(v[l])
                if reference.isFinite, reference > 1e-37 { worstExp = max(worstExp, abs(e[l] - reference) / reference) }
                worstSigmoid = max(worstSigmoid, abs(s[l] - 1 / (1 + expf(-v[l]))))
                worstTanh = max(worstTanh, abs(t[l] - tanhf(v[l])))
            }
            x += 0.219
        }
        #expect(worstExp < 4e-7, "exp relative error \(worstExp)")
        #expect(worstSigmoid < 2e-7, "sigmoid absolute error \(worstSigmoid)")
        #expect(worstTanh < 3e-7, "tanh absolute error \(worstTanh)")
        // The limits are exact.
        #expect(tanh16(SIMD16(repeating: 30))[0] == 1 && tanh16(SIMD16(repeating: -30))[0] == -1)
        #expect(sigmoid16(SIMD16(repeating: -100))[0] >= 0)
    }
}
