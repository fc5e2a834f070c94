"""The Python half of the raking comparison (crates/analysis/examples/rake_speed.rs is the Rust half).

Reads the data the Rust side generated and raked (DIR/codes.u16, DIR/targets.json, DIR/weights.f64), rakes
it with PyPI ipfn to METHODS.md's criterion (convergence_rate=1e-10, rate_tolerance=0, max_iteration=1000) in
two ways, times each, checks the weights against the Rust ones and prints one JSON line:

- `ipfn_df`: ipfn's pandas mode on one row per respondent (the weight column starting at 1) -- raking
  respondent data as ipfn documents it;
- `ipfn_np`: ipfn's numpy mode on the respondents' cross-table of counts (2 x 6 x 5 x 8 cells), each
  respondent then getting its cell's raked total / cell count -- the same fixed point, computed on cells.

usage: python rake_ipfn.py DIR [REPEATS]
"""

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from ipfn.ipfn import ipfn  # noqa: E402


def max_rel(a, b):
    return float(np.max(np.abs(a / b - 1.0)))


def main() -> None:
    d = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    meta = json.load(open(f"{d}/targets.json"))
    n, names, targets = meta["n"], meta["names"], meta["targets"]
    codes = np.fromfile(f"{d}/codes.u16", dtype="<u2").astype(np.int64).reshape(len(names), n)
    rust = np.fromfile(f"{d}/weights.f64", dtype="<f8")
    out = {"respondents": n, "margins": len(names)}

    # Respondent rows, pandas mode.
    times, rounds = [], None
    for _ in range(repeats):
        df = pd.DataFrame({name: codes[k] for k, name in enumerate(names)})
        df["total"] = 1.0
        aggregates = [pd.Series(np.asarray(t, float), index=pd.Index(range(len(t)), name=name))
                      for name, t in zip(names, targets)]
        t0 = time.perf_counter()
        res, converged, hist = ipfn(df, aggregates, [[name] for name in names], convergence_rate=1e-10,
                                    rate_tolerance=0.0, max_iteration=1000, verbose=2).iteration()
        times.append(time.perf_counter() - t0)
        assert converged == 1
        rounds = len(hist)
        for name in names:
            assert (res[name].to_numpy() == df[name].to_numpy()).all() if len(res) == n else False
    w_df = res["total"].to_numpy()
    out["ipfn_df"] = {"rounds": rounds, "ms_min": min(times) * 1e3, "ms_median": float(np.median(times)) * 1e3,
                      "max_rel_diff_vs_rust": max_rel(w_df, rust)}

    # Cross-table, numpy mode.
    shape = tuple(len(t) for t in targets)
    times = []
    for _ in range(max(repeats, 5)):
        t0 = time.perf_counter()
        counts = np.zeros(shape)
        np.add.at(counts, tuple(codes), 1.0)
        m, converged, hist = ipfn(counts.copy(), [np.asarray(t, float) for t in targets],
                                  [[k] for k in range(len(names))], convergence_rate=1e-10, rate_tolerance=0.0,
                                  max_iteration=1000, verbose=2).iteration()
        w_np = (m / np.where(counts > 0, counts, 1.0))[tuple(codes)]
        times.append(time.perf_counter() - t0)
        assert converged == 1
    out["ipfn_np"] = {"rounds": len(hist), "cells": int(np.prod(shape)), "ms_min": min(times) * 1e3,
                      "ms_median": float(np.median(times)) * 1e3, "max_rel_diff_vs_rust": max_rel(w_np, rust)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
