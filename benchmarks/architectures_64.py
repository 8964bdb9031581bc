"""Every 64x64 architecture on the same emoji, for the same number of images shown, with the same seed.

Usage:
    python benchmarks/architectures_64.py [--kimg 200] [--archs dcgan,sagan,...] [--num 2000] [--runs DIR]

Each architecture trains with ``kerasgan.training.train`` on the train split
of ``emoji_styles_64`` (the three colour styles stacked, 5,064 drawings of
1,688 emoji; the class-conditional models use the 9 Unicode categories as
classes) for ``--kimg`` thousand real images shown to D, batch size and
optimiser from the architecture's own recipe, seed 0, at the widths in
``ARCHS`` (what a 2-core CPU trains in a sitting; the table gives each
network's parameter count). DCGAN is the baseline. ProGAN's schedule is
scaled to the budget (``phase_images = kimg / 9``: 4x4, then four fade-in +
stable pairs up to 64x64).

Columns: Inception FID and KID (``--num`` samples, seed 0, against the
training drawings; conditional models draw the classes in turn), precision
and recall (Kynkäänniemi et al. 2019, k=3, Inception features), and the
training time per 1,000 images shown (wall time of the run, which depends on
what else the machine did: compare within one invocation). Runs are kept in
``--runs``, so a later call trains only what is missing and a killed call
loses only the run in progress. It is fine for a model to lose at this
budget: the table says what a small CPU budget buys, not what the papers
report at full scale.
"""

import argparse
import json
import os
import pathlib

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()

DATASET = "emoji_styles_64"
NUM_CLASSES = 9  # the Unicode categories of the emoji set

#: name -> (architecture, model_args); shapes are 64x64x3.
ARCHS = {
    "dcgan": ("dcgan", {"latent_dim": 128, "g_width": 32, "d_width": 32}),
    "sagan": ("sagan", {"num_classes": NUM_CLASSES, "latent_dim": 128, "g_width": 32, "d_width": 32}),
    "biggan": ("biggan", {"num_classes": NUM_CLASSES, "latent_dim": 120, "embedding_dim": 64, "g_width": 32, "d_width": 32,
                          "ema_decay": 0.999}),
    "progan": ("progan", {"latent_dim": 256, "g_width": 16, "d_width": 16}),
    "stylegan": ("stylegan", {"latent_dim": 256, "w_dim": 256, "mapping_layers": 4, "g_width": 32, "d_width": 32}),
    "stylegan2": ("stylegan2", {"latent_dim": 256, "w_dim": 256, "mapping_layers": 4, "g_width": 32, "d_width": 32}),
}


def run_config(name, kimg, seed=0):
    """The ``training.train`` config of one architecture at a budget of ``kimg`` thousand real images."""
    from kerasgan import models

    architecture, model_args = ARCHS[name]
    cls = models.get_architecture(architecture)
    batch = int(cls.recipe.get("batch_size", 64))
    d_steps = int(cls.recipe.get("d_steps", 1))
    images = int(kimg * 1000)
    model_args = {"image_shape": (64, 64, 3), **model_args}
    if architecture == "progan":
        model_args["phase_images"] = max(1, images // 9)
    return {"architecture": architecture, "dataset": DATASET, "model_args": model_args, "compile_args": {},
            "steps": max(1, images // (batch * d_steps)), "batch_size": batch, "seed": seed}


def score_run(name, args):
    """Trains (unless kept in ``--runs``) and scores one architecture; returns its row."""
    import keras

    from kerasgan import training
    from kerasgan.metrics.evaluate import evaluate

    config = run_config(name, args.kimg)
    run = pathlib.Path(args.runs) / f"{name}_{args.kimg}kimg"
    if not (run / "model.keras").is_file():
        training.train(config, str(run), verbose=0)
    cached = run / f"scores_num{args.num}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    seconds = json.loads((run / "config.json").read_text())["seconds"]
    gan = keras.models.load_model(run / "model.keras")
    scores = evaluate(gan, ["fid", "kid", "pr"], num=args.num, reference=f"{DATASET}:train", features="inception", seed=0)
    row = {
        "arch": name, "steps": config["steps"], "batch": config["batch_size"],
        "g_params": int(gan.generator.count_params()), "d_params": int(gan.discriminator.count_params()),
        "fid": scores["fid"], "kid": scores["kid"]["mean"], "kid_std": scores["kid"]["std"],
        "precision": scores["pr"]["precision"], "recall": scores["pr"]["recall"],
        "sec_per_kimg": seconds / args.kimg,
    }
    cached.write_text(json.dumps(row))
    print(json.dumps(row), flush=True)
    return row


def table(args, header, rows, names):
    base = next((r for r in rows if r["arch"] == "dcgan"), None)
    lines = [
        f"# 64x64 architectures on the emoji drawings: {args.kimg}k images shown, seed 0",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"Training data: the train split of {DATASET} (three colour styles, 5,064 drawings); SAGAN and BigGAN are "
        f"conditioned on the 9 Unicode categories. Scores: {args.num} samples (seed 0; conditional models draw the "
        f"classes in turn) against the training drawings, 2015-12-05 Inception pool3 features (legacy_tf resize). "
        f"FID at this sample size is biased upward (compare rows, not papers); KID is unbiased. Time: wall seconds "
        f"per 1,000 real images shown, from each training run.",
        "",
        "| architecture | G params | D params | batch | steps | Inception FID | vs dcgan | KID x 1000 | precision | recall | s / kimg |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r['fid'] / base['fid']:.2f}x" if base else "-"
        lines.append(
            f"| {r['arch']} | {r['g_params'] / 1e6:.2f} M | {r['d_params'] / 1e6:.2f} M | {r['batch']} | {r['steps']} | "
            f"{r['fid']:.1f} | {ratio} | {1000 * r['kid']:.1f} ± {1000 * r['kid_std']:.1f} | {r['precision']:.3f} | "
            f"{r['recall']:.3f} | {r['sec_per_kimg']:.0f} |"
        )
    lines += ["", "Lower FID and KID are better; a ratio above 1.00x means the architecture did worse than DCGAN "
                  "at this budget."]
    missing = [n for n in names if n not in {r["arch"] for r in rows}]
    if missing:
        lines += ["", f"Not measured yet (run interrupted or still going): {', '.join(missing)}."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kimg", type=float, default=200, help="thousands of real images shown to D per architecture")
    parser.add_argument("--archs", default=",".join(ARCHS))
    parser.add_argument("--num", type=int, default=2000, help="generated samples scored per architecture")
    parser.add_argument("--runs", default=str(pathlib.Path(__file__).resolve().parent / "runs" / "architectures_64"))
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.archs.split(",") if n.strip()]
    unknown = [n for n in names if n not in ARCHS]
    if unknown:
        raise SystemExit(f"unknown architectures {unknown}; choose from {', '.join(ARCHS)}")
    if args.kimg <= 0 or args.num < 2:
        raise SystemExit("--kimg must be > 0 and --num >= 2")
    header = machine_description()
    rows = []
    for name in names:
        rows.append(score_run(name, args))
        # Rewritten after every architecture, so an interrupted run keeps what it measured.
        write_result("architectures_64", table(args, header, rows, names))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
