// `wta`: K futures built on anchors. A trunk (two ReLU layers of H) reads a window in its agent
// frame (observed positions but the origin, whether it moves and, by default, its speed and the
// nearest other walker within 2 m); K
// residual heads add to the group's K anchors; the loss of a window is the ADE of its future of least
// ADE + the FDE of its future of least FDE, in meters, and only those heads get a gradient (winner
// takes all; `split-winners=0`: ADE + FDE of the one best at both). A score head (K logits on the
// trunk, trained with cross-entropy to name the winning head — or, with a temperature, every head
// by how close it came — its gradient kept out of the trunk) weighs the futures; k < K returns k of
// them chosen by `FutureSelection` (k = 1: the future of least expected error under those weights).
//   x (I, B) → h1 = ReLU(W1 x + b1) (H, B) → h2 = ReLU(W2 h1 + b2) (H, B)
//   residuals = W3 h2 + b3 (K·2P, B), zero-initialised; logits = W4 h2 + b4 (K, B), zero-initialised
// Legend: B batch, I inputs, H hidden, K futures, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

public struct WTAModel: ForecastModel {
    public static let family = "wta"

    public let configuration: WTAConfiguration
    public var parameters = ParameterSet()
    let anchors: AnchorParameters
    let trunk1: Linear, trunk2: Linear, heads: Linear, score: Linear
    /// With the speed input: the range of ln(speed / 0.5 m) it is clamped to, the 1st and 99th
    /// percentiles of the training windows' (fitted in `prepare`, never trained), so a speed no
    /// training walker had reads as the nearest one seen.
    let speedRange: ParameterRange?

    /// Layers `trunk.0`, `trunk.2` (He-normal weights, zero biases), `heads` and `score` (zero).
    public init(_ configuration: WTAConfiguration, using rng: inout Xoshiro256) {
        self.configuration = configuration
        let h = configuration.hidden, k = configuration.futures
        var p = ParameterSet()
        anchors = AnchorParameters(count: k, predicted: configuration.predicted, in: &p)
        trunk1 = Linear(inputSize: configuration.inputSize, outputSize: h, name: "trunk.0", in: &p)
        trunk2 = Linear(inputSize: h, outputSize: h, name: "trunk.2", in: &p)
        heads = Linear(inputSize: h, outputSize: k * configuration.futureSize, name: "heads", in: &p)
        score = Linear(inputSize: h, outputSize: k, name: "score", in: &p)
        speedRange = configuration.speedInput ? p.add("speed.range", shape: [2]) : nil
        for layer in [trunk1, trunk2] {
            let deviation = (2 / Float(layer.inputSize)).squareRoot()
            for i in layer.weight.range { p.values[i] = deviation * rng.normal() }
        }
        parameters = p
    }

    public mutating func prepare(_ windows: WindowSet, mirror: Bool, using rng: inout Xoshiro256) {
        anchors.store(AnchorSet.fit(windows, count: configuration.futures, iterations: configuration.iterations,
                                    mirror: mirror, using: &rng), in: &parameters.values)
        if let speedRange {
            var speeds: [Float] = []
            for n in 0..<windows.count {
                let frame = AgentFrame.of(windows, n)
                if frame.moving { speeds.append(Self.speedFeature(frame)) }
            }
            speeds.sort()
            let range = speeds.isEmpty ? [0, 0] : [speeds[speeds.count / 100], speeds[(speeds.count - 1) * 99 / 100]]
            parameters.values.replaceSubrange(speedRange.range, with: range)
        }
    }

    /// The longest step of a neighbour read, in meters (the walker's own are capped at the same).
    static let longestNeighbourStep: Float = 4

    /// ln(speed / 0.5 m per step) of a moving walker's frame.
    static func speedFeature(_ frame: AgentFrame) -> Float { log(1 / frame.scale / 0.5) }

    public var maximumFutures: (k: Int, option: String)? { (configuration.futures, "--model-option futures=N") }

    /// Forward buffers for up to `capacity` windows, and the training pass's gradients.
    public final class Workspace {
        public let capacity: Int
        var x: [Float], h1: [Float], h2: [Float]            // (I, B), (H, B), (H, B)
        var residuals: [Float], logits: [Float]             // (K·2P, B), (K, B)
        var target: [Float]                                 // (2P, B), in the frame
        var frames: [AgentFrame]
        var dResiduals: [Float], dLogits: [Float], dH2: [Float], dH1: [Float]
        /// Every head's ADE and FDE in the frame, (K, B); 1 for a moving window, else 0, (B).
        var averages: [Float], finals: [Float], movingFlags: [Float]
        /// The rows of `dResiduals` the loss wrote, column by column: column j's are
        /// `writtenRows[rowStarts[j]..<rowStarts[j + 1]]`, increasing.
        var writtenRows: [Int32], rowStarts: [Int32]
        /// Whether the heads' backward pass reads the written rows alone; nil: when that gives the dense
        /// pass's bits and is the less work (tests set it to compare the two).
        var sparseHeads: Bool?
        /// Whether the last step's heads' backward pass read the written rows alone (for tests).
        var tookSparseHeads = false
        /// The neighbours read for the window at hand (scratch).
        var nearest: [NearNeighbour] = []

        init(_ c: WTAConfiguration, capacity b: Int) {
            capacity = b
            func buffer(_ rows: Int) -> [Float] { [Float](repeating: 0, count: rows * b) }
            (x, h1, h2) = (buffer(c.inputSize), buffer(c.hidden), buffer(c.hidden))
            (residuals, logits, target) = (buffer(c.futures * c.futureSize), buffer(c.futures), buffer(c.futureSize))
            frames = [AgentFrame](repeating: AgentFrame(cos: 1, sin: 0, scale: 1, moving: false), count: b)
            (dResiduals, dLogits) = (buffer(c.futures * c.futureSize), buffer(c.futures))
            (dH2, dH1) = (buffer(c.hidden), buffer(c.hidden))
            (averages, finals, movingFlags) = (buffer(c.futures), buffer(c.futures), buffer(1))
            writtenRows = [Int32](repeating: 0, count: c.futures * c.futureSize * b)
            rowStarts = [Int32](repeating: 0, count: b + 1)
            nearest.reserveCapacity(c.neighbours + 1)
        }
    }

    /// A neighbour read: who, where relative to the walker's origin at the last observed step (meters),
    /// its squared distance, and where a step before (mirrored as the window is).
    struct NearNeighbour {
        var agent: Int
        var position: SIMD2<Double>
        var distance: Double
        var previous: SIMD2<Float>
    }

    public func makeTrainingWorkspace(capacity: Int) -> Workspace { Workspace(configuration, capacity: capacity) }
    public func makeSamplingWorkspace(windows: Int, k: Int) -> Workspace {
        Workspace(configuration, capacity: min(windows, 256))
    }

    /// Frames and inputs of windows `indices` into `w` (mirrored by `mirror` when given), and with
    /// `targets` their futures in the frame: observed steps only for the inputs.
    func features(_ windows: WindowSet, _ indices: ArraySlice<Int>, mirror: UnsafePointer<Float>?, targets: Bool,
                  into w: Workspace) {
        let b = indices.count, c = configuration
        for (column, n) in indices.enumerated() {
            let m = mirror?[column] ?? 1
            // The window's positions are read in place (or from its track), never copied to an array.
            let frame = windows.withRelativePositions(n) { positions in
                let frame = AgentFrame(observed: positions, steps: c.observed, mirror: m)
                for t in 0..<(c.observed - 1) {
                    let q = frame.normalise(SIMD2(positions[2 * t], m * positions[2 * t + 1]))
                    w.x[(2 * t) * b + column] = q.x
                    w.x[(2 * t + 1) * b + column] = q.y
                }
                guard targets else { return frame }
                for t in 0..<c.predicted {
                    let i = 2 * (c.observed + t)
                    let q = frame.normalise(SIMD2(positions[i], m * positions[i + 1]))
                    w.target[(2 * t) * b + column] = q.x
                    w.target[(2 * t + 1) * b + column] = q.y
                }
                return frame
            }
            w.frames[column] = frame
            w.x[(c.speedOffset - 1) * b + column] = frame.moving ? 1 : 0
            if let speedRange {
                let (lower, upper) = (parameters.values[speedRange.offset], parameters.values[speedRange.offset + 1])
                w.x[c.speedOffset * b + column] = frame.moving ? min(max(Self.speedFeature(frame), lower), upper) : 0
            }
            if c.neighbours > 0 { neighbourFeatures(windows, n, frame: frame, mirror: m, column: column, batch: b, into: w) }
        }
    }

    /// The nearest `neighbours` others at the last observed step within `neighbourRadius` meters (any
    /// distance when 0), nearest first: position and velocity (backward difference; 0 for one not
    /// there a step before; at most 4 m long) in the walker's frame, and 1 for present (zeros for
    /// missing ones). Observed steps only.
    func neighbourFeatures(_ windows: WindowSet, _ n: Int, frame: AgentFrame, mirror m: Float, column: Int, batch b: Int,
                           into w: Workspace) {
        let c = configuration
        let radius = Double(c.neighbourRadius)
        // The nearest within the radius, nearest first (ties in the order the scene lists them), kept
        // in the workspace (no allocation per window); each one's position a step before is its
        // position until that step is read.
        w.nearest.removeAll(keepingCapacity: true)
        windows.forEachNeighbour(of: n, atObservedStep: c.observed - 1) { agent, position in
            let distance = (position * position).sum()
            guard radius == 0 || distance <= radius * radius else { return }
            guard w.nearest.count < c.neighbours || distance < w.nearest[w.nearest.count - 1].distance else { return }
            let slot = w.nearest.firstIndex { distance < $0.distance } ?? w.nearest.count
            w.nearest.insert(NearNeighbour(agent: agent, position: position, distance: distance,
                                           previous: SIMD2(Float(position.x), m * Float(position.y))), at: slot)
            if w.nearest.count > c.neighbours { w.nearest.removeLast() }
        }
        if !w.nearest.isEmpty {
            windows.forEachNeighbour(of: n, atObservedStep: c.observed - 2) { agent, position in
                if let slot = w.nearest.firstIndex(where: { $0.agent == agent }) {
                    w.nearest[slot].previous = SIMD2(Float(position.x), m * Float(position.y))
                }
            }
        }
        for slot in 0..<c.neighbours {
            let base = c.neighbourOffset + 5 * slot
            guard slot < w.nearest.count else {
                for i in 0..<5 { w.x[(base + i) * b + column] = 0 }
                continue
            }
            let other = w.nearest[slot]
            let p = SIMD2(Float(other.position.x), m * Float(other.position.y))
            // A neighbour's step is read as at most 4 m long, as the walker's own observed steps are
            // shortened (a tracker's jump, an identity swap, must not become a huge input).
            var step = p - other.previous
            let length = (step * step).sum().squareRoot()
            if length > Self.longestNeighbourStep { step *= Self.longestNeighbourStep / length }
            let q = frame.normalise(p), v = frame.normalise(step)
            w.x[base * b + column] = q.x
            w.x[(base + 1) * b + column] = q.y
            w.x[(base + 2) * b + column] = v.x
            w.x[(base + 3) * b + column] = v.y
            w.x[(base + 4) * b + column] = 1
        }
    }

    /// Trunk, heads and score for `b` windows whose inputs are in `w`.
    func forward(batch b: Int, workspace w: Workspace) {
        let p = parameters.values
        trunk1.forward(w.x, batch: b, parameters: p, output: &w.h1, activation: .relu)
        trunk2.forward(w.h1, batch: b, parameters: p, output: &w.h2, activation: .relu)
        heads.forward(w.h2, batch: b, parameters: p, output: &w.residuals)
        score.forward(w.h2, batch: b, parameters: p, output: &w.logits)
    }

    /// Future k of column `column` at step t, in the frame: anchor + residual.
    @inline(__always)
    func future(_ k: Int, _ t: Int, column: Int, batch b: Int, anchors set: AnchorSet, moving: Bool, w: Workspace)
        -> SIMD2<Float>
    {
        let anchor = set.anchor(k, moving: moving), row = k * configuration.futureSize + 2 * t
        return SIMD2(anchor[anchor.startIndex + 2 * t] + w.residuals[row * b + column],
                     anchor[anchor.startIndex + 2 * t + 1] + w.residuals[(row + 1) * b + column])
    }

    /// Every head's ADE and FDE in the frame for the `b` windows in `w`, into `w.averages` and `w.finals`
    /// (K, B): the batch along the vectors. Each distance is `future(…) − truth` and its length by the
    /// same operations in the same order as one window at a time, so the same bits.
    func headErrors(batch b: Int, anchors set: AnchorSet, workspace w: Workspace) {
        let c = configuration, steps = c.predicted, size = c.futureSize
        for column in 0..<b { w.movingFlags[column] = w.frames[column].moving ? 1 : 0 }
        let vectors = b & ~15
        w.residuals.withUnsafeBufferPointer { residuals in
        w.target.withUnsafeBufferPointer { target in
        w.movingFlags.withUnsafeBufferPointer { flags in
        w.averages.withUnsafeMutableBufferPointer { averages in
        w.finals.withUnsafeMutableBufferPointer { finals in
        set.moving.withUnsafeBufferPointer { movingAnchors in
        set.still.withUnsafeBufferPointer { stillAnchors in
            let r = residuals.baseAddress!, truth = target.baseAddress!, moving = flags.baseAddress!
            for k in 0..<c.futures {
                let movingAnchor = movingAnchors.baseAddress! + k * size, stillAnchor = stillAnchors.baseAddress! + k * size
                let rows = r + k * size * b
                var j = 0
                while j < vectors {
                    let isMoving = load16(moving + j) .> 0
                    var sum = SIMD16<Float>(), last = SIMD16<Float>()
                    for t in 0..<steps {
                        let anchorX = SIMD16(repeating: stillAnchor[2 * t]).replacing(with: movingAnchor[2 * t], where: isMoving)
                        let anchorY = SIMD16(repeating: stillAnchor[2 * t + 1])
                            .replacing(with: movingAnchor[2 * t + 1], where: isMoving)
                        let ex = (anchorX + load16(rows + (2 * t) * b + j)) - load16(truth + (2 * t) * b + j)
                        let ey = (anchorY + load16(rows + (2 * t + 1) * b + j)) - load16(truth + (2 * t + 1) * b + j)
                        last = (ex * ex + ey * ey + 1e-9).squareRoot()
                        sum += last
                    }
                    store16(sum / Float(steps), averages.baseAddress! + k * b + j)
                    store16(last, finals.baseAddress! + k * b + j)
                    j += 16
                }
                while j < b {
                    let anchor = moving[j] > 0 ? movingAnchor : stillAnchor
                    var sum: Float = 0, last: Float = 0
                    for t in 0..<steps {
                        let ex = (anchor[2 * t] + rows[(2 * t) * b + j]) - truth[(2 * t) * b + j]
                        let ey = (anchor[2 * t + 1] + rows[(2 * t + 1) * b + j]) - truth[(2 * t + 1) * b + j]
                        last = (ex * ex + ey * ey + 1e-9).squareRoot()
                        sum += last
                    }
                    averages[k * b + j] = sum / Float(steps)
                    finals[k * b + j] = last
                    j += 1
                }
            }
        }}}}}}}
    }

    /// The `count` lowest of `costs` in order (ties to the lower index), by insertion.
    static func bestHeads(_ costs: [Float], count: Int, into heads: inout [Int]) {
        var filled = 0
        for k in costs.indices {
            var slot = min(filled, count)
            while slot > 0, costs[k] < costs[heads[slot - 1]] { slot -= 1 }
            guard slot < count else { continue }
            var i = min(filled, count - 1)
            while i > slot { heads[i] = heads[i - 1]; i -= 1 }
            heads[slot] = k
            filled += 1
        }
    }

    /// loss = mean over windows of (ADE + FDE)/scale of the best future (meters) — early in the run,
    /// the mean over the best few (`WTAConfiguration.winnerCount`); with `splitWinners`, the ADE of
    /// the best by ADE + the FDE of the best by FDE — + the score's cross-entropy with the best head
    /// (by ADE + FDE) as its label; gradients written, × share.
    public mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace w: Workspace,
                                      using rng: inout Xoshiro256, share: Float) -> Loss {
        let b = batch.count, c = configuration, kCount = c.futures, steps = c.predicted
        let winnerCount = c.winnerCount(epoch: epoch, epochs: batch.epochs)
        features(batch.windows, batch.indices, mirror: batch.mirror, targets: true, into: w)
        if c.inputNoise > 0 {
            // The observed positions read, jittered: σ meters in the frame's scale (isotropic, so the
            // rotation does not matter).
            for row in 0..<(2 * (c.observed - 1)) {
                for column in 0..<b { w.x[row * b + column] += c.inputNoise * w.frames[column].scale * rng.normal() }
            }
        }
        forward(batch: b, workspace: w)
        let set = anchors.read(parameters.values)
        let perWindow = share / Float(b)
        w.dResiduals.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        var wtaSum = 0.0, crossEntropySum = 0.0
        var costs = [Float](repeating: 0, count: kCount), targets = [Float](repeating: 0, count: kCount)
        // The heads that take the loss (split: `winners` the ADE's, `finalWinners` the FDE's).
        var winners = [Int](repeating: 0, count: winnerCount), finalWinners = [Int](repeating: 0, count: winnerCount)
        var averages = [Float](repeating: 0, count: kCount), finals = [Float](repeating: 0, count: kCount)
        // Which rows of each head a window's loss writes: 0 none, 1 the last step's, 2 all.
        var written = [UInt8](repeating: 0, count: kCount)
        var rowCount = 0
        w.rowStarts[0] = 0
        headErrors(batch: b, anchors: set, workspace: w)
        for column in 0..<b {
            let frame = w.frames[column]
            // The winner: the future of least ADE + FDE (in the frame; the scale is the window's own).
            var best = 0, bestCost = Float.infinity
            for k in 0..<kCount {
                (averages[k], finals[k]) = (w.averages[k * b + column], w.finals[k * b + column])
                let cost = averages[k] + finals[k]
                costs[k] = cost
                if cost < bestCost { (best, bestCost) = (k, cost) }
            }
            // The heads that share the loss: the best, or early in the run the best few, in order of
            // cost (ties to the lower head). Split: the ADE's by ADE, the FDE's by FDE.
            if c.splitWinners {
                Self.bestHeads(averages, count: winnerCount, into: &winners)
                Self.bestHeads(finals, count: winnerCount, into: &finalWinners)
            } else {
                Self.bestHeads(costs, count: winnerCount, into: &winners)
            }
            // The score's target: the winner, or every head by how close it came (in meters).
            if c.scoreTemperature > 0 {
                let temperature = c.scoreTemperature * frame.scale
                var total: Float = 0
                for k in 0..<kCount {
                    targets[k] = expf(-(costs[k] - bestCost) / temperature)
                    total += targets[k]
                }
                for k in 0..<kCount { targets[k] /= total }
            } else {
                for k in 0..<kCount { targets[k] = k == best ? 1 : 0 }
            }
            // Each sharing head's gradient: d(ADE + FDE)/d(future) = unit error / P at every step, + unit
            // error at the last; the loss is their mean. Split: the ADE's part to the ADE's heads, the
            // FDE's to the FDE's.
            let weight = perWindow / frame.scale / Float(winnerCount)
            var shared: Float = 0
            if !c.splitWinners {
                for head in winners {
                    shared += costs[head]
                    for t in 0..<steps {
                        let truth = SIMD2(w.target[(2 * t) * b + column], w.target[(2 * t + 1) * b + column])
                        let e = future(head, t, column: column, batch: b, anchors: set, moving: frame.moving, w: w) - truth
                        let unit = e / ((e * e).sum() + 1e-9).squareRoot()
                        var g = unit / Float(steps)
                        if t == steps - 1 { g += unit }
                        let row = head * c.futureSize + 2 * t
                        w.dResiduals[row * b + column] = weight * g.x
                        w.dResiduals[(row + 1) * b + column] = weight * g.y
                    }
                }
            } else {
                // Adds d(|error at t|)/d(future) / divisor at steps `range` of `head`.
                func pull(_ head: Int, _ range: Range<Int>, divisor: Float) {
                    for t in range {
                        let truth = SIMD2(w.target[(2 * t) * b + column], w.target[(2 * t + 1) * b + column])
                        let e = future(head, t, column: column, batch: b, anchors: set, moving: frame.moving, w: w) - truth
                        let g = e / ((e * e).sum() + 1e-9).squareRoot() / divisor
                        let row = head * c.futureSize + 2 * t
                        w.dResiduals[row * b + column] += weight * g.x
                        w.dResiduals[(row + 1) * b + column] += weight * g.y
                    }
                }
                for head in winners {
                    shared += averages[head]
                    pull(head, 0..<steps, divisor: Float(steps))
                }
                for head in finalWinners {
                    shared += finals[head]
                    pull(head, (steps - 1)..<steps, divisor: 1)
                }
            }
            wtaSum += Double(shared / Float(winnerCount) / frame.scale)
            // The rows written, head by head.
            for head in winners { written[head] = 2 }
            if c.splitWinners { for head in finalWinners { written[head] = max(written[head], 1) } }
            for k in 0..<kCount where written[k] > 0 {
                for row in (written[k] == 2 ? 0 : c.futureSize - 2)..<c.futureSize {
                    w.writtenRows[rowCount] = Int32(k * c.futureSize + row)
                    rowCount += 1
                }
                written[k] = 0
            }
            w.rowStarts[column + 1] = Int32(rowCount)
            // The score: softmax cross-entropy with the target.
            var top = -Float.infinity
            for k in 0..<kCount { top = max(top, w.logits[k * b + column]) }
            var total: Float = 0
            for k in 0..<kCount { total += expf(w.logits[k * b + column] - top) }
            for k in 0..<kCount where targets[k] > 0 {
                crossEntropySum += Double(targets[k] * (logf(total) + top - w.logits[k * b + column]))
            }
            for k in 0..<kCount {
                let probability = expf(w.logits[k * b + column] - top) / total
                w.dLogits[k * b + column] = perWindow * (probability - targets[k])
            }
        }
        anchors.zeroGradients(&parameters.gradients)
        if let speedRange { parameters.gradients.replaceSubrange(speedRange.range, with: [0, 0]) }
        let p = parameters.values
        // The heads' gradient reaches the written rows alone: one or two heads per window once the winners
        // have narrowed, all of them early on.
        w.tookSparseHeads = w.sparseHeads ?? (heads.sparseBackwardIsExact(batch: b) && 3 * rowCount <= heads.outputSize * b)
        if w.tookSparseHeads {
            heads.backwardSparse(w.dResiduals, rows: w.writtenRows, starts: w.rowStarts, input: w.h2, batch: b,
                                 parameters: p, gradients: &parameters.gradients, inputGradient: &w.dH2, inputMask: w.h2)
        } else {
            heads.backward(w.dResiduals, input: w.h2, batch: b, parameters: p, gradients: &parameters.gradients,
                           weightGradients: .overwrite, inputGradient: &w.dH2, inputGradients: .overwrite, inputMask: w.h2)
        }
        // The score learns from the trunk's features without changing them.
        score.backward(w.dLogits, input: w.h2, batch: b, parameters: p, gradients: &parameters.gradients,
                       weightGradients: .overwrite, inputGradient: nil)
        trunk2.backward(w.dH2, input: w.h1, batch: b, parameters: p, gradients: &parameters.gradients,
                        weightGradients: .overwrite, inputGradient: &w.dH1, inputGradients: .overwrite, inputMask: w.h1)
        trunk1.backward(w.dH1, input: w.x, batch: b, parameters: p, gradients: &parameters.gradients,
                        weightGradients: .overwrite, inputGradient: nil)
        let wta = wtaSum / Double(b), crossEntropy = crossEntropySum / Double(b)
        return Loss(total: wta + crossEntropy, reconstruction: wta, kl: 0)
    }

    /// k of the K futures in the order of `FutureSelection` under the score's softmax (the first of
    /// least expected ADE + FDE, each next one lowering the expected error of the best most), each with
    /// the weight of the futures it stands for as its probability; in meters relative to the origin.
    /// Draws nothing from `rng`.
    public func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace w: Workspace) -> Samples {
        precondition(k <= configuration.futures, "at most \(configuration.futures) futures")
        return FutureSelection.choose(k, of: allFutures(windows, indices, workspace: w))
    }

    /// All K futures are the K futures in any order: no ranking.
    public func sampleInAnyOrder(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                                 workspace w: Workspace) -> Samples {
        k == configuration.futures ? allFutures(windows, indices, workspace: w)
            : sample(windows, indices, k: k, using: &rng, workspace: w)
    }

    /// The K futures of each window in head order, with the score's softmax as their probabilities.
    func allFutures(_ windows: WindowSet, _ indices: ArraySlice<Int>, workspace w: Workspace) -> Samples {
        let c = configuration, set = anchors.read(parameters.values)
        var all = Samples(windows: indices.count, k: c.futures, predicted: c.predicted,
                          probabilities: [Float](repeating: 0, count: indices.count * c.futures))
        var start = indices.startIndex
        while start < indices.endIndex {
            let chunk = indices[start..<min(indices.endIndex, start + w.capacity)]
            let b = chunk.count
            features(windows, chunk, mirror: nil, targets: false, into: w)
            forward(batch: b, workspace: w)
            for column in 0..<b {
                let frame = w.frames[column], n = start - indices.startIndex + column
                let logits = (0..<c.futures).map { w.logits[$0 * b + column] }
                let top = logits.max()!
                let total = logits.reduce(Float(0)) { $0 + expf($1 - top) }
                for f in 0..<c.futures {
                    let base = all.offset(window: n, sample: f)
                    for t in 0..<c.predicted {
                        let p = frame.denormalise(future(f, t, column: column, batch: b, anchors: set, moving: frame.moving, w: w))
                        (all.values[base + 2 * t], all.values[base + 2 * t + 1]) = (p.x, p.y)
                    }
                    all.probabilities![n * c.futures + f] = expf(logits[f] - top) / total
                }
            }
            start += b
        }
        return all
    }

    public var trainingMultiplyAddsPerWindow: Int? {
        let c = configuration, h = c.hidden
        let forward = c.inputSize * h + h * h + h * c.futures * c.futureSize + h * c.futures
        return 3 * forward - c.inputSize * h - h * c.futures   // no input gradients for x, none from the score
    }
}

