// Small numeric helpers of the reports: rounding for display, medians of timings, peak memory.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `value` rounded to `digits` decimals.
public func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}

/// The median of `values` (the mean of the middle two for an even count).
public func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The `q`-quantile (0 < q ≤ 1) of `sorted` (ascending, not empty) by the nearest-rank method: the
/// smallest value with at least q of the values at or below it.
public func percentile(_ sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty, "a percentile of no values")
    return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
}

/// The peak resident memory of this process so far, in bytes.
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

/// An integer with its thousands grouped by commas, as the README writes them: 7,000.
public func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, digit) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return (value < 0 ? "-" : "") + out
}
