"""Inverting held-out MNIST test digits into a zoo model: reconstruction and class agreement per method.

Usage:
    python benchmarks/inversion_mnist.py [--model dcgan_mnist] [--num 1000] [--steps 300]

For each method, ``kerasgan.latent.invert`` finds z for the first ``--num``
MNIST test digits (never seen in training), starting from N(0, I) draws
(seed 0). Reported: the pixel MSE and PSNR of the reconstructions (pixels in
[0, 1]), and the share of digits whose reconstruction the shipped MNIST
classifier reads as the same class as the digit (agreement), beside a
floor: the same numbers for random samples of the model. Methods: the pixel
loss, the pixel loss plus the classifier's 128-d features (weight 0.1), and
each at a quarter of the steps. Writes benchmarks/results/inversion_mnist.md.
"""

import argparse
import time

from _common import command_line, machine_description, setup_environment, write_result


def scores(model_images, digits, classifier):
    import numpy as np

    mse = float(np.mean(((model_images + 1) / 2 - (digits + 1) / 2) ** 2))
    psnr = 10 * np.log10(1.0 / mse)
    agree = float(np.mean(classifier.predict(model_images) == classifier.predict(digits)))
    return mse, psnr, agree


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="dcgan_mnist")
    parser.add_argument("--num", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--out", default="inversion_mnist")
    args = parser.parse_args()
    setup_environment()
    from kerasgan import data, latent, zoo
    from kerasgan.metrics.mnist_features import MNISTClassifier

    gan = zoo.load(args.model, compile=False)
    digits = data.load_arrays("mnist", split="test", limit=args.num)
    classifier = MNISTClassifier()
    rows = [("random samples (no inversion: the floor)", "-", *scores(gan.sample(args.num, seed=0), digits, classifier), 0.0)]
    for loss in ("pixel", "pixel+features"):
        for steps in (args.steps // 4, args.steps):
            start = time.perf_counter()
            z = latent.invert(gan, digits, steps=steps, loss=loss, seed=0)
            seconds = time.perf_counter() - start
            rows.append((f"z, {loss} loss", steps, *scores(gan.generate(z), digits, classifier), seconds))
            print(rows[-1], flush=True)
    lines = [
        f"# Inverting {args.num} MNIST test digits into `{args.model}`",
        "",
        f"Command: `{command_line()}`",
        "",
        f"{machine_description()}",
        "",
        "`kerasgan.latent.invert` (Adam, learning rate 0.05, z from N(0, I) with seed 0), all digits in one batch. MSE and "
        "PSNR on [0, 1] pixels; agreement: the shipped MNIST classifier reads the reconstruction as the digit's class.",
        "",
        "| method | steps | pixel MSE | PSNR (dB) | class agreement | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for name, steps, mse, psnr, agree, seconds in rows:
        lines.append(f"| {name} | {steps} | {mse:.4f} | {psnr:.1f} | {agree:.3f} | {seconds:.0f} |")
    write_result(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
