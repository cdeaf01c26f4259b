#!/usr/bin/env python3
"""Generates Tests/TrajectoryModelTests/KDEGoldenValues.swift: log-densities of
scipy.stats.gaussian_kde (Scott's bandwidth) at given points, for the KDE-NLL metric.
Samples of case c: x_i = sin(0.9 i + c) * (1 + c), y_i = cos(1.3 i + 2c) * 0.5 + 0.1 i, i < n.

    python3 Tests/TrajectoryModelTests/Golden/make_kde.py > Tests/TrajectoryModelTests/KDEGoldenValues.swift

Needs numpy and scipy; never run by the tests.
"""
import math

import numpy as np
import scipy
from scipy.stats import gaussian_kde

cases = []
for c, n in enumerate([2, 3, 5, 20, 20, 100]):
    pts = np.array([[math.sin(0.9 * i + c) * (1 + c), math.cos(1.3 * i + 2 * c) * 0.5 + 0.1 * i] for i in range(n)])
    queries = [(0.0, 0.0), (0.3, -0.2), (2.0, 1.5), (-1.0, 0.7), (25.0, -30.0)]
    try:
        kde = gaussian_kde(pts.T)
        values = [float(kde.logpdf(np.array(q).reshape(2, 1))[0]) for q in queries]
    except np.linalg.LinAlgError:
        values = None   # singular covariance: scipy refuses, and so must we
    cases.append((c, n, queries, values))

print("// GENERATED — DO NOT EDIT, regenerate with")
print("//   python3 Tests/TrajectoryModelTests/Golden/make_kde.py > Tests/TrajectoryModelTests/KDEGoldenValues.swift")
print("// scipy %s gaussian_kde(samples).logpdf(query), Scott's bandwidth." % scipy.__version__)
print("")
print("enum KDEGolden {")
print("    /// (case, samples, queries, log-densities)")
print("    static let cases: [(Int, Int, [(Double, Double)], [Double]?)] = [")
for c, n, q, v in cases:
    values = "nil" if v is None else "[" + ", ".join("%.17g" % x for x in v) + "]"
    print("        (%d, %d, [%s], %s)," % (c, n, ", ".join("(%r, %r)" % p for p in q), values))
print("    ]")
print("}")
