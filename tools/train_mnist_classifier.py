"""Trains the MNIST classifier that ``kerasgan.metrics.mnist_features`` ships.

    python tools/train_mnist_classifier.py \\
        --out kerasgan/metrics/weights/mnist_classifier.weights.h5 --seed 0

Trains ``build_classifier()`` (the architecture the library loads) on the 60,000
MNIST training images scaled to [-1, 1], measures the accuracy on the 10,000
test images (never used for training or model selection), writes the weights
atomically and prints their sha256 and the test accuracy: copy both into
``WEIGHTS_SHA256`` and ``TEST_ACCURACY`` of ``kerasgan/metrics/mnist_features.py``.

MNIST is read from ``--data``, else ``$KERASGAN_DATA_DIR/mnist.npz``, else
``../shared/data/mnist.npz`` beside the repository, else downloaded by
``keras.datasets.mnist``.
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

import numpy as np  # noqa: E402

from kerasgan.metrics.mnist_features import MNISTClassifier, build_classifier, preprocess  # noqa: E402
from kerasgan.utils.files import save_bare_weights, sha256  # noqa: E402


def load_mnist(path=None):
    """(x_train, y_train, x_test, y_test) as uint8 images and labels."""
    candidates = [path, os.path.join(os.environ.get("KERASGAN_DATA_DIR", ""), "mnist.npz"),
                  ROOT.parent / "shared" / "data" / "mnist.npz"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            with np.load(candidate, allow_pickle=False) as data:
                return tuple(data[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    if path:
        raise SystemExit(f"MNIST not found: {path} is not a file")
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test


def train(x_train, y_train, seed, epochs, batch_size, learning_rate):
    """The trained Keras model (deterministic for a given seed on one machine)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = build_classifier()
    steps = epochs * -(-len(x_train) // batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(preprocess(x_train), y_train.astype("int32"), batch_size=batch_size, epochs=epochs,
              shuffle=True, verbose=2)
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
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="initial, cosine-decayed to 0")
    parser.add_argument("--data", help="mnist.npz with x_train y_train x_test y_test")
    args = parser.parse_args(argv)

    x_train, y_train, x_test, y_test = load_mnist(args.data)
    start = time.perf_counter()
    model = train(x_train, y_train, args.seed, args.epochs, args.batch_size, args.learning_rate)
    seconds = time.perf_counter() - start
    save_atomically(model, args.out)

    # Measured through the library's loader, so the file written is the one checked.
    classifier = MNISTClassifier(weights=args.out, sha256=None)
    correct = int(np.sum(classifier.predict(x_test) == y_test))
    print(f"training time {seconds:.1f} s ({args.epochs} epochs, seed {args.seed})")
    print(f"test accuracy {correct / len(y_test):.4f} ({correct}/{len(y_test)})")
    print(f"weights {args.out} ({os.path.getsize(args.out)} bytes)")
    print(f"sha256 {sha256(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
