#!/usr/bin/env python3
"""Generates Tests/NNCoreTests/GoldenValues.swift from PyTorch (CPU, float32).

Deterministic inputs on both sides: value k of a tensor with tag s is sin(0.731 * k + s) * scale,
computed in float64 and rounded to float32 (the Swift tests build the same tensors with `pattern`).
Activations are written in PyTorch's (B, F) layout; the tests transpose to trajpred's (F, B).

    python3 Tests/NNCoreTests/Golden/make_golden.py > Tests/NNCoreTests/GoldenValues.swift

Needs torch and numpy (pip install torch numpy); never run by the tests themselves.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def pattern(shape, tag, scale=0.5):
    n = int(np.prod(shape))
    v = np.array([math.sin(0.731 * k + tag) * scale for k in range(n)], dtype=np.float64).astype(np.float32)
    return torch.tensor(v.reshape(shape))


def lit(t):
    a = t.detach().double().numpy().ravel() if torch.is_tensor(t) else np.asarray(t, dtype=np.float64).ravel()
    return "[" + ", ".join("%.9g" % float(np.float32(x)) for x in a) + "]"


out = []
emit = out.append


def mlp_params():
    return {
        "fc1.weight": pattern((7, 5), 1.0), "fc1.bias": pattern((7,), 2.0),
        "fc2.weight": pattern((3, 7), 3.0), "fc2.bias": pattern((3,), 4.0),
    }


def mlp_forward(p, x):
    return F.linear(F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"])), p["fc2.weight"], p["fc2.bias"])


# 1. MLP forward, MSE loss and gradients (batch 4).
p = {k: v.clone().requires_grad_(True) for k, v in mlp_params().items()}
x = pattern((4, 5), 5.0, 1.5).requires_grad_(True)
target = pattern((4, 3), 6.0)
y = mlp_forward(p, x)
loss = F.mse_loss(y, target)
loss.backward()
emit("    static let mlpOutput: [Float] = %s  // (B=4, 3)" % lit(y))
emit("    static let mlpLoss: Float = %.9g" % loss.item())
for k in p:
    emit("    static let mlpGrad_%s: [Float] = %s" % (k.replace(".", "_"), lit(p[k].grad)))
emit("    static let mlpGradInput: [Float] = %s  // (B=4, 5)" % lit(x.grad))

# 1b. The same with L1 loss.
p = {k: v.clone().requires_grad_(True) for k, v in mlp_params().items()}
loss = F.l1_loss(mlp_forward(p, pattern((4, 5), 5.0, 1.5)), target)
loss.backward()
emit("    static let mlpL1Loss: Float = %.9g" % loss.item())
emit("    static let mlpL1Grad_fc1_weight: [Float] = %s" % lit(p["fc1.weight"].grad))


# 2. Ten optimiser steps on the MLP (MSE), SGD lr 0.01 momentum 0.9 and Adam lr 0.01.
for name, make in [("Sgd", lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)),
                   ("Adam", lambda ps: torch.optim.Adam(ps, lr=0.01))]:
    p = {k: v.clone().requires_grad_(True) for k, v in mlp_params().items()}
    opt = make(list(p.values()))
    x = pattern((4, 5), 5.0, 1.5)
    losses = []
    for step in range(10):
        opt.zero_grad()
        loss = F.mse_loss(mlp_forward(p, x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    emit("    static let mlp%sLosses: [Float] = %s" % (name, lit(losses)))
    for k in p:
        emit("    static let mlp%sAfter_%s: [Float] = %s" % (name, k.replace(".", "_"), lit(p[k])))

# 3. GRU(4, 6) over T=5 steps, batch 3: final hidden state and gradients of sum(h_T * w).
gru = torch.nn.GRU(4, 6, batch_first=True)
with torch.no_grad():
    gru.weight_ih_l0.copy_(pattern((18, 4), 7.0))
    gru.weight_hh_l0.copy_(pattern((18, 6), 8.0))
    gru.bias_ih_l0.copy_(pattern((18,), 9.0))
    gru.bias_hh_l0.copy_(pattern((18,), 10.0))
xs = pattern((3, 5, 4), 11.0, 1.5).requires_grad_(True)   # (B, T, I)
_, h = gru(xs)
h = h[0]                                                     # (B, H)
w = pattern((3, 6), 12.0)
(h * w).sum().backward()
emit("    static let gruFinal: [Float] = %s  // (B=3, H=6)" % lit(h))
emit("    static let gruGrad_weight_ih: [Float] = %s" % lit(gru.weight_ih_l0.grad))
emit("    static let gruGrad_weight_hh: [Float] = %s" % lit(gru.weight_hh_l0.grad))
emit("    static let gruGrad_bias_ih: [Float] = %s" % lit(gru.bias_ih_l0.grad))
emit("    static let gruGrad_bias_hh: [Float] = %s" % lit(gru.bias_hh_l0.grad))
emit("    static let gruGradInput: [Float] = %s  // (B=3, T=5, I=4)" % lit(xs.grad))

# 4. KL of two diagonal Gaussians (latent 3, batch 2) and its gradients; reparameterisation.
mq, lq, mp, lp = (pattern((2, 3), s).requires_grad_(True) for s in (13.0, 14.0, 15.0, 16.0))
kl = 0.5 * torch.sum(lp - lq + (lq.exp() + (mq - mp) ** 2) / lp.exp() - 1) / 2
kl.backward()
emit("    static let klValue: Float = %.9g" % kl.item())
emit("    static let klGrads: [[Float]] = [%s, %s, %s, %s]" % (lit(mq.grad), lit(lq.grad), lit(mp.grad), lit(lp.grad)))

print("// GENERATED — DO NOT EDIT, regenerate with")
print("//   python3 Tests/NNCoreTests/Golden/make_golden.py > Tests/NNCoreTests/GoldenValues.swift")
print("// PyTorch %s, CPU float32, one thread. Activations in PyTorch's (B, F) layout." % torch.__version__)
print("")
print("enum Golden {")
print("\n".join(out))
print("}")
