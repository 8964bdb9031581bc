"""Turns a finished `kerasgan train --recipe NAME --output RUN` into a zoo release.

Usage:
    python tools/release_zoo_entry.py NAME RUN_DIR [--step N] [--no-eval]

With ``--step N`` the release is checkpoint N of the run (the step
``tools/fid_curve.py`` selected on the validation reference), else the
run's final model.keras. When the run keeps an EMA generator, that is the
released generator (it is what ``sample``/``export``/``eval`` use).

Writes zoo/NAME/{generator,discriminator}.weights.h5 (no optimizer state),
zoo/NAME/samples.png (64 samples, seed 0), zoo/NAME/config.json (entry,
recipe, image shape, training time, file hashes) and prints the `files=`
dict to paste into the entry's presets.py. Unless --no-eval, it also
measures the MNIST-feature scores (10k samples, seed 0, vs MNIST test) and
the floor (MNIST train 10k vs test) into config.json. The card (zoo/NAME/card.md) is
written by hand from these facts.
"""

import json
import os
import pathlib
import platform
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(name, run_dir, step=None):
    import keras

    import kerasgan
    import kerasgan.models  # noqa: F401 - registers classes for load_model
    from kerasgan import zoo
    from kerasgan.utils.images import save_grid

    entry = zoo.get_entry(name)
    run_dir = pathlib.Path(run_dir)
    if step is None:
        gan = keras.models.load_model(run_dir / "model.keras", safe_mode=True)
        run_config = json.loads((run_dir / "config.json").read_text())
    else:
        from kerasgan import training

        gan = training.load_checkpoint(run_dir, step)
        run_config = {**json.loads((run_dir / "run_config.json").read_text()), "steps": step, "seconds": None}
    out = ROOT / "zoo" / name
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    # The sampling generator: the EMA one when the run keeps it.
    for part, network in (("generator", gan.serving_generator()), ("discriminator", gan.discriminator)):
        filename = f"{part}.weights.h5"
        tmp = out / f".tmp-{filename}"
        network.save_weights(str(tmp))
        os.replace(tmp, out / filename)
        files[filename] = zoo.sha256(out / filename)
    save_grid(gan.sample(64, seed=0), str(out / "samples.png"))
    config = {
        "name": name,
        "architecture": entry.architecture,
        "model_args": entry.model_args,
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "recipe": entry.recipe,
        "training": {
            "steps": run_config["steps"],
            "batch_size": run_config["batch_size"],
            "seed": run_config["seed"],
            "seconds": run_config.get("seconds"),
            "generator": "ema_generator" if gan.ema_generator is not None else "generator",
            "command": f"kerasgan train --recipe {name} --output runs/{name}",
            "machine": f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores".strip(),
            "kerasgan": kerasgan.__version__,
            "keras": keras.__version__,
        },
        "files": files,
    }
    old = out / "config.json"
    if old.exists():
        previous = json.loads(old.read_text())
        if "metrics" in previous and previous.get("files") == files:
            # Scores of these exact weights stay; scores of earlier weights would be stale.
            config["metrics"] = previous["metrics"]
    tmp = out / ".tmp-config.json"
    tmp.write_text(json.dumps(config, indent=2, default=list) + "\n")
    os.replace(tmp, out / "config.json")
    history = run_dir / "history.json"
    if step is not None:
        manifest = json.loads((run_dir / "checkpoints" / f"ckpt-{step:07d}.json").read_text())
        (out / "history.json").write_text(json.dumps(manifest.get("history", {}), indent=2) + "\n")
    elif history.exists():
        shutil.copyfile(history, out / "history.json")
    if "--no-eval" not in sys.argv:
        from kerasgan.metrics.evaluate import evaluate

        scores = evaluate(gan, ["fid", "coverage", "classifier_score", "confident"], num=10000, reference="mnist:test", features="mnist", seed=0)
        floor = evaluate(kerasgan.data.load_arrays("mnist", split="train", limit=10000), ["fid"], num=10000)
        config["metrics"] = {"mnist_features": scores, "floor_mnist_train_10k_vs_test": floor["fid"]}
        tmp.write_text(json.dumps(config, indent=2, default=list) + "\n")
        os.replace(tmp, out / "config.json")
        print(json.dumps(config["metrics"], indent=2))
    print(f"released {name} to {out}")
    print("files=" + json.dumps(files, indent=4))


if __name__ == "__main__":
    argv = sys.argv[1:]
    step = None
    if "--step" in argv:
        i = argv.index("--step")
        step = int(argv[i + 1])
        del argv[i : i + 2]
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        raise SystemExit(__doc__)
    main(*args, step=step)
