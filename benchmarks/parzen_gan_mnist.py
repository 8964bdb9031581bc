"""Goodfellow et al. 2014, Table 1: Parzen-window log-likelihood of the MLP GAN on MNIST test.

Usage: python benchmarks/parzen_gan_mnist.py [--num 10000] [--model gan_mnist]
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

PAPER = [("GAN (Goodfellow et al. 2014)", "225 ± 2"), ("Deep GSN", "214 ± 1.1"), ("DBN", "138 ± 2"), ("Stacked CAE", "121 ± 1.6")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--num", type=int, default=10000)
    parser.add_argument("--model", default="gan_mnist")
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
    result = parzen_log_likelihood(samples, test, validation=validation, sigmas=10.0 ** np.linspace(-1.3, -0.3, 11))
    seconds = time.time() - start
    lines = [
        f"machine: {platform.machine()}, protocol: pixels in [0, 1], {args.num} samples (seed 0), "
        f"sigma chosen on the last {args.num} MNIST train images, {len(test)} MNIST test images; {seconds:.0f} s",
        "",
        "| model | Parzen log-likelihood on MNIST test |",
        "|---|---|",
        f"| kerasgan `{args.model}` (sigma = {result['sigma']:.4f}) | {result['mean']:.0f} ± {result['std_error']:.1f} |",
    ]
    lines += [f"| {name} (paper) | {value} |" for name, value in PAPER]
    lines += ["", "validation curve (sigma: mean log-likelihood): " + ", ".join(f"{s:.3f}: {v:.1f}" for s, v in result["validation_curve"])]
    table = "\n".join(lines)
    print(table)
    out = pathlib.Path(__file__).parent / "results" / "parzen_gan_mnist.md"
    out.write_text(table + "\n")


if __name__ == "__main__":
    main()
