"""Symbolic backprop (derive + prove + numeric check) and numpy MLP training speed.

    python bench/backprop.py [--repeats N] [--epochs N] [--baseline-limit SECONDS]

Part 1: for 2-3-1 sigmoid/MSE, 4-8-3 tanh + softmax CE + L2 and 4-6-6-3 ReLU,
the time of ``check_gradients`` (derive the matrix program, prove it entry by
entry at the tiny instance, three-way numeric check at the requested sizes),
with SymPy's cache cleared before every repeat so each one is cold. Target: 2 s
or less each. Baseline in the same run: differentiating the whole scalar loss at
the requested size by every parameter entry with ``sympy.diff`` (what the staged
derivation avoids), under a time limit.

Part 2: seconds per training epoch on scikit-learn's 8x8 digits, 64-128-10,
tanh + softmax cross-entropy, mini-batches of 64, plain SGD: the numpy MLP
against PyTorch CPU with the same net, batches and learning rate (float32, and
float64 as numpy uses). Target: numpy / torch <= 1.5. Without torch (or
scikit-learn) the bench says so and skips that comparison.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SPECS = (
    ("2-3-1 sigmoid/MSE", dict(layers=[2, 3, 1], activation="sigmoid", loss="mse")),
    ("4-8-3 tanh + softmax CE + L2", dict(layers=[4, 8, 3], activation="tanh", loss="ce", l2=0.01)),
    ("4-6-6-3 ReLU", dict(layers=[4, 6, 6, 3], activation="relu", loss="mse")),
)


def time_symbolic(repeats: int) -> list:
    from sympy.core.cache import clear_cache

    from derivtutor.backprop.network import NetworkSpec
    from derivtutor.backprop.gradcheck import check_gradients

    rows = []
    for label, options in SPECS:
        spec, times = NetworkSpec.build(**options), []
        for seed in range(repeats):
            clear_cache()
            start = time.perf_counter()
            check = check_gradients(spec, seed=seed)
            times.append(time.perf_counter() - start)
            assert check.passed, (label, check.to_dict())
        rows.append((label, spec, statistics.median(times), max(times), check))
    return rows


def time_end_to_end(spec, limit: float) -> float | None:
    """sympy.diff of the whole loss at the requested size by every entry; None past ``limit``."""
    import sympy
    from sympy.core.cache import clear_cache

    from derivtutor.backprop.network import derive_backprop, forward_values
    from derivtutor.backprop.proof import loss_expression, symbolic_instance
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.backprop.layer_rules import SympyBackend

    clear_cache()
    start = time.perf_counter()
    try:
        with time_limit(limit):
            net = derive_backprop(spec)
            env = forward_values(net, symbolic_instance(net), SympyBackend())
            E = loss_expression(net, env)
            for p in net.names.parameters():
                [sympy.diff(E, s) for s in env[p]]
    except TimeLimitExceeded:
        return None
    return time.perf_counter() - start


def numpy_epoch_times(X, Y, epochs: int) -> list:
    from derivtutor.backprop.mlp import MLP
    from derivtutor.backprop.training import fit

    net = MLP([64, 128, 10], ["tanh", "softmax"], loss="ce", mean=True, seed=0)
    fit(net, X, Y, lr=0.1, epochs=1, batch_size=64, seed=0)  # warm-up
    times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        fit(net, X, Y, lr=0.1, epochs=1, batch_size=64, seed=epoch)
        times.append(time.perf_counter() - start)
    return times


def torch_epoch_times(X, Y, epochs: int, dtype_name: str) -> list:
    import numpy as np
    import torch

    dtype = getattr(torch, dtype_name)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.Tanh(), torch.nn.Linear(128, 10)).to(dtype)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    Xt, labels = torch.tensor(X, dtype=dtype), torch.tensor(Y.argmax(axis=1))
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch(seed):
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
        for start in range(0, len(X), 64):
            rows = order[start:start + 64]
            opt.zero_grad()
            loss_fn(net(Xt[rows]), labels[rows]).backward()
            opt.step()

    epoch(0)  # warm-up
    times = []
    for k in range(epochs):
        start = time.perf_counter()
        epoch(k)
        times.append(time.perf_counter() - start)
    return times


def bench_training(epochs: int) -> None:
    print("\nnumpy MLP on digits, 64-128-10 tanh + softmax CE, batch 64, seconds per epoch (median):")
    try:
        from derivtutor.backprop.training import load_digits, one_hot

        X, y, _, _ = load_digits(seed=0)
    except ImportError:
        print("  scikit-learn is not installed (pip install 'derivtutor[data]'): skipped")
        return
    Y = one_hot(y, 10)
    numpy_median = statistics.median(numpy_epoch_times(X, Y, epochs))
    print(f"  numpy (float64)          {numpy_median * 1e3:8.2f} ms   ({len(X)} samples)")
    try:
        import torch
    except ImportError:
        print("  PyTorch is not installed: no comparison (target numpy/torch <= 1.5 not measured)")
        return
    print(f"  torch {torch.__version__} CPU, {torch.get_num_threads()} thread(s):")
    for dtype in ("float32", "float64"):
        median = statistics.median(torch_epoch_times(X, Y, epochs, dtype))
        print(f"  torch ({dtype})          {median * 1e3:8.2f} ms   numpy/torch = {numpy_median / median:.2f}"
              f"  (target <= 1.5: {'met' if numpy_median / median <= 1.5 else 'NOT met'})")


STAGE_NETS = (  # growing nets for the per-stage limits: (label, layers, hidden activation, loss)
    ("2-3-1", [2, 3, 1], "sigmoid", "mse"), ("4-8-3 ce", [4, 8, 3], "tanh", "ce"),
    ("4-6-6-3 relu", [4, 6, 6, 3], "relu", "mse"), ("3-4-4-4-2 tanh", [3, 4, 4, 4, 2], "tanh", "mse"),
    ("64-64-10", [64, 64, 10], "tanh", "ce"), ("128-128-128-10", [128, 128, 128, 10], "relu", "mse"),
    ("256-256-256-2", [256, 256, 256, 2], "tanh", "bce"), ("256x5", [256, 256, 256, 256, 256], "relu", "mse"),
)


def prove_with_the_table(spec) -> bool:
    """Baseline: the earlier, dependent proof -- the loss built from the table's sigma and tanh
    calls (not their definitions), so ``expand`` needs no renaming. Cheaper, but a wrong table
    entry passes its entries."""
    import sympy

    from derivtutor.backprop import proof
    from derivtutor.backprop.layer_rules import SympyBackend, run_program
    from derivtutor.backprop.network import derive_backprop, forward_values

    net = derive_backprop(proof.tiny_spec(spec))
    env = forward_values(net, proof.symbolic_instance(net), SympyBackend())
    E, env = proof.loss_expression(net, env), run_program(net.backward, env, SympyBackend())
    at_kink = proof.kink_at_zero if "relu" in spec.activations else (lambda e: e)
    return all(sympy.expand(at_kink(sympy.diff(E, s)) - env["dE/d" + p][i, j]) == 0
               for p in net.names.parameters() for (i, j), s in proof._entries(env[p]))


def time_stages() -> None:
    """Seconds of each stage alone (derive, prove, numeric check) on growing nets, one cold run each."""
    from sympy.core.cache import clear_cache

    from derivtutor.backprop.gradcheck import numeric_check
    from derivtutor.backprop.network import NetworkSpec, derive_backprop
    from derivtutor.backprop.proof import prove_backprop

    print("\nper stage, seconds (one cold run each; the proof runs at the width-2 instance):")
    print(f"  {'network':18} {'parameters':>10} {'derive':>8} {'prove':>8} {'numeric':>8}"
          f"  {'baseline: prove with the table':>30} {'ratio':>6}")
    for label, layers, activation, loss in STAGE_NETS:
        spec = NetworkSpec.build(layers, activation, loss=loss)
        times = []
        for stage in (derive_backprop, prove_backprop, lambda s: numeric_check(derive_backprop(s)),
                      prove_with_the_table):
            clear_cache()
            start = time.perf_counter()
            stage(spec)
            times.append(time.perf_counter() - start)
        count = sum(m * n + n for m, n in zip(layers[:-1], layers[1:]))
        print(f"  {label:18} {count:10d} " + " ".join(f"{t:8.3f}" for t in times[:3])
              + f"  {times[3]:30.3f} {times[1] / times[3]:6.2f}")
    print("  (a stage 'handles' a net within 2 s / 10 s when its column is below that; ratio = prove / baseline)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--baseline-limit", type=float, default=20.0)
    parser.add_argument("--stages-only", action="store_true", help="only the per-stage sizes")
    args = parser.parse_args(argv)
    if args.stages_only:
        time_stages()
        return 0

    print("derive + prove + numeric check (cold SymPy cache each repeat), seconds:")
    print(f"  {'network':32} {'median':>8} {'max':>8}  {'target':>7}  {'sympy.diff end to end':>22}  {'ratio':>6}")
    for label, spec, median, worst, check in time_symbolic(args.repeats):
        baseline = time_end_to_end(spec, args.baseline_limit)
        base = f"{baseline:22.2f}" if baseline is not None else f"{'> ' + str(args.baseline_limit):>22}"
        ratio = f"{baseline / median:6.1f}" if baseline is not None else f"{'>' + format(args.baseline_limit / median, '.0f'):>6}"
        print(f"  {label:32} {median:8.3f} {worst:8.3f}  {'met' if worst <= 2.0 else 'NOT met':>7}  {base}  {ratio}"
              f"   (max rel. error: {check.max_rel_error_numpy:.1e} vs numpy, {check.max_rel_error_fd:.1e} vs FD)")
    print("  (the baseline only differentiates; it neither proves nor checks anything)")
    time_stages()
    bench_training(args.epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
