// A single-layer GRU with PyTorch's gate equations, forward over a sequence and backpropagation
// through time. Feature-major: the input sequence is (T, I, B), hidden states (H, B) per step.
// The cache keeps every step's gates and hidden state; buffers are allocated once per (T, B).
// Legend: T steps, I input features, H hidden, B batch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `nn.GRU(I, H)`, one layer, one direction. Gate order in the stacked weights is r, z, n:
///   r = σ(W_ir x + b_ir + W_hr h + b_hr)
///   z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///   h' = (1 − z) ⊙ n + z ⊙ h
public struct GRU: Sendable {
    public let inputSize: Int
    public let hiddenSize: Int
    public let inputWeights: Linear   // NAME.ih.weight (3H, I), NAME.ih.bias (3H)
    public let hiddenWeights: Linear  // NAME.hh.weight (3H, H), NAME.hh.bias (3H)

    /// Adds `name.ih.weight`, `name.ih.bias`, `name.hh.weight`, `name.hh.bias` to `parameters`
    /// (PyTorch's weight_ih_l0, bias_ih_l0, weight_hh_l0, bias_hh_l0).
    public init(inputSize: Int, hiddenSize: Int, name: String, in parameters: inout ParameterSet) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        inputWeights = Linear(inputSize: inputSize, outputSize: 3 * hiddenSize, name: name + ".ih", in: &parameters)
        hiddenWeights = Linear(inputSize: hiddenSize, outputSize: 3 * hiddenSize, name: name + ".hh", in: &parameters)
    }

    /// PyTorch's GRU initialisation: every weight and bias ~ U(−1/√H, 1/√H).
    public func initialize(_ values: inout [Float], using rng: inout Xoshiro256) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for range in [inputWeights.weight, inputWeights.bias, hiddenWeights.weight, hiddenWeights.bias] {
            for i in range.range { values[i] = rng.uniform(-bound, bound) }
        }
    }

    /// Buffers of one forward pass, kept for the backward pass.
    public final class Cache {
        public let steps: Int
        public let batch: Int
        /// h_0 … h_T, each (H, B); h_0 is the initial state.
        public var hidden: [Float]
        /// r, z, n of each step, (T, 3H, B).
        var gates: [Float]
        /// W_hn h + b_hn of each step, (T, H, B).
        var hiddenCandidate: [Float]
        /// Scratch: the input and hidden gate products of one step, each (3H, B).
        var inputProducts: [Float]
        var hiddenProducts: [Float]
        /// Scratch for backward: dh (H, B).
        var dHidden: [Float]

        public init(gru: GRU, steps: Int, batch: Int) {
            let h = gru.hiddenSize
            self.steps = steps
            self.batch = batch
            hidden = [Float](repeating: 0, count: (steps + 1) * h * batch)
            gates = [Float](repeating: 0, count: steps * 3 * h * batch)
            hiddenCandidate = [Float](repeating: 0, count: steps * h * batch)
            inputProducts = [Float](repeating: 0, count: 3 * h * batch)
            hiddenProducts = [Float](repeating: 0, count: 3 * h * batch)
            dHidden = [Float](repeating: 0, count: h * batch)
        }

        /// The final hidden state h_T, (H, B).
        public var finalHidden: ArraySlice<Float> { hidden[(steps * hidden.count / (steps + 1))...] }
    }

    /// W_ihᵀ (I, 3H) followed by W_hhᵀ (H, 3H): the weights as one pedestrian's forward pass reads
    /// them best (each input value scales a contiguous row of 3H, no dot products to reduce).
    public func transposedWeights(parameters: UnsafePointer<Float>) -> [Float] {
        let g = 3 * hiddenSize
        var result = [Float](repeating: 0, count: (inputSize + hiddenSize) * g)
        for (offset, (weight, columns)) in [(0, (inputWeights.weight, inputSize)),
                                            (inputSize * g, (hiddenWeights.weight, hiddenSize))] {
            for row in 0..<g {
                for column in 0..<columns { result[offset + column * g + row] = parameters[weight.offset + row * columns + column] }
            }
        }
        return result
    }

    /// Runs the sequence x (T, I, B) from h_0 = 0 (or the cache's h_0 if set by the caller).
    /// With B = 1, `transposed` (from `transposedWeights`, for these parameters) gives the fast path.
    public func forward(_ x: UnsafePointer<Float>, parameters: UnsafePointer<Float>, cache: Cache,
                        transposed: UnsafePointer<Float>? = nil) {
        let h = hiddenSize, b = cache.batch, hb = h * b
        cache.hidden.withUnsafeMutableBufferPointer { hidden in
        cache.gates.withUnsafeMutableBufferPointer { gates in
        cache.hiddenCandidate.withUnsafeMutableBufferPointer { candidates in
        cache.inputProducts.withUnsafeMutableBufferPointer { gi in
        cache.hiddenProducts.withUnsafeMutableBufferPointer { gh in
            // From h_0 = 0 (the usual start) the first hidden product is its bias alone: W_hh·0 + b_hh = b_hh.
            let startsAtZero = hidden[0..<hb].allSatisfy { $0 == 0 }
            let giBase = gi.baseAddress!, ghBase = gh.baseAddress!
            /// Step t for hidden units `units` of one pedestrian (B = 1), on the transposed weights:
            /// the gate products of just those units' rows in each of r, z, n, then their gates.
            func oneStep(_ t: Int, units: Range<Int>, transposed: UnsafePointer<Float>) {
                let previous = hidden.baseAddress! + t * h
                for gate in 0..<3 {
                    let row = gate * h + units.lowerBound
                    gemmNN(transA: true, m: units.count, n: 1, k: inputSize, a: transposed + row, lda: 3 * h,
                           b: x + t * inputSize, ldb: 1, c: giBase + row, ldc: 1, accumulate: false,
                           rowBias: parameters + inputWeights.bias.offset + row)
                    if t == 0, startsAtZero {
                        (ghBase + row).update(from: parameters + hiddenWeights.bias.offset + row, count: units.count)
                    } else {
                        gemmNN(transA: true, m: units.count, n: 1, k: h, a: transposed + inputSize * 3 * h + row,
                               lda: 3 * h, b: previous, ldb: 1, c: ghBase + row, ldc: 1, accumulate: false,
                               rowBias: parameters + hiddenWeights.bias.offset + row)
                    }
                }
                gateValues(t, units)
            }
            /// The gates and h_{t+1} at flat indices `range` of the (H, B) step, from the products in gi, gh.
            func gateValues(_ t: Int, _ range: Range<Int>) {
                let previous = hidden.baseAddress! + t * hb, next = previous + hb
                let r = gates.baseAddress! + t * 3 * hb, z = r + hb, n = z + hb
                let candidate = candidates.baseAddress! + t * hb
                // Sixteen units at a time through the vector exp; a tail of fewer lanes pads with zeros.
                var i = range.lowerBound
                while i < range.upperBound {
                    let lanes = min(16, range.upperBound - i)
                    let rv = sigmoid16(gatherLanes(giBase + i, lanes) + gatherLanes(ghBase + i, lanes))
                    let zv = sigmoid16(gatherLanes(giBase + hb + i, lanes) + gatherLanes(ghBase + hb + i, lanes))
                    let cv = gatherLanes(ghBase + 2 * hb + i, lanes)
                    let nv = tanh16(gatherLanes(giBase + 2 * hb + i, lanes) + rv * cv)
                    let hv = (1 - zv) * nv + zv * gatherLanes(previous + i, lanes)
                    scatterLanes(rv, r + i, lanes)
                    scatterLanes(zv, z + i, lanes)
                    scatterLanes(cv, candidate + i, lanes)
                    scatterLanes(nv, n + i, lanes)
                    scatterLanes(hv, next + i, lanes)
                    i += 16
                }
            }
            if let transposed, b == 1 {
                // One pedestrian: each core takes half the units (a multiple of 16) through every
                // step, meeting at a barrier after each; the same arithmetic per unit as one core.
                let half = h >= 32 ? (h / 2 + 15) / 16 * 16 : h
                CoreTeam.shared.run(phases: cache.steps) { lane, t in
                    let units = lane == 0 ? 0..<half : half..<h
                    if !units.isEmpty { oneStep(t, units: units, transposed: transposed) }
                }
                return
            }
            for t in 0..<cache.steps {
                let previous = hidden.baseAddress! + t * hb
                inputWeights.forward(x + t * inputSize * b, batch: b, parameters: parameters, output: giBase)
                if t == 0, startsAtZero {
                    let bias = parameters + hiddenWeights.bias.offset
                    for row in 0..<(3 * h) { (ghBase + row * b).update(repeating: bias[row], count: b) }
                } else {
                    hiddenWeights.forward(previous, batch: b, parameters: parameters, output: ghBase)
                }
                gateValues(t, 0..<hb)
            }
        }}}}}
    }

    /// Backpropagation through time from dh_T (H, B): accumulates the weight gradients (or, with
    /// `weightGradients: .overwrite`, writes them), and accumulates dx (T, I, B) when given.
    /// `dSteps` (T, H, B), when given, adds an upstream gradient to every h_t (t ≥ 1).
    public func backward(finalGradient dFinal: UnsafePointer<Float>, dSteps: UnsafePointer<Float>? = nil,
                         input x: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradients: UnsafeMutablePointer<Float>, weightGradients: GradientUpdate = .accumulate, cache: Cache,
                         inputGradient dx: UnsafeMutablePointer<Float>?) {
        let h = hiddenSize, b = cache.batch, hb = h * b
        cache.hidden.withUnsafeBufferPointer { hidden in
        cache.gates.withUnsafeBufferPointer { gates in
        cache.hiddenCandidate.withUnsafeBufferPointer { candidates in
        cache.inputProducts.withUnsafeMutableBufferPointer { dgi in
        cache.hiddenProducts.withUnsafeMutableBufferPointer { dgh in
        cache.dHidden.withUnsafeMutableBufferPointer { dh in
            let startsAtZero = hidden[0..<hb].allSatisfy { $0 == 0 }
            // The last step's contributions are the first: they write unless asked to accumulate.
            var inputUpdate = weightGradients, hiddenUpdate = weightGradients
            dh.baseAddress!.update(from: dFinal, count: hb)
            for t in stride(from: cache.steps - 1, through: 0, by: -1) {
                if let dSteps { for i in 0..<hb { dh[i] += dSteps[t * hb + i] } }
                let previous = hidden.baseAddress! + t * hb
                let r = gates.baseAddress! + t * 3 * hb, z = r + hb, n = z + hb
                let candidate = candidates.baseAddress! + t * hb
                // The gates' pre-activation gradients, sixteen units at a time.
                let dHidden = dh.baseAddress!, dInput = dgi.baseAddress!, dProduct = dgh.baseAddress!
                var i = 0
                while i < hb {
                    let lanes = min(16, hb - i)
                    let dhv = gatherLanes(dHidden + i, lanes), rv = gatherLanes(r + i, lanes)
                    let zv = gatherLanes(z + i, lanes), nv = gatherLanes(n + i, lanes)
                    let dn = dhv * (1 - zv)
                    let dz = dhv * (gatherLanes(previous + i, lanes) - nv)
                    let dnPre = dn * (1 - nv * nv)
                    let dr = dnPre * gatherLanes(candidate + i, lanes)
                    let drPre = dr * rv * (1 - rv)
                    let dzPre = dz * zv * (1 - zv)
                    scatterLanes(drPre, dInput + i, lanes); scatterLanes(dzPre, dInput + hb + i, lanes)
                    scatterLanes(dnPre, dInput + 2 * hb + i, lanes)
                    scatterLanes(drPre, dProduct + i, lanes); scatterLanes(dzPre, dProduct + hb + i, lanes)
                    scatterLanes(dnPre * rv, dProduct + 2 * hb + i, lanes)
                    scatterLanes(dhv * zv, dHidden + i, lanes)   // the direct path h → h'; the gate paths are added below
                    i += 16
                }
                inputWeights.backward(dgi.baseAddress!, input: x + t * inputSize * b, batch: b, parameters: parameters,
                                      gradients: gradients, weightGradients: inputUpdate,
                                      inputGradient: dx.map { $0 + t * inputSize * b })
                inputUpdate = .accumulate
                if t > 0 || !startsAtZero {
                    // At t = 0 the hidden product's input gradient would be dh_0, which nothing uses.
                    hiddenWeights.backward(dgh.baseAddress!, input: previous, batch: b, parameters: parameters,
                                           gradients: gradients, weightGradients: hiddenUpdate,
                                           inputGradient: t > 0 ? dh.baseAddress! : nil)
                } else {
                    // From h_0 = 0, dW_hh gains nothing at this step: only the bias gradient Σ_B dgh.
                    if hiddenUpdate == .overwrite {
                        (gradients + hiddenWeights.weight.offset).update(repeating: 0, count: 3 * h * h)
                        (gradients + hiddenWeights.bias.offset).update(repeating: 0, count: 3 * h)
                    }
                    addRowSums(dgh.baseAddress!, rows: 3 * h, columns: b, ld: b, into: gradients + hiddenWeights.bias.offset)
                }
                hiddenUpdate = .accumulate
            }
        }}}}}}
    }
}

/// The first `lanes` values at `p` (16 or fewer, the rest zero).
@inline(__always)
func gatherLanes(_ p: UnsafePointer<Float>, _ lanes: Int) -> SIMD16<Float> {
    if lanes == 16 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
    var v = SIMD16<Float>()
    for l in 0..<lanes { v[l] = p[l] }
    return v
}

/// Stores the first `lanes` values of `v` at `p`.
@inline(__always)
func scatterLanes(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 16 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    } else {
        for l in 0..<lanes { p[l] = v[l] }
    }
}
