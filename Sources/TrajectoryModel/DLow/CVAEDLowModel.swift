// `cvae-dlow`: the trajectory CVAE with a learned sampler (DLow, Yuan & Kitani 2020, as AgentFormer
// uses it). Epochs before `cvaeEpochs` train the CVAE as `cvae` does; from then on the CVAE is
// frozen and a linear map of the past encoding h gives K codes per window,
//   z_k = μ_p(h) + σ_p(h) ⊙ (W_k h + c_k),
// decoded into K futures; the loss is min over k of (ADE + FDE) of the decoded futures + λ ·
// mean(code²). The optimiser restarts at the switch, so the frozen CVAE does not move. Once the
// sampler trains, prediction returns the first k of the K learned futures (deterministic).
// Legend: B batch, H hidden, Z latent, K codes, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

public struct CVAEDLowModel: ForecastModel {
    public static let family = "cvae-dlow"

    public let configuration: DLowConfiguration
    /// The CVAE; its parameter set also holds the sampler's `dlow.codes` and the `dlow.active` flag.
    var cvae: TrajectoryCVAE
    let codes: Linear
    let active: ParameterRange
    /// Values of the CVAE's own parameters: the first `cvaeCount` of the set.
    let cvaeCount: Int

    public var parameters: ParameterSet {
        get { cvae.parameters }
        set { cvae.parameters = newValue }
        _modify { yield &cvae.parameters }
    }

    /// The CVAE initialised as `cvae` would be, then `dlow.codes` (weights N(0, 0.01²), biases N(0, 1)).
    public init(_ configuration: DLowConfiguration, using rng: inout Xoshiro256) {
        self.configuration = configuration
        var cvae = TrajectoryCVAE(configuration: configuration.cvae, using: &rng)
        cvaeCount = cvae.parameters.count
        let h = configuration.cvae.hidden, z = configuration.cvae.latent
        codes = Linear(inputSize: h, outputSize: configuration.futures * z, name: "dlow.codes", in: &cvae.parameters)
        active = cvae.parameters.add("dlow.active", shape: [1])
        for i in codes.weight.range { cvae.parameters.values[i] = 0.01 * rng.normal() }
        for i in codes.bias.range { cvae.parameters.values[i] = rng.normal() }
        self.cvae = cvae
    }

    /// Whether the sampler has started training (its futures are then the model's).
    public var samplerActive: Bool { cvae.parameters.values[active.offset] > 0.5 }

    public mutating func beginEpoch(_ epoch: Int) -> Bool {
        guard epoch == configuration.cvaeEpochs else { return false }
        cvae.parameters.values[active.offset] = 1
        return true
    }

    public func klWeight(epoch: Int) -> Float { epoch < configuration.cvaeEpochs ? cvae.klWeight(epoch: epoch) : 0 }

    public var maximumFutures: (k: Int, option: String)? {
        samplerActive ? (configuration.futures, "--model-option futures=N") : nil
    }

    public final class Workspace {
        let cvae: TrajectoryCVAE.Workspace
        let capacity: Int
        var codes: [Float], shared: [Float]                 // (K·Z, B), (H, B)
        var latent: [Float], d1: [Float], d2: [Float]       // (Z, B·K), (H, B·K), (H, B·K)
        var out: [Float]                                    // (2P, B·K)
        var best: [Int]
        var gOut: [Float], d2Best: [Float], d1Best: [Float] // (2P, B), (H, B), (H, B)
        var dd2: [Float], dd1: [Float], dz: [Float], dCodes: [Float]
        var scratch: [Float]                                // the frozen decoder's weight gradients, discarded

        init(_ model: CVAEDLowModel, capacity b: Int) {
            let c = model.configuration, h = c.cvae.hidden, z = c.cvae.latent, k = c.futures, out = c.cvae.futureSize
            cvae = model.cvae.makeTrainingWorkspace(capacity: b)
            capacity = b
            func buffer(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }
            (codes, shared, latent) = (buffer(k * z * b), buffer(h * b), buffer(z * b * k))
            (d1, d2, self.out) = (buffer(h * b * k), buffer(h * b * k), buffer(out * b * k))
            best = [Int](repeating: 0, count: b)
            (gOut, d2Best, d1Best) = (buffer(out * b), buffer(h * b), buffer(h * b))
            (dd2, dd1, dz, dCodes) = (buffer(h * b), buffer(h * b), buffer(z * b), buffer(k * z * b))
            scratch = buffer(model.parameters.count)
        }
    }

    public func makeTrainingWorkspace(capacity: Int) -> Workspace { Workspace(self, capacity: capacity) }

    public mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace w: Workspace,
                                      using rng: inout Xoshiro256, share: Float) -> Loss {
        let loss: Loss
        if epoch < configuration.cvaeEpochs {
            loss = cvae.trainingStep(batch, epoch: epoch, workspace: w.cvae, using: &rng, share: share)
            // One pass, not one write per value: every write through `parameters` bumps its version.
            let (start, count) = (cvaeCount, cvae.parameters.count - cvaeCount)
            cvae.parameters.gradients.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: start).update(repeating: 0, count: count) }
        } else {
            loss = samplerStep(batch, workspace: w, share: share)
        }
        return loss
    }

    /// The sampler's loss and its gradients on the frozen CVAE (whose gradients are written as 0).
    mutating func samplerStep(_ batch: TrainingBatch, workspace w: Workspace, share: Float) -> Loss {
        let c = configuration.cvae, h = c.hidden, z = c.latent, kCount = configuration.futures, steps = c.predicted
        let b = batch.count, columns = b * kCount
        let e = w.cvae
        cvae.pastFeatures(batch.windows, batch.indices, angles: batch.angles, mirror: batch.mirror, into: &e.x)
        Features.future(batch.windows, batch.indices, angles: batch.angles, mirror: batch.mirror, into: &e.y)
        cvae.encodePast(batch: b, workspace: e)
        let p = cvae.parameters.values
        cvae.priorForward(batch: b, workspace: e)
        codes.forward(e.postInput, batch: b, parameters: p, output: &w.codes)
        // The scalar loops below work on local arrays taken out of the workspace (swapped, not
        // copied): indexing a class's array property pays an exclusivity check per access.
        var latent: [Float] = [], d1: [Float] = [], gOut: [Float] = [], d2Best: [Float] = [], d1Best: [Float] = []
        var best: [Int] = []
        swap(&latent, &w.latent); swap(&d1, &w.d1); swap(&gOut, &w.gOut)
        swap(&d2Best, &w.d2Best); swap(&d1Best, &w.d1Best); swap(&best, &w.best)
        let mu: [Float] = e.muP, logVariance: [Float] = e.logVarianceP, codeValues: [Float] = w.codes, y: [Float] = e.y
        // z (Z, B·K), column b·K + k.
        for r in 0..<z {
            for window in 0..<b {
                let m = mu[r * b + window], sigma = expf(0.5 * bounded(logVariance[r * b + window]))
                for k in 0..<kCount {
                    latent[r * columns + window * kCount + k] = m + sigma * codeValues[(k * z + r) * b + window]
                }
            }
        }
        // The decoder on every code, as sampling runs it (its first layer's h-part once per window).
        cvae.decodeFirstLayer(past: e.postInput, windows: b, perWindow: kCount, latent: latent, shared: &w.shared,
                              output: &d1)
        cvae.decoder2.forward(d1, batch: columns, parameters: p, output: &w.d2, activation: .relu)
        cvae.decoder3.forward(w.d2, batch: columns, parameters: p, output: &w.out)
        let out: [Float] = w.out, d2: [Float] = w.d2
        // The best code of every window, and d(ADE + FDE)/d(its future) × share / B.
        var bestSum = 0.0
        let perWindow = share / Float(b)
        for window in 0..<b {
            var chosen = 0, bestCost = Float.infinity
            for k in 0..<kCount {
                let column = window * kCount + k
                var sum: Float = 0, last: Float = 0
                for t in 0..<steps {
                    let ex = out[(2 * t) * columns + column] - y[(2 * t) * b + window]
                    let ey = out[(2 * t + 1) * columns + column] - y[(2 * t + 1) * b + window]
                    last = (ex * ex + ey * ey + 1e-9).squareRoot()
                    sum += last
                }
                let cost = sum / Float(steps) + last
                if cost < bestCost { (chosen, bestCost) = (k, cost) }
            }
            best[window] = chosen
            bestSum += Double(bestCost)
            let column = window * kCount + chosen
            for t in 0..<steps {
                let ex = out[(2 * t) * columns + column] - y[(2 * t) * b + window]
                let ey = out[(2 * t + 1) * columns + column] - y[(2 * t + 1) * b + window]
                let d = (ex * ex + ey * ey + 1e-9).squareRoot()
                let weight = perWindow * (1 / Float(steps) + (t == steps - 1 ? 1 : 0)) / d
                gOut[(2 * t) * b + window] = weight * ex
                gOut[(2 * t + 1) * b + window] = weight * ey
            }
            for r in 0..<h {
                d2Best[r * b + window] = d2[r * columns + column]
                d1Best[r * b + window] = d1[r * columns + column]
            }
        }
        swap(&latent, &w.latent); swap(&d1, &w.d1); swap(&gOut, &w.gOut)
        swap(&d2Best, &w.d2Best); swap(&d1Best, &w.d1Best); swap(&best, &w.best)
        // Back through the frozen decoder, the best columns only, to z; weight gradients discarded.
        cvae.decoder3.backward(w.gOut, input: w.d2Best, batch: b, parameters: p, gradients: &w.scratch,
                               weightGradients: .overwrite, inputGradient: &w.dd2, inputGradients: .overwrite,
                               inputMask: w.d2Best)
        cvae.decoder2.backward(w.dd2, input: w.d1Best, batch: b, parameters: p, gradients: &w.scratch,
                               weightGradients: .overwrite, inputGradient: &w.dd1, inputGradients: .overwrite,
                               inputMask: w.d1Best)
        p.withUnsafeBufferPointer { values in
            gemmNN(transA: true, m: z, n: b, k: h, a: values.baseAddress! + cvae.decoder1.weight.offset + h, lda: h + z,
                   b: w.dd1, ldb: b, c: &w.dz, ldc: b, accumulate: false)
        }
        // d/dcode: σ ⊙ dz for the best code, + 2λ·code / (B·K·Z) for every code.
        let lambda = configuration.codeWeight, regularisation = 2 * lambda * share / Float(b * kCount * z)
        var codeSquares = 0.0
        var dCodes: [Float] = []
        swap(&dCodes, &w.dCodes)
        let chosen: [Int] = w.best, dz: [Float] = w.dz
        for k in 0..<kCount {
            for r in 0..<z {
                for window in 0..<b {
                    let code = codeValues[(k * z + r) * b + window]
                    codeSquares += Double(code * code)
                    var d = regularisation * code
                    if chosen[window] == k { d += expf(0.5 * bounded(logVariance[r * b + window])) * dz[r * b + window] }
                    dCodes[(k * z + r) * b + window] = d
                }
            }
        }
        swap(&dCodes, &w.dCodes)
        let (frozen, flag) = (cvaeCount, active.offset)
        cvae.parameters.gradients.withUnsafeMutableBufferPointer {
            $0.baseAddress!.update(repeating: 0, count: frozen)
            $0[flag] = 0
        }
        codes.backward(w.dCodes, input: e.postInput, batch: b, parameters: p, gradients: &cvae.parameters.gradients,
                       weightGradients: .overwrite, inputGradient: nil)
        let reconstruction = bestSum / Double(b)
        let total = reconstruction + Double(lambda) * codeSquares / Double(b * kCount * z)
        return Loss(total: total, reconstruction: reconstruction, kl: 0)
    }

    /// The prior's log-variance clamped as sampling clamps it, so the sampler trains on what it will see.
    @inline(__always)
    func bounded(_ logVariance: Float) -> Float {
        min(max(logVariance, -TrajectoryCVAE.logVarianceBound), TrajectoryCVAE.logVarianceBound)
    }

    public func makeSamplingWorkspace(windows: Int, k: Int) -> TrajectoryCVAE.SamplingWorkspace {
        cvae.makeSamplingWorkspace(windows: windows, k: max(k, configuration.futures))   // the sampler decodes all K
    }

    /// Before the sampler trains: k samples of the prior (the CVAE's). After: k of the K learned
    /// futures chosen by `FutureSelection` under equal weights (the first is the one nearest the
    /// others in expected ADE + FDE), each with the share of the K it stands for as its probability;
    /// the same whatever `rng`.
    public func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace: TrajectoryCVAE.SamplingWorkspace) -> Samples {
        guard samplerActive else { return cvae.sample(windows, indices, k: k, using: &rng, workspace: workspace) }
        precondition(k <= configuration.futures, "at most \(configuration.futures) futures")
        let all = cvae.sample(windows, indices, k: configuration.futures, using: &rng, workspace: workspace, scale: 1,
                              latents: .codes(codes, count: configuration.futures))
        return FutureSelection.choose(k, of: all)
    }

    /// All K learned futures are the K futures in any order: no ranking.
    public func sampleInAnyOrder(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                                 workspace: TrajectoryCVAE.SamplingWorkspace) -> Samples {
        guard samplerActive, k == configuration.futures else {
            return sample(windows, indices, k: k, using: &rng, workspace: workspace)
        }
        return cvae.sample(windows, indices, k: k, using: &rng, workspace: workspace, scale: 1,
                           latents: .codes(codes, count: k))
    }

    public var trainingMultiplyAddsPerWindow: Int? { cvae.performedTrainingMultiplyAdds }
    public func samplingMultiplyAddsPerFuture(k: Int) -> Double? { cvae.samplingMultiplyAdds(k: k) }
}
