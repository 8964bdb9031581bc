"""Goodfellow et al. 2014, Table 1: Parzen-window log-likelihood of the MLP GAN on MNIST test.

Usage: python benchmarks/parzen_gan_mnist.py [--num 10000] [--model gan_mnist] [--speckle]
Writes benchmarks/results/parzen_gan_mnist.md.

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
    args = parser.parse_args()
    from kerasgan import data, zoo
    from kerasgan.metrics.parzen import parzen_log_likelihood

    gan = zoo.load(args.model, compile=False)
    to01 = lambda x: (x.reshape(len(x), -1).astype("float64") + 1.0) / 2.0  # noqa: E731
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


if __name__ == "__main__":
    main()
