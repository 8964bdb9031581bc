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
the floor (MNIST train 10k vs test) into config.json. With --step and
a scored run (RUN_DIR/curve.json from tools/fid_curve.py), the validation
curve goes to zoo/NAME/curve.json and curve.svg and the selection to
config.json. The card (zoo/NAME/card.md) is
written by hand from these facts.
"""

import importlib.util
import json
import math
import os
import pathlib
import platform
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


#: Model arguments that change training only, not the released networks.
TRAINING_ONLY_ARGS = ("ema_decay",)


def check_run_matches_entry(entry, run_config):
    """Refuses to release a run whose networks differ from the zoo entry's (one-line ValueError)."""
    if run_config.get("architecture") != entry.architecture:
        raise ValueError(
            f"the run trained {run_config.get('architecture')!r} but zoo entry {entry.name!r} is "
            f"{entry.architecture!r}: release it under an entry of that architecture"
        )
    run_args = {k: v for k, v in (run_config.get("model_args") or {}).items() if k not in TRAINING_ONLY_ARGS}
    entry_args = {k: v for k, v in entry.model_args.items() if k not in TRAINING_ONLY_ARGS}
    norm = lambda d: json.loads(json.dumps(d, default=list))  # noqa: E731 - tuples vs lists
    if norm(run_args) != norm(entry_args):
        differ = sorted(k for k in set(run_args) | set(entry_args) if norm(run_args).get(k) != norm(entry_args).get(k))
        raise ValueError(
            f"the run's model_args differ from zoo entry {entry.name!r} in {', '.join(differ)} "
            f"(run: { {k: run_args.get(k) for k in differ} }, entry: { {k: entry_args.get(k) for k in differ} }): "
            f"update the entry's model_args in its presets.py or release another run"
        )


def curve_command(name, protocol, steps, checkpoint_every=None):
    """The ``tools/fid_curve.py`` command that rebuilds a released curve: every option that differs from its default.

    ``--every`` is not stored in the protocol (it picks points, not how they are scored); it is recovered as the
    common divisor of the scored steps other than the newest (which is always scored), when that is coarser than the
    run's checkpoint spacing.
    """
    command = f"python tools/fid_curve.py runs/{name}"
    if protocol.get("num", 5000) != 5000:
        command += f" --num {protocol['num']}"
    if protocol.get("reference", "mnist:train") != "mnist:train":
        command += f" --reference '{protocol['reference']}'"
    if protocol.get("features", "mnist") != "mnist":
        command += f" --features {protocol['features']}"
    spaced = sorted(steps)[:-1]
    every = math.gcd(*spaced) if spaced else 0
    if every and every > (checkpoint_every or 1):
        command += f" --every {every}"
    return command


def main(name, run_dir, step=None, evaluate_scores=True, root=ROOT):
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
    check_run_matches_entry(entry, run_config)
    out = pathlib.Path(root) / "zoo" / name
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    # Every network of the model; for the sampling one, the EMA copy when the run keeps it.
    networks = zoo.network_files(gan)
    sampling = next(iter(networks))
    networks[sampling] = gan.serving_generator()
    for filename, network in networks.items():
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
    curve_path = run_dir / "curve.json"
    if step is not None and curve_path.is_file():
        # The validation curve the step was selected on (tools/fid_curve.py): kept with the card.
        spec = importlib.util.spec_from_file_location("fid_curve", ROOT / "tools" / "fid_curve.py")
        fid_curve = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fid_curve)
        cached = json.loads(curve_path.read_text())
        curve = {int(k): v for k, v in cached["steps"].items()}
        best, flat = fid_curve.select(curve)
        config["selection"] = {
            "protocol": cached["protocol"],
            "selected_step": step,
            "lowest_validation_fid_step": best,
            "flattened": flat,
            "command": curve_command(name, cached["protocol"], curve, run_config.get("checkpoint_every")),
        }
        shutil.copyfile(curve_path, out / "curve.json")
        (out / "curve.svg").write_text(
            fid_curve.svg(curve, f"{name}: {fid_curve.FEATURE_NAMES[cached['protocol'].get('features', 'mnist')]} FID vs "
                                 f"{cached['protocol'].get('reference', 'mnist:train')} (validation)", selected=step)
        )
        tmp.write_text(json.dumps(config, indent=2, default=list) + "\n")
        os.replace(tmp, out / "config.json")
    history = run_dir / "history.json"
    if step is not None:
        manifest = json.loads((run_dir / "checkpoints" / f"ckpt-{step:07d}.json").read_text())
        (out / "history.json").write_text(json.dumps(manifest.get("history", {}), indent=2) + "\n")
    elif history.exists():
        shutil.copyfile(history, out / "history.json")
    if evaluate_scores:
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
    main(*args, step=step, evaluate_scores="--no-eval" not in argv)
