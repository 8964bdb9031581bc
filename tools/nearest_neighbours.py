"""Memorisation check: each generated sample beside its nearest training image.

Usage:
    python tools/nearest_neighbours.py NAME_OR_KERAS DATASET [--num 64] [--seed 0] [--out nn.png] [--json nn.json]

For ``num`` samples (seed 0) finds the nearest training image by L2 distance
in pixel space ([-1, 1], all channels) and writes a grid of pairs (sample,
nearest neighbour) column by column. As calibration it also computes each
training image's distance to its nearest *other* training image: a sample
closer to the training set than training images are to each other is a
near-copy. Prints the distance quantiles of both.
"""

import argparse
import json

import numpy as np

from kerasgan.metrics.creativity import nearest_neighbours as nearest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("dataset")
    parser.add_argument("--num", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="nn.png")
    parser.add_argument("--json")
    args = parser.parse_args()

    from kerasgan import data, zoo
    from kerasgan.utils.images import save_grid

    gan = zoo.load_any(args.model)
    train = data.load_arrays(args.dataset)
    samples = gan.sample(args.num, seed=args.seed)
    idx, dist = nearest(samples, train)
    _, train_dist = nearest(train, train, exclude_self=True)
    pairs = np.empty((2 * len(samples),) + samples.shape[1:], "float32")
    pairs[0::2], pairs[1::2] = samples, train[idx]
    save_grid(pairs, args.out, nrow=16)
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    result = {
        "num": args.num,
        "sample_to_train_nn_quantiles": dict(zip(map(str, q), np.quantile(dist, q).round(3).tolist())),
        "train_to_train_nn_quantiles": dict(zip(map(str, q), np.quantile(train_dist, q).round(3).tolist())),
        "samples_closer_than_median_train_pair": int(np.sum(dist < np.median(train_dist))),
        "samples_closer_than_5pct_train_pair": int(np.sum(dist < np.quantile(train_dist, 0.05))),
        "distinct_neighbours": int(len(set(idx.tolist()))),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
