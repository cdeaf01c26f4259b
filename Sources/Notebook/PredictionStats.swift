// How a model's predictions compare with the truth of the 1-D toy, 1/3 at −1 and 2/3 at +1:
// moments, the shares near each mode, and the Wasserstein-1 distance to the true distribution.

/// Summary statistics of predictions, as the reference notebook reports them.
public struct PredictionStats: Sendable, Equatable, Codable {
    public var mean: Double
    /// Population standard deviation.
    public var std: Double
    public var fractionBelowZero: Double
    /// Share with |p + 1| < 0.2.
    public var fractionNearMinusOne: Double
    /// Share with |p − 1| < 0.2.
    public var fractionNearPlusOne: Double
    /// W1 to ⅓ δ(−1) + ⅔ δ(+1).
    public var wasserstein: Double

    /// Both modes present: more than 15 % near −1 and more than half near +1 (the reference's rule).
    public var isBimodal: Bool { fractionNearMinusOne > 0.15 && fractionNearPlusOne > 0.5 }

    public init(_ predictions: [Float], negativeShare: Double = 1.0 / 3.0) {
        let n = Double(predictions.count)
        var sum = 0.0, below = 0, nearMinus = 0, nearPlus = 0
        for p in predictions {
            sum += Double(p)
            if p < 0 { below += 1 }
            if abs(p + 1) < 0.2 { nearMinus += 1 }
            if abs(p - 1) < 0.2 { nearPlus += 1 }
        }
        mean = sum / n
        var squares = 0.0
        for p in predictions { squares += (Double(p) - mean) * (Double(p) - mean) }
        std = (squares / n).squareRoot()
        fractionBelowZero = Double(below) / n
        fractionNearMinusOne = Double(nearMinus) / n
        fractionNearPlusOne = Double(nearPlus) / n
        wasserstein = wassersteinToTwoPoints(predictions, negativeShare: negativeShare)
    }
}

/// W1(samples, q·δ(−1) + (1 − q)·δ(+1)) = ∫₀¹ |F⁻¹(u) − G⁻¹(u)| du with the i-th smallest sample
/// covering u ∈ [i/n, (i+1)/n). Only the rank k = ⌊n·q⌋ matters, so a selection replaces the sort:
/// the k smallest go to −1, the rest to +1, and sample k is split at u = q.
public func wassersteinToTwoPoints(_ samples: [Float], negativeShare q: Double) -> Double {
    let n = samples.count
    guard n > 0 else { return 0 }
    var values = samples.map(Double.init)
    let k = min(Int((Double(n) * q).rounded(.down)), n - 1)
    select(&values, k)
    let cell = 1 / Double(n)
    var total = 0.0
    for i in 0..<k { total += abs(values[i] + 1) }
    for i in (k + 1)..<n { total += abs(values[i] - 1) }
    total *= cell
    let negativePart = max(0, min(q - Double(k) * cell, cell))
    total += negativePart * abs(values[k] + 1) + (cell - negativePart) * abs(values[k] - 1)
    return total
}

/// Puts the k-th smallest value at index k, smaller-or-equal ones before it, larger-or-equal after
/// (Hoare's quickselect with a median-of-three pivot).
func select(_ values: inout [Double], _ k: Int) {
    var low = 0, high = values.count - 1
    while high > low {
        let middle = low + (high - low) / 2
        // Median of three to the middle.
        if values[middle] < values[low] { values.swapAt(middle, low) }
        if values[high] < values[low] { values.swapAt(high, low) }
        if values[high] < values[middle] { values.swapAt(high, middle) }
        let pivot = values[middle]
        var i = low, j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j {
                values.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if k <= j { high = j } else if k >= i { low = i } else { return }
    }
}
