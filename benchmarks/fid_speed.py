"""Our frechet_distance_from_stats vs the scipy sqrtm formula, same inputs, one invocation.

Usage: python benchmarks/fid_speed.py  (writes benchmarks/results/fid_speed.md)
"""

import os
import pathlib
import platform
import sys
import time

import numpy as np
import scipy
from scipy import linalg

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from kerasgan.metrics.frechet import frechet_distance_from_stats  # noqa: E402


def scipy_formula(mu1, s1, mu2, s2):
    covmean = linalg.sqrtm(s1 @ s2)
    covmean = covmean.real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def main():
    rows = []
    for d, repeats in ((64, 5), (512, 3), (2048, 2)):
        rng = np.random.default_rng(d)
        feats_a = rng.normal(size=(max(2 * d, 1000), d))
        feats_b = rng.normal(size=(max(2 * d, 1000), d)) @ (np.eye(d) + 0.05 * rng.normal(size=(d, d)))
        mu1, s1 = feats_a.mean(0), np.cov(feats_a, rowvar=False)
        mu2, s2 = feats_b.mean(0), np.cov(feats_b, rowvar=False)
        t_ours, ours = best_time(lambda: frechet_distance_from_stats(mu1, s1, mu2, s2), repeats)
        t_ref, ref = best_time(lambda: scipy_formula(mu1, s1, mu2, s2), repeats)
        rows.append((d, t_ours, t_ref, t_ref / t_ours, abs(ours - ref) / abs(ref)))
    header = (
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs; "
        f"numpy {np.__version__}, scipy {scipy.__version__}"
    )
    lines = [header, "", "| d | ours (s) | scipy sqrtm (s) | speed-up | relative difference |", "|---|---|---|---|---|"]
    lines += [f"| {d} | {a:.4f} | {b:.4f} | {r:.1f}x | {e:.1e} |" for d, a, b, r, e in rows]
    table = "\n".join(lines)
    print(table)
    out = pathlib.Path(__file__).parent / "results" / "fid_speed.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table + "\n")


if __name__ == "__main__":
    main()
