"""The Python half of the Gi* comparison (crates/analysis/examples/gi_vs_esda.rs is the Rust half).

Reads the cell counts the Rust side binned (u32 little-endian, row-major, ROWS x COLS), builds
libpysal.weights.lat2W(ROWS, COLS, rook=False) (queen contiguity: the 3x3 block, timed separately) and times
esda.G_Local(y, w, transform='B', star=True, permutations=0) -- the analytic Gi*, no permutation inference.
Checks esda's z scores against the Rust ones (f64 little-endian) and prints one JSON line.

usage: python gi_esda.py COUNTS.u32 ROWS COLS Z.f64 [MAX_REPEATS]
"""

import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from esda.getisord import G_Local  # noqa: E402
from libpysal.weights import lat2W  # noqa: E402


def main() -> None:
    counts_path, rows, cols, z_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    max_repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    y = np.fromfile(counts_path, dtype="<u4").astype(np.float64)
    assert y.size == rows * cols, (y.size, rows, cols)
    z_rust = np.fromfile(z_path, dtype="<f8")

    t = time.perf_counter()
    w = lat2W(rows, cols, rook=False)
    weights_s = time.perf_counter() - t

    times = []
    lg = None
    budget = time.perf_counter()
    for _ in range(max_repeats):
        t = time.perf_counter()
        lg = G_Local(y, w, transform="B", star=True, permutations=0)
        times.append(time.perf_counter() - t)
        if time.perf_counter() - budget > 60:
            break
    z_esda = np.asarray(lg.Zs, dtype=np.float64)
    ok = np.isfinite(z_esda) & np.isfinite(z_rust)
    max_diff = float(np.max(np.abs(z_esda[ok] - z_rust[ok]))) if ok.any() else float("nan")
    import esda
    import libpysal

    print(
        json.dumps(
            {
                "cells": int(y.size),
                "incidents": int(y.sum()),
                "weights_s": round(weights_s, 3),
                "g_local_s_min": round(min(times), 3),
                "g_local_s_all": [round(t, 3) for t in times],
                "max_abs_z_diff": max_diff,
                "nonfinite_esda": int((~np.isfinite(z_esda)).sum()),
                "esda": esda.__version__,
                "libpysal": libpysal.__version__,
                "numpy": np.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
