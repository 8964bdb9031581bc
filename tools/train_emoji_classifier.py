"""Trains the emoji classifier that ``kerasgan.metrics.emoji_features`` ships.

    KERASGAN_DATA_DIR=../shared/data python tools/train_emoji_classifier.py \\
        --out kerasgan/metrics/weights/emoji_classifier.weights.h5 --seed 0

Trains ``build_classifier()`` on the train split of ``emoji_styles_64.npz``
(``kerasgan.data.emoji_split``), all four styles, with two cross-entropy
heads (style, category) summed, random left-right flips, Adam with a cosine
decay to 0. Measures both heads' accuracy on the held-out test code points
(never used for training or model selection), writes the weights atomically
and prints their sha256 and the accuracies: copy both into ``WEIGHTS_SHA256``
and ``TEST_ACCURACY`` of ``kerasgan/metrics/emoji_features.py``.
"""

import argparse
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("KERASGAN_DATA_DIR") and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["KERASGAN_DATA_DIR"] = str(ROOT.parent / "shared" / "data")

import numpy as np  # noqa: E402

from kerasgan import data  # noqa: E402
from kerasgan.metrics.emoji_features import CATEGORY_HEAD, STYLE_HEAD, EmojiClassifier, build_classifier  # noqa: E402
from kerasgan.utils.files import save_bare_weights, sha256  # noqa: E402


def labelled(split):
    """(uint8 images of every style, style labels, category labels) of ``split``."""
    arrays, _ = data._style_arrays(data.EMOJI_STYLES, split, "emoji classifier")
    categories = data.emoji_categories(split)
    styles = np.repeat(np.arange(len(arrays), dtype="int32"), [len(a) for a in arrays])
    return np.concatenate(arrays), styles, np.tile(categories, len(arrays))


def train(x, styles, categories, seed, epochs, batch_size, learning_rate):
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = build_classifier()
    steps = epochs * -(-len(x) // batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps)),
        loss={STYLE_HEAD: "sparse_categorical_crossentropy", CATEGORY_HEAD: "sparse_categorical_crossentropy"},
        metrics={STYLE_HEAD: ["accuracy"], CATEGORY_HEAD: ["accuracy"]},
    )
    ds = tf.data.Dataset.from_tensor_slices((x, {STYLE_HEAD: styles, CATEGORY_HEAD: categories}))
    ds = ds.shuffle(len(x), seed=seed).map(
        lambda u8, y: (tf.image.random_flip_left_right(tf.cast(u8, tf.float32) / 127.5 - 1.0, seed=seed), y)
    )
    model.fit(ds.batch(batch_size), epochs=epochs, verbose=2)
    return model


def save_atomically(model, out):
    """The weights, without optimizer state, written atomically (``kerasgan.utils.files.save_bare_weights``)."""
    try:
        return save_bare_weights(model, build_classifier, out)
    except ValueError as err:
        raise SystemExit(f"--out: {err}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="weights file to write (*.weights.h5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="initial, cosine-decayed to 0")
    args = parser.parse_args(argv)

    x, styles, categories = labelled("train")
    start = time.perf_counter()
    model = train(x, styles, categories, args.seed, args.epochs, args.batch_size, args.learning_rate)
    seconds = time.perf_counter() - start
    save_atomically(model, args.out)

    # Measured through the library's loader, so the file written is the one checked.
    test_x, test_styles, test_categories = labelled("test")
    outputs = EmojiClassifier(weights=args.out, sha256=None).outputs(test_x)
    print(f"training time {seconds:.1f} s ({args.epochs} epochs on {len(x)} images, seed {args.seed})")
    for head, truth in ((STYLE_HEAD, test_styles), (CATEGORY_HEAD, test_categories)):
        correct = int(np.sum(np.argmax(outputs[head], axis=1) == truth))
        print(f"test accuracy {head} {correct / len(truth):.4f} ({correct}/{len(truth)})")
    print(f"weights {args.out} ({os.path.getsize(args.out)} bytes)")
    print(f"sha256 {sha256(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
