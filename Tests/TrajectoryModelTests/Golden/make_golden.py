#!/usr/bin/env python3
"""Generates Tests/TrajectoryModelTests/CVAEGoldenValues.swift from the PyTorch reference model
(../shared/reference/cvae_ref.py, build_model) with deterministic weights, inputs and noise.

Every parameter k-th value is sin(0.731 * k + tag) * 0.3 with its tag in the order of
model.named_parameters(); x, y and eps are patterns too (the Swift test builds the same).
eps replaces torch.randn_like inside model.loss. Small sizes: H=8, Z=4, batch 3.

    python3 Tests/TrajectoryModelTests/Golden/make_golden.py > Tests/TrajectoryModelTests/CVAEGoldenValues.swift

Needs torch; never run by the tests.
"""
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "shared", "reference"))
from cvae_ref import build_model  # noqa: E402

torch.set_num_threads(1)
H, Z, B = 8, 4, 3


def pattern(shape, tag, scale=0.3):
    n = int(np.prod(shape))
    v = np.array([math.sin(0.731 * k + tag) * scale for k in range(n)], dtype=np.float64).astype(np.float32)
    return torch.tensor(v.reshape(shape))


def lit(t):
    a = t.detach().double().numpy().ravel()
    return "[" + ", ".join("%.9g" % float(np.float32(x)) for x in a) + "]"


out = []
for encoder in ("mlp", "gru"):
    torch.manual_seed(0)
    model = build_model(encoder, H, Z)
    names = []
    with torch.no_grad():
        for tag, (name, p) in enumerate(model.named_parameters()):
            p.copy_(pattern(tuple(p.shape), float(tag)))
            names.append(name)
    x = pattern((B, 16), 40.0, 1.0) if encoder == "mlp" else pattern((B, 8, 4), 40.0, 1.0)
    y = pattern((B, 24), 41.0, 1.5)
    eps = pattern((B, Z), 42.0, 1.0)
    original = torch.randn_like
    torch.randn_like = lambda t, **kw: eps.clone()
    loss, rec, kl = model.loss(x, y, beta=0.5)
    torch.randn_like = original
    loss.backward()
    tag = encoder.capitalize()
    out.append("    static let names%s: [String] = [%s]" % (tag, ", ".join('"%s"' % n for n in names)))
    out.append("    static let loss%s: [Float] = [%.9g, %.9g, %.9g]  // total (beta 0.5), reconstruction, KL"
               % (tag, loss.item(), rec.item(), kl.item()))
    out.append("    static let gradients%s: [String: [Float]] = [" % tag)
    for name, p in model.named_parameters():
        out.append('        "%s": %s,' % (name, lit(p.grad)))
    out.append("    ]")

print("// GENERATED — DO NOT EDIT, regenerate with")
print("//   python3 Tests/TrajectoryModelTests/Golden/make_golden.py > Tests/TrajectoryModelTests/CVAEGoldenValues.swift")
print("// PyTorch %s, ../shared/reference/cvae_ref.py build_model, H=%d, Z=%d, batch %d, beta 0.5." % (torch.__version__, H, Z, B))
print("")
print("enum CVAEGolden {")
print("\n".join(out))
print("}")
