"""Writes tests/data/zoo_samples_reference.npz: two samples (seed 0) of every zoo entry with weights.

tests/test_zoo.py checks that every entry still draws these samples, so a
platform change that alters what a released entry generates fails CI. After
releasing new weights for an entry, rerun this (it records each entry's
generator sha256; the test names an entry whose weights changed since).

Usage: python tools/zoo_sample_reference.py [--out tests/data/zoo_samples_reference.npz]
"""

import argparse
import os
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "tests" / "data" / "zoo_samples_reference.npz"))
    args = parser.parse_args(argv)
    from kerasgan import zoo

    arrays = {}
    for name in zoo.list():
        entry = zoo.get_entry(name)
        if not entry.files:
            continue
        gan = zoo.load(name, compile=False)
        kwargs = {"labels": [0, 1]} if getattr(gan, "num_classes", None) else {}
        arrays[f"{name}/samples"] = gan.sample(2, seed=0, **kwargs).astype("float16")
        arrays[f"{name}/generator_sha256"] = np.array(entry.files["generator.weights.h5"])
        print(name, flush=True)
    tmp = args.out + ".tmp.npz"
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
