"""Turns a finished `kerasgan train --recipe NAME --output RUN` into a zoo release.

Usage:
    python tools/release_zoo_entry.py NAME RUN_DIR

Writes zoo/NAME/{generator,discriminator}.weights.h5 (no optimizer state),
zoo/NAME/samples.png (64 samples, seed 0), zoo/NAME/config.json (entry,
recipe, image shape, training time, file hashes) and prints the `files=`
dict to paste into the entry's presets.py. The card (zoo/NAME/card.md) is
written by hand from these facts.
"""

import json
import os
import pathlib
import platform
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(name, run_dir):
    import keras

    import kerasgan
    import kerasgan.models  # noqa: F401 - registers classes for load_model
    from kerasgan import zoo
    from kerasgan.utils.images import save_grid

    entry = zoo.get_entry(name)
    run_dir = pathlib.Path(run_dir)
    gan = keras.models.load_model(run_dir / "model.keras", safe_mode=True)
    out = ROOT / "zoo" / name
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for part, network in (("generator", gan.generator), ("discriminator", gan.discriminator)):
        filename = f"{part}.weights.h5"
        tmp = out / f".tmp-{filename}"
        network.save_weights(str(tmp))
        os.replace(tmp, out / filename)
        files[filename] = zoo.sha256(out / filename)
    save_grid(gan.sample(64, seed=0), str(out / "samples.png"))
    run_config = json.loads((run_dir / "config.json").read_text())
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
        if "metrics" in previous:
            config["metrics"] = previous["metrics"]
    tmp = out / ".tmp-config.json"
    tmp.write_text(json.dumps(config, indent=2, default=list) + "\n")
    os.replace(tmp, out / "config.json")
    history = run_dir / "history.json"
    if history.exists():
        shutil.copyfile(history, out / "history.json")
    print(f"released {name} to {out}")
    print("files=" + json.dumps(files, indent=4))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
