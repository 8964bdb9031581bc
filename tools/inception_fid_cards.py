"""Measures the Inception FID of zoo entries and writes it into zoo/NAME/config.json.

Usage:
    python tools/inception_fid_cards.py NAME [NAME ...] [--floor] [--num 10000]

Protocol: ``num`` samples (seed 0) against the 10,000 MNIST test images,
2015-12-05 Inception pool3 features (kerasgan.metrics.InceptionFeatures,
legacy_tf resize, 28x28 grey tiled to RGB). The reference statistics are
cached under $KERASGAN_HOME/stats. ``--floor`` scores the first ``num``
MNIST training images with the same protocol and stores the result in each
named entry's config as ``inception_floor``. Each result is written as soon
as it is measured, so an interrupted run keeps what it finished.
"""

import argparse
import json
import os
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _update(name, key, value):
    path = ROOT / "zoo" / name / "config.json"
    config = json.loads(path.read_text())
    config.setdefault("metrics", {})[key] = value
    tmp = path.with_name(".tmp-config.json")
    tmp.write_text(json.dumps(config, indent=2, default=list) + "\n")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--num", type=int, default=10000)
    args = parser.parse_args()

    import kerasgan
    from kerasgan import zoo
    from kerasgan.metrics.evaluate import evaluate

    floor = None
    for name in args.names:
        start = time.time()
        result = evaluate(zoo.load(name, compile=False), ["fid"], num=args.num, reference="mnist:test",
                          features="inception", seed=0, verbose=1)
        result["seconds"] = round(time.time() - start, 1)
        _update(name, "inception", result)
        print(name, json.dumps(result), flush=True)
    if args.floor:
        start = time.time()
        train = kerasgan.data.load_arrays("mnist", split="train", limit=args.num)
        floor = evaluate(train, ["fid"], num=args.num, reference="mnist:test", features="inception", verbose=1)
        floor["seconds"] = round(time.time() - start, 1)
        for name in args.names:
            _update(name, "inception_floor", floor)
        print("floor", json.dumps(floor), flush=True)


if __name__ == "__main__":
    main()
