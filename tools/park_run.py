"""Parks a long training run in the repository between sittings, and brings it back.

Usage:
    python tools/park_run.py park RUN_DIR [--to parked/NAME]
    python tools/park_run.py unpark parked/NAME RUN_DIR

A zoo entry's training run spans several sittings, and a sitting's machine
keeps only what is committed. ``park`` copies what ``kerasgan train --resume``
needs, and nothing more, into ``parked/NAME``: the run config, the latest
complete checkpoint (weights + manifest, sha256-checked) and the validation
curve caches (``curve.json`` of ``tools/fid_curve.py``, ``parzen_curve.json``
of ``benchmarks/parzen_gan_mnist.py --run``: their scores of older checkpoints
stay valid after those are pruned). Older parked checkpoints are
removed, so the folder holds one resumable state. ``unpark`` copies it back
into a run folder; resuming from there continues the same run (the data
order, RNG state and optimizer state are in the checkpoint).

Files are written under temporary names and renamed, so an interrupted park
leaves the previous parked state intact.
"""

import argparse
import json
import os
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEEP = ("run_config.json", "curve.json", "curve.svg", "parzen_curve.json")


def _copy_atomic(src, dst):
    dst = pathlib.Path(dst)
    tmp = dst.with_name(f".tmp-{os.getpid()}-{dst.name}")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def _latest(run_dir):
    from kerasgan import training

    run = training.Run(str(run_dir))
    latest = run.latest_checkpoint()
    if latest is None:
        raise SystemExit(f"error: {run_dir} has no complete checkpoint: train with --checkpoint-every")
    step, weights, _ = latest
    return step, weights, os.path.join(run.checkpoint_dir, f"ckpt-{step:07d}.json")


def park(run_dir, dest):
    """Copies the resumable state of ``run_dir`` into ``dest``; returns the parked step."""
    run_dir, dest = pathlib.Path(run_dir), pathlib.Path(dest)
    step, weights, manifest = _latest(run_dir)
    dest.joinpath("checkpoints").mkdir(parents=True, exist_ok=True)
    for name in KEEP:
        if (run_dir / name).is_file():
            _copy_atomic(run_dir / name, dest / name)
    ckpt = dest / "checkpoints"
    _copy_atomic(weights, ckpt / pathlib.Path(weights).name)
    _copy_atomic(manifest, ckpt / pathlib.Path(manifest).name)  # the manifest last: it makes the copy count
    for old in ckpt.iterdir():
        if old.name not in (pathlib.Path(weights).name, pathlib.Path(manifest).name):
            old.unlink()
    return step


def unpark(parked, run_dir):
    """Copies a parked state into ``run_dir`` (refusing to go back behind a newer checkpoint there)."""
    parked, run_dir = pathlib.Path(parked), pathlib.Path(run_dir)
    step, weights, manifest = _latest(parked)
    if (run_dir / "checkpoints").is_dir():
        from kerasgan import training

        there = training.Run(str(run_dir)).latest_checkpoint()
        if there is not None and there[0] >= step:
            raise SystemExit(f"error: {run_dir} already has step {there[0]} >= the parked step {step}: nothing to do")
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    for name in KEEP:
        if (parked / name).is_file():
            _copy_atomic(parked / name, run_dir / name)
    _copy_atomic(weights, run_dir / "checkpoints" / pathlib.Path(weights).name)
    _copy_atomic(manifest, run_dir / "checkpoints" / pathlib.Path(manifest).name)
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("park", help="copy a run's latest checkpoint and curve into the repository")
    p.add_argument("run_dir")
    p.add_argument("--to", default=None, help="destination (default parked/<run folder name>)")
    u = sub.add_parser("unpark", help="copy a parked state back into a run folder")
    u.add_argument("parked")
    u.add_argument("run_dir")
    args = parser.parse_args(argv)
    if args.command == "park":
        dest = args.to or ROOT / "parked" / pathlib.Path(args.run_dir).resolve().name
        step = park(args.run_dir, dest)
        config = json.loads(pathlib.Path(dest, "run_config.json").read_text())
        print(f"parked step {step} of {config.get('architecture')} run in {dest}")
    else:
        step = unpark(args.parked, args.run_dir)
        print(f"unparked step {step} into {args.run_dir}: continue with kerasgan train --resume --output {args.run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
