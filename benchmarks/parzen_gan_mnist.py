"""Goodfellow et al. 2014, Table 1: Parzen-window log-likelihood of the MLP GAN on MNIST test.

Usage: python benchmarks/parzen_gan_mnist.py [--num 10000] [--model gan_mnist] [--speckle]
       python benchmarks/parzen_gan_mnist.py --run RUN_DIR [--every 10000]
Writes benchmarks/results/parzen_gan_mnist.md; with --run, scores the run's
checkpoints on the validation images only (sigma chosen there, and the mean
log-likelihood of those same validation images at that sigma as the score to
select a step by; the test images are not read) into RUN_DIR/parzen_curve.json.

Protocol (the paper's): pixels in [0, 1]; 10,000 generated samples; sigma
chosen on a validation set (the last 10,000 MNIST training images) from a
log-spaced grid; the mean log-likelihood of the 10,000 test images and its
standard error. The paper's numbers are quoted beside ours.
"""

import argparse
import pathlib
import platform
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import cpu_vector_flags  # noqa: E402

PAPER = [("GAN (Goodfellow et al. 2014)", "225 ± 2"), ("Deep GSN", "214 ± 1.1"), ("DBN", "138 ± 2"), ("Stacked CAE", "121 ± 1.6")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--num", type=int, default=10000)
    parser.add_argument("--model", default="gan_mnist")
    parser.add_argument("--speckle", action="store_true", help="also score median-filtered samples and real images")
    parser.add_argument("--run", help="score this training run's checkpoints on the validation images instead")
    parser.add_argument("--every", type=int, default=10000, help="with --run: checkpoints at multiples of this step")
    args = parser.parse_args()
    if args.run:
        return score_run(args.run, args.num, args.every)
    from kerasgan import data, zoo
    from kerasgan.metrics.parzen import parzen_log_likelihood

    gan = zoo.load(args.model, compile=False)
    to01 = _to01
    samples = to01(gan.sample(args.num, seed=0))
    train = data.load_arrays("mnist", split="train")
    validation = to01(train[-args.num:])
    test = to01(data.load_arrays("mnist", split="test", limit=args.num))
    start = time.time()
    sigmas = 10.0 ** np.linspace(-1.3, -0.3, 11)
    result = parzen_log_likelihood(samples, test, validation=validation, sigmas=sigmas)
    seconds = time.time() - start
    lines = [
        f"machine: {platform.machine()} ({cpu_vector_flags()}), protocol: pixels in [0, 1], {args.num} samples (seed 0), "
        f"sigma chosen on the last {args.num} MNIST train images, {len(test)} MNIST test images; {seconds:.0f} s per row",
        "",
        "| model | Parzen log-likelihood on MNIST test |",
        "|---|---|",
        f"| kerasgan `{args.model}` (sigma = {result['sigma']:.4f}) | {result['mean']:.0f} ± {result['std_error']:.1f} |",
    ]
    if args.speckle:
        # What the speckle costs: the same samples with isolated pixels removed
        # (3x3 median filter), and real images in the samples' place (the
        # protocol's ceiling: 10,000 train images not used for sigma).
        from scipy.ndimage import median_filter

        side = int(round(np.sqrt(samples.shape[1])))
        filtered = median_filter(samples.reshape(-1, side, side), size=(1, 3, 3)).reshape(len(samples), -1)
        real = to01(train[: args.num])
        for label, rows in ((f"`{args.model}` samples, 3x3 median filter (speckle removed)", filtered),
                            ("MNIST train images as the samples (ceiling of this protocol)", real),
                            ("MNIST train images, 3x3 median filter", median_filter(real.reshape(-1, side, side), size=(1, 3, 3)).reshape(len(real), -1))):
            r = parzen_log_likelihood(rows, test, validation=validation, sigmas=sigmas)
            lines.append(f"| {label} (sigma = {r['sigma']:.4f}) | {r['mean']:.0f} ± {r['std_error']:.1f} |")
            print(lines[-1], flush=True)
    lines += [f"| {name} (paper) | {value} |" for name, value in PAPER]
    lines += ["", "validation curve (sigma: mean log-likelihood): " + ", ".join(f"{s:.3f}: {v:.1f}" for s, v in result["validation_curve"])]
    table = "\n".join(lines)
    print(table)
    out = pathlib.Path(__file__).parent / "results" / "parzen_gan_mnist.md"
    out.write_text(table + "\n")


def _to01(x):
    return (np.asarray(x).reshape(len(x), -1).astype("float64") + 1.0) / 2.0


def score_run(run_dir, num=10000, every=10000):
    """Validation Parzen log-likelihood of a run's checkpoints (cached in RUN_DIR/parzen_curve.json)."""
    import json
    import os

    from kerasgan import data, training
    from kerasgan.metrics.parzen import parzen_log_likelihoods

    run = training.Run(run_dir)
    cache_path = pathlib.Path(run.output) / "parzen_curve.json"
    protocol = {"num": num, "validation": f"last {num} MNIST train images", "seed": 0, "sigmas": "10 ** linspace(-1.3, -0.3, 11)"}
    cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    if cache.get("protocol") != protocol:
        cache = {"protocol": protocol, "steps": {}}
    validation = _to01(data.load_arrays("mnist", split="train")[-num:])
    sigmas = 10.0 ** np.linspace(-1.3, -0.3, 11)
    steps = [s for s, _, _ in run.checkpoints()]
    for step in steps:
        if str(step) in cache["steps"] or (step % every and step != steps[-1]):
            continue
        samples = _to01(training.load_checkpoint(run.output, step).sample(num, seed=0))
        curve = parzen_log_likelihoods(samples, validation, sigmas).mean(axis=1)
        best = int(np.argmax(curve))
        cache["steps"][str(step)] = {"validation_ll": float(curve[best]), "sigma": float(sigmas[best])}
        tmp = cache_path.with_name(".tmp-parzen_curve.json")
        tmp.write_text(json.dumps(cache, indent=1) + "\n")
        os.replace(tmp, cache_path)
        print(f"step {step}: validation log-likelihood {curve[best]:.1f} (sigma {sigmas[best]:.4f})", flush=True)
    scored = {int(k): v for k, v in cache["steps"].items()}
    best = max(scored, key=lambda k: scored[k]["validation_ll"])
    print(f"highest validation log-likelihood: step {best} ({scored[best]['validation_ll']:.1f})")
    return scored


if __name__ == "__main__":
    main()
