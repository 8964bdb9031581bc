"""Ablation: every objective / stabilisation option against plain DCGAN on MNIST.

Usage:
    python benchmarks/ablation.py [--steps 1000] [--variants dcgan,lsgan,...] [--num 5000] [--inception-num 0]
                                  [--baseline-seeds 1] [--time-steps 0]

Each variant trains the same DCGAN networks (28x28, latent 100, default
widths) on real MNIST with ``kerasgan.training.train``: same steps, batch 64,
seed 0, op determinism; only the objective or one option changes. Columns:
MNIST-feature FID and coverage (``--num`` samples, seed 0, vs the 10k MNIST
test images), Inception FID (``--inception-num`` samples vs the 10k test
images' cached statistics; skipped when 0 — it costs about 0.1-0.2 s per
image on a 2-core CPU) and wall time per 1k generator steps. Runs are kept
in ``--runs`` so a later call only trains the missing variants.

``--baseline-seeds N`` also trains plain DCGAN with seeds 1..N-1 and states
the spread of its scores: the seed noise against which the rows compare.

The training runs' wall time depends on what else the machine did while each
ran (runs may come from different invocations). ``--time-steps N`` instead
times 3 blocks of N generator steps of every variant back to back in this
invocation (after a warm-up that traces the step), on the same in-memory
MNIST batches, and reports the fastest block and its ratio to plain DCGAN.
"""

import argparse
import json
import os
import pathlib
import time

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


#: Variants whose step costs what plain DCGAN's does: their timing spread shows the timing noise.
SAME_WORK_AS_DCGAN = ("dcgan", "label_smoothing", "lsgan", "hinge", "ttur")


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
    # Salimans 2016 give no weight; 0.1 makes the pull comparable to the loss gradients here.
    "historical_averaging": ({}, {"historical_averaging": 0.1}),
    "virtual_batch_norm": ({"g_norm": "virtual"}, {}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--num", type=int, default=5000)
    parser.add_argument("--inception-num", type=int, default=0)
    parser.add_argument("--baseline-seeds", type=int, default=1,
                        help="also train plain DCGAN with seeds 1..N-1 and report the seed spread of its scores")
    parser.add_argument("--time-steps", type=int, default=0, help="time this many steps per variant in this invocation")
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
    rows, baseline = [], []
    for name in names:
        rows.append(score_run(name, 0, args, training, evaluate, keras))
        # The table is rewritten after every variant, so an interrupted run keeps what it measured.
        write_table(args, header, rows, names, baseline)
    for seed in range(1, args.baseline_seeds):
        baseline.append(score_run("dcgan", seed, args, training, evaluate, keras))
        write_table(args, header, rows, names, baseline)
    if args.time_steps:
        from kerasgan import data

        images = data.load_arrays("mnist", split="train")
        time_variant(*VARIANTS["dcgan"], 10, images, repeats=1)  # the process's first fits run slower
        for row in rows:
            row["timed_sec_per_1k"] = time_variant(*VARIANTS[row["variant"]], args.time_steps, images)
            print(json.dumps({"variant": row["variant"], "timed_sec_per_1k": row["timed_sec_per_1k"]}), flush=True)
        write_table(args, header, rows, names, baseline)


def score_run(name, seed, args, training, evaluate, keras):
    """Trains (unless kept in ``--runs``) and scores one variant with one seed; returns its row."""
    model_args, compile_args = VARIANTS[name]
    run = pathlib.Path(args.runs) / (f"{name}_{args.steps}" + (f"_seed{seed}" if seed else ""))
    if not (run / "model.keras").is_file():
        config = {"architecture": "dcgan", "dataset": "mnist", "steps": args.steps, "batch_size": 64, "seed": seed,
                  "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, **model_args},
                  "compile_args": compile_args}
        training.train(config, str(run), verbose=0)
    cached = run / f"scores_num{args.num}_inception{args.inception_num}.json"
    if cached.is_file():  # scored before with the same protocol
        row = json.loads(cached.read_text())
    else:
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
    print(json.dumps({**row, "seed": seed}), flush=True)
    return row


def time_variant(model_args, compile_args, steps, images, batch=64, warmup=5, repeats=3):
    """Seconds per 1,000 generator steps of one variant: the fastest of ``repeats`` timed blocks, after ``warmup`` steps."""
    import keras

    from kerasgan.models import DCGAN

    keras.utils.set_random_seed(0)
    gan = DCGAN(image_shape=(28, 28, 1), latent_dim=100, seed=0, **model_args)
    gan.compile(**compile_args)
    per_step = batch * gan.d_steps
    gan.fit(images[: per_step * warmup], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    timed = images[per_step * warmup : per_step * (warmup + steps)]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        gan.fit(timed, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / steps


def write_table(args, header, rows, names, baseline=()):
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
        + " Time: wall seconds per 1,000 generator steps (n_critic = 5 variants do 5,000 critic steps), "
        + (f"the fastest of 3 timed blocks of {args.time_steps} steps per variant, back to back in this invocation "
           f"(after 5 warm-up steps), on the same MNIST batches; 'time vs dcgan' is the ratio to plain DCGAN's time."
           if args.time_steps else
           "from each training run (runs made in different invocations saw different machine load)."),
        "",
    ]
    timed = bool(rows) and all("timed_sec_per_1k" in r for r in rows)
    if timed:
        lines += ["| variant | MNIST-feature FID | vs dcgan | classes covered | KL to uniform | Inception FID | s / 1k steps | time vs dcgan |",
                  "|---|---|---|---|---|---|---|---|"]
    else:
        lines += ["| variant | MNIST-feature FID | vs dcgan | classes covered | KL to uniform | Inception FID | s / 1k steps |",
                  "|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['mnist_fid'] / base['mnist_fid']:.2f}x" if base else "-"
        inception = f"{r['inception_fid']:.1f}" if r["inception_fid"] is not None else "-"
        line = f"| {r['variant']} | {r['mnist_fid']:.1f} | {ratio} | {r['classes']} | {r['kl']:.3f} | {inception} | "
        if timed:
            t_ratio = f"{r['timed_sec_per_1k'] / base['timed_sec_per_1k']:.2f}x" if base else "-"
            line += f"{r['timed_sec_per_1k']:.0f} | {t_ratio} |"
        else:
            line += f"{r['sec_per_1k']:.0f} |"
        lines.append(line)
    lines += ["", "Lower FID is better; a ratio above 1.00x means the variant did worse than plain DCGAN."]
    base_rows = ([base] if base else []) + list(baseline)
    if len(base_rows) > 1:
        fids = [r["mnist_fid"] for r in base_rows]
        text = (f"Seed spread: plain DCGAN trained with seeds 0–{len(base_rows) - 1} (same steps, everything else equal) "
                f"scored MNIST-feature FID {min(fids):.1f}–{max(fids):.1f}")
        if all(r["inception_fid"] is not None for r in base_rows):
            inc = [r["inception_fid"] for r in base_rows]
            text += f" and Inception FID {min(inc):.1f}–{max(inc):.1f}"
        lines += ["", text + "; rows that differ from dcgan by less than that spread are within seed noise "
                             "(every variant above ran with seed 0 only)."]
    same_work = [r for r in rows if r["variant"] in SAME_WORK_AS_DCGAN and "timed_sec_per_1k" in r]
    if timed and len(same_work) > 1:
        times = [r["timed_sec_per_1k"] for r in same_work]
        lines += ["", f"Timing noise: {', '.join(r['variant'] for r in same_work)} do the same work per step as dcgan "
                      f"(only the loss formula or learning rate differs) and took {min(times):.0f}–{max(times):.0f} s "
                      f"(a {max(times) / min(times):.2f}x spread); time differences smaller than that are noise."]
    missing = [n for n in names if n not in {r["variant"] for r in rows}]
    if missing:
        lines += ["", f"Not measured yet (run interrupted or still going): {', '.join(missing)}."]
    write_result("ablation", "\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
