// K anchors per group of walkers: k-means++ (Arthur & Vassilvitskii 2007) then Lloyd iterations
// over the normalised futures (in each window's agent frame) of the training windows, separately
// for moving and static windows, with each anchor's share of its group (a prior probability).
// Legend: N windows of a group, K anchors, D = 2P values of a future.
import NNCore
import TrajectoryData

public struct AnchorSet: Equatable, Sendable {
    /// (K, D) for moving windows and for static ones, in the agent frame.
    public var moving: [Float]
    public var still: [Float]
    /// (K): the share of the group's training futures nearest each anchor.
    public var movingShare: [Float]
    public var stillShare: [Float]
    public let count: Int
    public let size: Int

    /// Anchors of the futures of every window of `windows` (and of their mirror images with `mirror`).
    public static func fit(_ windows: WindowSet, count k: Int, iterations: Int, mirror: Bool,
                           using rng: inout Xoshiro256) -> AnchorSet {
        let d = 2 * windows.predicted
        var moving: [Float] = [], still: [Float] = []
        for n in 0..<windows.count {
            for m: Float in mirror ? [1, -1] : [1] {
                let frame = AgentFrame.of(windows, n, mirror: m)
                let future = windows.futurePositions(n)
                for t in 0..<windows.predicted {
                    let i = future.startIndex + 2 * t
                    let q = frame.normalise(SIMD2(future[i], m * future[i + 1]))
                    if frame.moving { moving += [q.x, q.y] } else { still += [q.x, q.y] }
                }
            }
        }
        // A group without windows: walking straight on at unit speed, or standing.
        let walking: [Float] = (0..<d).map { (i: Int) -> Float in i % 2 == 0 ? Float(i / 2 + 1) : 0 }
        let (movingCentres, movingShare) = kMeans(moving, size: d, k: k, iterations: iterations, empty: walking, using: &rng)
        let (stillCentres, stillShare) = kMeans(still, size: d, k: k, iterations: iterations,
                                                empty: [Float](repeating: 0, count: d), using: &rng)
        return AnchorSet(moving: movingCentres, still: stillCentres, movingShare: movingShare, stillShare: stillShare,
                         count: k, size: d)
    }

    public init(moving: [Float], still: [Float], movingShare: [Float], stillShare: [Float], count: Int, size: Int) {
        (self.moving, self.still, self.movingShare, self.stillShare) = (moving, still, movingShare, stillShare)
        (self.count, self.size) = (count, size)
    }

    /// k-means++ seeding, then `iterations` Lloyd steps (an empty cluster keeps its centre); the
    /// shares come from a last assignment. Fewer points than k: the points repeat.
    static func kMeans(_ points: [Float], size d: Int, k: Int, iterations: Int, empty: [Float],
                       using rng: inout Xoshiro256) -> (centres: [Float], shares: [Float]) {
        let n = points.count / d
        guard n > 0 else {
            return (Array([[Float]](repeating: empty, count: k).joined()), [Float](repeating: 1 / Float(k), count: k))
        }
        var centres = [Float](repeating: 0, count: k * d)
        func distance(_ p: Int, _ c: Int) -> Float {
            var sum: Float = 0
            for j in 0..<d {
                let e = points[p * d + j] - centres[c * d + j]
                sum += e * e
            }
            return sum
        }
        var chosen = rng.below(n)
        for j in 0..<d { centres[j] = points[chosen * d + j] }
        var nearest = (0..<n).map { distance($0, 0) }
        for c in 1..<k {
            let total = nearest.reduce(0.0) { $0 + Double($1) }
            if total > 0 {
                var target = rng.uniformDouble() * total
                chosen = n - 1
                for p in 0..<n {
                    target -= Double(nearest[p])
                    if target < 0 { chosen = p; break }
                }
            } else {
                chosen = rng.below(n)
            }
            for j in 0..<d { centres[c * d + j] = points[chosen * d + j] }
            for p in 0..<n { nearest[p] = min(nearest[p], distance(p, c)) }
        }
        var labels = [Int](repeating: 0, count: n)
        // Each point's nearest centre, eight centres at a time: lane l of group g sums centre
        // 8g + l's squared differences in the order of the plain loop, so the distances are the
        // same to the bit, and so are the labels (ties to the lower centre). It says whether any
        // label changed.
        let groups = (k + 7) / 8
        var transposed = [SIMD8<Float>](repeating: SIMD8(repeating: .infinity), count: groups * d)
        func assign() -> Bool {
            for c in 0..<k {
                for j in 0..<d { transposed[(c / 8) * d + j][c % 8] = centres[c * d + j] }
            }
            var changed = false
            points.withUnsafeBufferPointer { points in
                transposed.withUnsafeBufferPointer { centres in
                    for p in 0..<n {
                        var best = 0, bestDistance = Float.infinity
                        let point = points.baseAddress! + p * d
                        for g in 0..<groups {
                            var sum = SIMD8<Float>()
                            for j in 0..<d {
                                let e = SIMD8(repeating: point[j]) - centres[g * d + j]
                                sum += e * e
                            }
                            for l in 0..<min(8, k - 8 * g) where sum[l] < bestDistance { (best, bestDistance) = (8 * g + l, sum[l]) }
                        }
                        if labels[p] != best { (labels[p], changed) = (best, true) }
                    }
                }
            }
            return changed
        }
        // Once no label changes the centres are a fixed point: the remaining iterations would
        // leave them as they are.
        for iteration in 0..<iterations {
            if !assign(), iteration > 0 { break }
            var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
            for p in 0..<n {
                counts[labels[p]] += 1
                for j in 0..<d { sums[labels[p] * d + j] += Double(points[p * d + j]) }
            }
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { centres[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
            }
        }
        _ = assign()
        var counts = [Float](repeating: 0, count: k)
        for label in labels { counts[label] += 1 }
        return (centres, counts.map { $0 / Float(n) })
    }

    /// Anchor a of the group of `frame`, as (P) positions in the frame.
    @inline(__always)
    public func anchor(_ a: Int, moving isMoving: Bool) -> ArraySlice<Float> {
        (isMoving ? moving : still)[(a * size)..<((a + 1) * size)]
    }

    public func shares(moving isMoving: Bool) -> [Float] { isMoving ? movingShare : stillShare }
}

/// Where a model keeps its anchors among its parameters (so checkpoints store them like weights):
/// `anchors.moving` and `anchors.still` (K, 2P), `anchors.moving_share` and `anchors.still_share` (K).
public struct AnchorParameters: Sendable {
    public let moving: ParameterRange, still: ParameterRange
    public let movingShare: ParameterRange, stillShare: ParameterRange
    public let count: Int, size: Int

    public init(count: Int, predicted: Int, in parameters: inout ParameterSet) {
        (self.count, size) = (count, 2 * predicted)
        moving = parameters.add("anchors.moving", shape: [count, 2 * predicted])
        still = parameters.add("anchors.still", shape: [count, 2 * predicted])
        movingShare = parameters.add("anchors.moving_share", shape: [count])
        stillShare = parameters.add("anchors.still_share", shape: [count])
    }

    public func store(_ anchors: AnchorSet, in values: inout [Float]) {
        values.replaceSubrange(moving.range, with: anchors.moving)
        values.replaceSubrange(still.range, with: anchors.still)
        values.replaceSubrange(movingShare.range, with: anchors.movingShare)
        values.replaceSubrange(stillShare.range, with: anchors.stillShare)
    }

    public func read(_ values: [Float]) -> AnchorSet {
        AnchorSet(moving: Array(values[moving.range]), still: Array(values[still.range]),
                  movingShare: Array(values[movingShare.range]), stillShare: Array(values[stillShare.range]),
                  count: count, size: size)
    }

    /// Zero gradients for the anchors: they are fitted, never trained.
    public func zeroGradients(_ gradients: inout [Float]) {
        for range in [moving, still, movingShare, stillShare] {
            gradients.replaceSubrange(range.range, with: repeatElement(0, count: range.count))
        }
    }
}
