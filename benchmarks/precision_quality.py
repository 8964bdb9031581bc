"""Precision: does mixed_bfloat16 keep quality, and is it faster, on this machine?

Usage:
    python benchmarks/precision_quality.py [--steps 1500] [--seeds 0,1] [--precisions float32,mixed_bfloat16]

Trains the ``dcgan_mnist`` recipe (same networks, optimizers, batch 64) for
``--steps`` generator steps with every precision and seed, then scores each
model on 10,000 samples (seed 0) against the 10,000 MNIST test images with
kerasgan's MNIST classifier: FID, classes covered and KL(class histogram ||
uniform). Two seeds per precision give the run-to-run noise that a
precision's effect must be judged against. Wall time per 1k steps is
measured in the same invocation (runs are sequential; keep the machine
otherwise idle). The result decides what ``--precision auto`` picks: see
``kerasgan.distribute.resolve_precision``.
"""

import argparse
import json
import os
import pathlib
import statistics

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    parser.add_argument("--num", type=int, default=10000)
    parser.add_argument("--runs", default=str(pathlib.Path(__file__).resolve().parent / "runs" / "precision"))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    precisions = [p.strip() for p in args.precisions.split(",")]

    import keras

    from kerasgan import distribute, training, zoo
    from kerasgan.metrics.evaluate import evaluate

    recipe = zoo.info("dcgan_mnist")["recipe"]
    rows = []
    for precision in precisions:
        for seed in seeds:
            run = pathlib.Path(args.runs) / f"{precision}_seed{seed}_{args.steps}"
            if not (run / "model.keras").is_file():
                config = {**recipe, "steps": args.steps, "seed": seed, "precision": precision}
                training.train(config, str(run), verbose=0)
            seconds = json.loads((run / "config.json").read_text())["seconds"]
            distribute.set_precision("float32")  # score every model the same way
            gan = keras.models.load_model(run / "model.keras")
            s = evaluate(gan, ["fid", "coverage"], num=args.num, features="mnist", seed=0)
            row = {"precision": precision, "seed": seed, "fid": s["fid"], "classes": s["coverage"]["classes_covered"],
                   "kl": s["coverage"]["kl_to_uniform"], "sec_per_1k": 1000 * seconds / args.steps}
            rows.append(row)
            print(json.dumps(row), flush=True)

    lines = [
        f"# Precision vs quality: dcgan_mnist recipe, {args.steps} steps, seeds {args.seeds}",
        "",
        machine_description() + f"; bfloat16 in hardware: {distribute.hardware_has_bfloat16()}",
        "",
        f"command: `{command_line()}`",
        "",
        f"Scores: {args.num} samples (seed 0) vs the 10,000 MNIST test images, kerasgan's MNIST classifier. "
        "Time: wall seconds per 1,000 generator steps of `kerasgan.training.train` (includes sample grids).",
        "",
        "| precision | seed | MNIST-feature FID | classes covered | KL to uniform | s / 1k steps |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['precision']} | {r['seed']} | {r['fid']:.1f} | {r['classes']} | {r['kl']:.3f} | "
                     f"{r['sec_per_1k']:.0f} |")
    lines += ["", "| precision | mean FID | FID spread over seeds | mean s / 1k steps | speed vs float32 |",
              "|---|---|---|---|---|"]
    base = None
    for precision in precisions:
        mine = [r for r in rows if r["precision"] == precision]
        fids = [r["fid"] for r in mine]
        sec = statistics.mean(r["sec_per_1k"] for r in mine)
        base = base or (sec if precision == "float32" else None)
        speed = f"{base / sec:.2f}x" if base else "-"
        lines.append(f"| {precision} | {statistics.mean(fids):.1f} | {max(fids) - min(fids):.1f} | {sec:.0f} | {speed} |")
    write_result("precision_quality", "\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
