"""Ablation: every objective / stabilisation option against plain DCGAN on MNIST.

Usage:
    python benchmarks/ablation.py [--steps 1000] [--variants dcgan,lsgan,...] [--num 5000] [--inception-num 0]

Each variant trains the same DCGAN networks (28x28, latent 100, default
widths) on real MNIST with ``kerasgan.training.train``: same steps, batch 64,
seed 0, op determinism; only the objective or one option changes. Columns:
MNIST-feature FID and coverage (``--num`` samples, seed 0, vs the 10k MNIST
test images), Inception FID (``--inception-num`` samples vs the 10k test
images' cached statistics; skipped when 0 — it costs about 0.1-0.2 s per
image on a 2-core CPU) and wall time per 1k generator steps. Runs are kept
in ``--runs`` so a later call only trains the missing variants.
"""

import argparse
import json
import os
import pathlib
import time

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


def _adam(lr, b1, b2=0.999):
    return {"class_name": "Adam", "config": {"learning_rate": lr, "beta_1": b1, "beta_2": b2}}


VARIANTS = {
    "dcgan": ({}, {}),
    "label_smoothing": ({}, {"loss": "minimax", "label_smoothing": 0.2}),
    "lsgan": ({}, {"loss": "least_squares"}),
    "hinge": ({}, {"loss": "hinge"}),
    "wgan": ({}, {"loss": "wasserstein", "clip_weights": 0.01, "d_steps": 5,
                  "g_optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 5e-5}},
                  "d_optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 5e-5}}}),
    "wgan_gp": ({"d_norm": "layer"}, {"loss": "wasserstein", "gradient_penalty": 10.0, "d_steps": 5,
                                      "g_optimizer": _adam(1e-4, 0.0, 0.9), "d_optimizer": _adam(1e-4, 0.0, 0.9)}),
    "sngan": ({"d_norm": "spectral"}, {"loss": "hinge"}),
    "r1": ({}, {"r1_gamma": 10.0}),
    "r1_lazy16": ({}, {"r1_gamma": 10.0, "r1_every": 16}),
    "ttur": ({}, {"g_optimizer": _adam(1e-4, 0.5), "d_optimizer": _adam(4e-4, 0.5)}),
    "ema": ({"ema_decay": 0.999}, {}),
    "diffaugment": ({}, {"augment": "diffaugment:color,translation,cutout"}),
    "ada": ({}, {"augment": {"name": "ada", "speed_kimg": 100.0}}),
    "feature_matching": ({}, {"feature_matching": True}),
    "minibatch_disc": ({"d_minibatch_kernels": 50}, {}),
    "adaptive_d_l2": ({}, {"adaptive_d_l2": {"initial": 1e-4}}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--num", type=int, default=5000)
    parser.add_argument("--inception-num", type=int, default=0)
    parser.add_argument("--runs", default=str(pathlib.Path(__file__).resolve().parent / "runs" / "ablation"))
    args = parser.parse_args()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; choose from {', '.join(VARIANTS)}")

    import keras

    import kerasgan.models  # noqa: F401
    from kerasgan import training
    from kerasgan.metrics.evaluate import evaluate

    header = machine_description()
    rows = []
    for name in names:
        model_args, compile_args = VARIANTS[name]
        run = pathlib.Path(args.runs) / f"{name}_{args.steps}"
        if not (run / "model.keras").is_file():
            config = {"architecture": "dcgan", "dataset": "mnist", "steps": args.steps, "batch_size": 64, "seed": 0,
                      "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, **model_args},
                      "compile_args": compile_args}
            training.train(config, str(run), verbose=0)
        cached = run / f"scores_num{args.num}_inception{args.inception_num}.json"
        if cached.is_file():  # scored before with the same protocol
            row = json.loads(cached.read_text())
            rows.append(row)
            print(json.dumps(row), flush=True)
            write_table(args, header, rows, names)
            continue
        seconds = json.loads((run / "config.json").read_text())["seconds"]
        gan = keras.models.load_model(run / "model.keras")
        scores = evaluate(gan, ["fid", "coverage"], num=args.num, features="mnist", seed=0)
        inception = None
        if args.inception_num:
            inception = evaluate(gan, ["fid"], num=args.inception_num, features="inception", seed=0)["fid"]
        row = {"variant": name, "mnist_fid": scores["fid"], "classes": scores["coverage"]["classes_covered"],
               "kl": scores["coverage"]["kl_to_uniform"], "inception_fid": inception,
               "sec_per_1k": 1000 * seconds / args.steps}
        cached.write_text(json.dumps(row))
        rows.append(row)
        print(json.dumps(row), flush=True)
        # The table is rewritten after every variant, so an interrupted run keeps what it measured.
        write_table(args, header, rows, names)


def write_table(args, header, rows, names):
    base = next((r for r in rows if r["variant"] == "dcgan"), None)
    lines = [
        f"# Ablation on MNIST: {args.steps} generator steps per variant, batch 64, seed 0",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"MNIST-feature FID and coverage: {args.num} samples (seed 0) vs the 10,000 MNIST test images, kerasgan's "
        f"MNIST classifier features. Inception FID: "
        + (f"{args.inception_num} samples vs the 10k test images (biased upward at this sample size; compare "
           f"rows, not papers)." if args.inception_num else "not measured in this run (--inception-num 0).")
        + " Time: wall seconds per 1,000 generator steps (n_critic = 5 variants do 5,000 critic steps).",
        "",
        "| variant | MNIST-feature FID | vs dcgan | classes covered | KL to uniform | Inception FID | s / 1k steps |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r['mnist_fid'] / base['mnist_fid']:.2f}x" if base else "-"
        inception = f"{r['inception_fid']:.1f}" if r["inception_fid"] is not None else "-"
        lines.append(f"| {r['variant']} | {r['mnist_fid']:.1f} | {ratio} | {r['classes']} | {r['kl']:.3f} | "
                     f"{inception} | {r['sec_per_1k']:.0f} |")
    lines += ["", "Lower FID is better; a ratio above 1.00x means the variant did worse than plain DCGAN."]
    missing = [n for n in names if n not in {r["variant"] for r in rows}]
    if missing:
        lines += ["", f"Not measured yet (run interrupted or still going): {', '.join(missing)}."]
    write_result("ablation", "\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
