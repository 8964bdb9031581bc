"""What the MLP GAN's speckle costs: Goodfellow et al.'s MNIST GAN with one training choice changed at a time.

Usage:
    python benchmarks/gan_mnist_speckle.py [--steps 20000] [--variants recipe,no_dropout,...] [--num 10000]

Every variant trains ``VanillaGAN(image_shape=(28, 28, 1), latent_dim=100,
ema_decay=0.999)`` on the first 50,000 MNIST training images (batch 100,
seed 0, ``--steps`` generator steps) with ``kerasgan.training.train``; only
the named choice differs from the recipe of the zoo entry ``gan_mnist``
(Adam 5e-4, beta_1 0.5; dropout 0.2 on D's input and 0.5 on its hidden
layers). Each run is scored twice, from its raw generator and from the EMA
generator kept beside it, on:

* Parzen: Goodfellow et al. 2014 Table 1's protocol: ``--num`` samples
  (seed 0) in [0, 1], sigma chosen on the held-out last 10,000 training
  images, mean log-likelihood of the 10,000 MNIST test images;
* speckle: the mean absolute change a 3x3 median filter makes to the
  samples' pixels (in [0, 1]): isolated bright or dark pixels are what it
  removes (real MNIST test images: see the table's last row);
* the share of samples the shipped MNIST classifier reads with p > 0.9.

The output activation is not a variant: the paper's sigmoid output in [0, 1]
is ``(tanh(a / 2) + 1) / 2``, the same function family as kerasgan's tanh
output in [-1, 1] with the last layer's weights halved, so it changes the
parametrisation's scale only.

Runs are kept in ``--runs``, so a later call only trains the missing ones.
Writes benchmarks/results/gan_mnist_speckle.md.
"""

import argparse
import json
import pathlib

import numpy as np
from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


def _sgd(lr, momentum):
    return {"class_name": "SGD", "config": {"learning_rate": lr, "momentum": momentum}}


def _adam(lr, b1=0.5):
    return {"class_name": "Adam", "config": {"learning_rate": lr, "beta_1": b1}}


#: name -> (model_args, compile_args, what changes)
VARIANTS = {
    "recipe": ({}, {}, "the recipe: Adam 5e-4 (beta_1 0.5), D dropout 0.2 / 0.5"),
    "no_dropout": ({"d_dropout": 0.0, "input_dropout": 0.0}, {}, "no dropout in D"),
    "adam_2e-4": ({}, {"g_optimizer": _adam(2e-4), "d_optimizer": _adam(2e-4)}, "Adam 2e-4 (the earlier release's)"),
    # the paper's pylearn2 setting: SGD, learning rate 0.1, momentum 0.5 (raised to 0.7 over training there)
    "sgd_momentum": ({}, {"g_optimizer": _sgd(0.1, 0.5), "d_optimizer": _sgd(0.1, 0.5)}, "SGD 0.1, momentum 0.5 (the paper's)"),
}


def speckle(images01):
    """Mean absolute change of a 3x3 median filter on (N, 28, 28) images in [0, 1]."""
    from scipy.ndimage import median_filter

    return float(np.abs(median_filter(images01, size=(1, 3, 3)) - images01).mean())


def score(samples, validation, test, classifier):
    from kerasgan.metrics.parzen import parzen_log_likelihood

    flat = (samples.reshape(len(samples), -1).astype("float64") + 1.0) / 2.0
    parzen = parzen_log_likelihood(flat, test, validation=validation, sigmas=10.0 ** np.linspace(-1.3, -0.3, 11))
    probs = classifier.probabilities(samples)
    return {"parzen": parzen["mean"], "parzen_se": parzen["std_error"], "sigma": parzen["sigma"],
            "speckle": speckle(flat.reshape(-1, 28, 28)), "confident": float((probs.max(axis=1) > 0.9).mean())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--num", type=int, default=10000)
    parser.add_argument("--runs", default=str(pathlib.Path(__file__).resolve().parent / "runs" / "gan_mnist_speckle"))
    args = parser.parse_args()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")

    from kerasgan import data, training
    from kerasgan.metrics.mnist_features import MNISTClassifier

    to01 = lambda x: (x.reshape(len(x), -1).astype("float64") + 1.0) / 2.0  # noqa: E731
    validation = to01(data.load_arrays("mnist", split="train[50000:]"))
    test_images = data.load_arrays("mnist", split="test")
    test = to01(test_images)
    classifier = MNISTClassifier()
    header = machine_description()
    rows = []
    for name in names:
        model_args, compile_args, what = VARIANTS[name]
        run = pathlib.Path(args.runs) / f"{name}_{args.steps}"
        cached = run / f"scores_num{args.num}.json"
        if cached.is_file():
            row = json.loads(cached.read_text())
        else:
            if not (run / "model.keras").is_file():
                config = {"architecture": "vanilla_gan", "dataset": "mnist", "split": "train[:50000]", "steps": args.steps,
                          "batch_size": 100, "seed": 0, "steps_per_execution": 8, "jit_compile": False,
                          "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, "ema_decay": 0.999, **model_args},
                          "compile_args": compile_args}
                try:
                    training.train(config, str(run), verbose=0, sample_every=args.steps)
                except training.TrainingDiverged as err:  # a row of its own: the variant cannot train as set
                    row = {"variant": name, "what": what, "diverged": str(err).split(";")[0]}
                    run.mkdir(parents=True, exist_ok=True)
                    cached.write_text(json.dumps(row))
            if not cached.is_file():
                gan = _load(run)
                seconds = json.loads((run / "config.json").read_text()).get("seconds")
                row = {"variant": name, "what": what, "seconds": seconds,
                       "raw": score(gan.sample(args.num, 0, ema=False), validation, test, classifier),
                       "ema": score(gan.sample(args.num, seed=0), validation, test, classifier)}
                cached.write_text(json.dumps(row))
        rows.append(row)
        print(json.dumps(row), flush=True)
        write_table(args, header, rows, test_images, validation, test, classifier)


def _load(run):
    import keras

    return keras.models.load_model(run / "model.keras")


_REAL = {}


def write_table(args, header, rows, test_images, validation, test, classifier):
    if not _REAL:  # real training images in the samples' place: the protocol's ceiling and the speckle of real digits
        from kerasgan import data

        real = data.load_arrays("mnist", split=f"train[:{args.num}]")
        _REAL.update(score(real, validation, test, classifier))
    lines = [
        f"# What the MLP GAN's speckle costs: {args.steps} generator steps per variant, batch 100, seed 0",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"Parzen: {args.num} samples (seed 0) in [0, 1], sigma chosen on the held-out last 10,000 MNIST training images, "
        "mean log-likelihood of the 10,000 MNIST test images ± its standard error (Goodfellow et al. 2014, Table 1: "
        "225 ± 2). Speckle: mean absolute change of a 3x3 median filter (lower is smoother). Confident: share of samples "
        "the shipped MNIST classifier reads with p > 0.9.",
        "",
        "| variant | what changes | Parzen (raw G) | Parzen (EMA G) | speckle raw / EMA | confident raw / EMA | minutes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "diverged" in r:
            lines.append(f"| {r['variant']} | {r['what']} | {r['diverged']} | | | | |")
            continue
        raw, ema = r["raw"], r["ema"]
        minutes = f"{r['seconds'] / 60:.1f}" if r.get("seconds") else "-"
        lines.append(
            f"| {r['variant']} | {r['what']} | {raw['parzen']:.0f} ± {raw['parzen_se']:.1f} | {ema['parzen']:.0f} ± {ema['parzen_se']:.1f} | "
            f"{raw['speckle']:.4f} / {ema['speckle']:.4f} | {raw['confident']:.3f} / {ema['confident']:.3f} | {minutes} |"
        )
    lines.append(f"| real MNIST training images | (in the samples' place) | {_REAL['parzen']:.0f} ± {_REAL['parzen_se']:.1f} | | "
                 f"{_REAL['speckle']:.4f} | {_REAL['confident']:.3f} | |")
    write_result("gan_mnist_speckle", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
