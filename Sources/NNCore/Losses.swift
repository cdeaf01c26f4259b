// Losses as forward/backward pairs: mean squared error, mean absolute error, and the KL terms of
// a VAE. Forward sums in Double; backward accumulates (scaled by the upstream gradient `scale`).
// Legend: B batch, Z latent; latent tensors are feature-major (Z, B).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// mean((p − t)²) over `count` values, as `F.mse_loss` (reduction "mean").
public func mseLoss(_ prediction: UnsafePointer<Float>, _ target: UnsafePointer<Float>, count: Int) -> Double {
    var sum = 0.0
    for i in 0..<count {
        let d = Double(prediction[i]) - Double(target[i])
        sum += d * d
    }
    return sum / Double(count)
}

/// dp += scale · 2 (p − t) / count.
public func mseLossBackward(_ prediction: UnsafePointer<Float>, _ target: UnsafePointer<Float>, count: Int,
                            scale: Float = 1, _ dPrediction: UnsafeMutablePointer<Float>) {
    let factor = scale * 2 / Float(count)
    for i in 0..<count { dPrediction[i] += factor * (prediction[i] - target[i]) }
}

/// mean(|p − t|) over `count` values, as `F.l1_loss`.
public func l1Loss(_ prediction: UnsafePointer<Float>, _ target: UnsafePointer<Float>, count: Int) -> Double {
    var sum = 0.0
    for i in 0..<count { sum += abs(Double(prediction[i]) - Double(target[i])) }
    return sum / Double(count)
}

/// dp += scale · sign(p − t) / count, with sign(0) = 0 as in PyTorch.
public func l1LossBackward(_ prediction: UnsafePointer<Float>, _ target: UnsafePointer<Float>, count: Int,
                           scale: Float = 1, _ dPrediction: UnsafeMutablePointer<Float>) {
    let factor = scale / Float(count)
    for i in 0..<count {
        let d = prediction[i] - target[i]
        if d > 0 { dPrediction[i] += factor } else if d < 0 { dPrediction[i] -= factor }
    }
}

/// KL(N(μ, σ²) ‖ N(0, I)) summed over Z and averaged over B, with σ = e^(lv/2) as computed by
/// `reparameterize`: −½ Σ (1 + lv − μ² − σ²) / B, the notebook's and Kingma & Welling's form.
public func klStandardNormal(mu: UnsafePointer<Float>, logVariance: UnsafePointer<Float>,
                             standardDeviation: UnsafePointer<Float>, latent: Int, batch: Int) -> Double {
    var sum = 0.0
    for i in 0..<(latent * batch) {
        let m = Double(mu[i]), s = Double(standardDeviation[i])
        sum += 1 + Double(logVariance[i]) - m * m - s * s
    }
    return -0.5 * sum / Double(batch)
}

/// dμ += scale · μ / B, dlv += scale · ½ (σ² − 1) / B.
public func klStandardNormalBackward(mu: UnsafePointer<Float>, standardDeviation: UnsafePointer<Float>, latent: Int,
                                     batch: Int, scale: Float = 1, dMu: UnsafeMutablePointer<Float>,
                                     dLogVariance: UnsafeMutablePointer<Float>) {
    let factor = scale / Float(batch)
    for i in 0..<(latent * batch) {
        dMu[i] += factor * mu[i]
        dLogVariance[i] += factor * 0.5 * (standardDeviation[i] * standardDeviation[i] - 1)
    }
}

/// KL(q ‖ p) of two diagonal Gaussians q = N(μq, e^lvq), p = N(μp, e^lvp), summed over Z and
/// averaged over B: ½ Σ (lvp − lvq + (e^lvq + (μq − μp)²) / e^lvp − 1) / B. Used with a learned prior.
/// Each term in Float, sixteen at a time through `exp16`; the sum in Double.
public func klGaussians(muQ: UnsafePointer<Float>, logVarianceQ: UnsafePointer<Float>,
                        muP: UnsafePointer<Float>, logVarianceP: UnsafePointer<Float>,
                        latent: Int, batch: Int) -> Double {
    let count = latent * batch
    var sum = 0.0
    var i = 0
    while i < count {
        let lanes = min(16, count - i)
        let lvq = gatherLanes(logVarianceQ + i, lanes), lvp = gatherLanes(logVarianceP + i, lanes)
        let d = gatherLanes(muQ + i, lanes) - gatherLanes(muP + i, lanes)
        let terms = lvp - lvq + (exp16(lvq) + d * d) * exp16(-lvp) - 1
        for l in 0..<lanes { sum += Double(terms[l]) }
        i += 16
    }
    return 0.5 * sum / Double(batch)
}

/// The gradients of `klGaussians` times `scale`, accumulated into all four inputs.
public func klGaussiansBackward(muQ: UnsafePointer<Float>, logVarianceQ: UnsafePointer<Float>,
                                muP: UnsafePointer<Float>, logVarianceP: UnsafePointer<Float>,
                                latent: Int, batch: Int, scale: Float = 1,
                                dMuQ: UnsafeMutablePointer<Float>, dLogVarianceQ: UnsafeMutablePointer<Float>,
                                dMuP: UnsafeMutablePointer<Float>, dLogVarianceP: UnsafeMutablePointer<Float>) {
    let factor = scale / Float(batch)
    let count = latent * batch
    var i = 0
    while i < count {
        let lanes = min(16, count - i)
        let inversePrior = exp16(-gatherLanes(logVarianceP + i, lanes))
        let d = gatherLanes(muQ + i, lanes) - gatherLanes(muP + i, lanes)
        let varianceQ = exp16(gatherLanes(logVarianceQ + i, lanes))
        let dMu = factor * d * inversePrior
        scatterLanes(gatherLanes(dMuQ + i, lanes) + dMu, dMuQ + i, lanes)
        scatterLanes(gatherLanes(dMuP + i, lanes) - dMu, dMuP + i, lanes)
        scatterLanes(gatherLanes(dLogVarianceQ + i, lanes) + factor * 0.5 * (varianceQ * inversePrior - 1),
                     dLogVarianceQ + i, lanes)
        scatterLanes(gatherLanes(dLogVarianceP + i, lanes) + factor * 0.5 * (1 - (varianceQ + d * d) * inversePrior),
                     dLogVarianceP + i, lanes)
        i += 16
    }
}

/// The reparameterisation z = μ + ε · σ with σ = e^(lv/2), ε drawn by the caller (so it can be
/// replayed). σ is written out for the KL term and the backward pass, which need it again.
public func reparameterize(mu: UnsafePointer<Float>, logVariance: UnsafePointer<Float>, epsilon: UnsafePointer<Float>,
                           count: Int, _ z: UnsafeMutablePointer<Float>,
                           standardDeviation: UnsafeMutablePointer<Float>) {
    var i = 0
    while i < count {
        let lanes = min(16, count - i)
        let sigma = exp16(0.5 * gatherLanes(logVariance + i, lanes))
        scatterLanes(sigma, standardDeviation + i, lanes)
        scatterLanes(gatherLanes(mu + i, lanes) + gatherLanes(epsilon + i, lanes) * sigma, z + i, lanes)
        i += 16
    }
}

/// dμ += dz, dlv += dz · ε · ½ σ.
public func reparameterizeBackward(_ dz: UnsafePointer<Float>, epsilon: UnsafePointer<Float>,
                                   standardDeviation: UnsafePointer<Float>, count: Int,
                                   dMu: UnsafeMutablePointer<Float>, dLogVariance: UnsafeMutablePointer<Float>) {
    for i in 0..<count {
        dMu[i] += dz[i]
        dLogVariance[i] += dz[i] * epsilon[i] * 0.5 * standardDeviation[i]
    }
}
