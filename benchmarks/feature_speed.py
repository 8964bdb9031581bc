"""Feature-extraction speed: kerasgan.metrics.InceptionFeatures vs keras.applications.InceptionV3.

Usage:
    python benchmarks/feature_speed.py                   # defaults, ~5 min on 2 CPU cores
    python benchmarks/feature_speed.py --num 4 --repeats 2   # quick
Writes benchmarks/results/feature_speed.md.

Both networks are Inception-v3 at 299x299 up to the 2048-d global average
pool. Ours is the FID graph of 2015-12-05 (weights from
``$KERASGAN_FID_WEIGHTS`` / ``$KERASGAN_HOME``; random weights of the right
shapes when the file is absent: speed does not depend on the values); Keras'
is ``InceptionV3(weights=None, include_top=False, pooling="avg")``. Each
call starts from the same uint8 numpy batch and ends with a float32 numpy
array of features:

* 299x299x3: ours ``extractor(x)``; Keras
  ``model.predict(preprocess_input(x.astype("float32")), batch_size=B)``.
* 28x28x1 MNIST (the resize to 299x299 and grey -> RGB included): ours
  ``extractor(x)`` (TF1 bilinear resize, its default ``legacy_tf`` mode);
  Keras ``predict`` on ``preprocess_input(grayscale_to_rgb(tf.image.resize(x,
  (299, 299))))``, the straightforward Keras equivalent.
* also, for both inputs, the Keras network alone: ``tf.function(lambda x:
  model(x, training=False))`` on the same preprocessed batch, in chunks of
  the batch size (no ``predict`` machinery), to tell the network's speed
  from ``predict``'s overhead.

Each extractor runs once untimed (tracing), then the six cases are timed in
turn, the order reversed every repeat; median img/s over repeats (min–max).
"""

import argparse
import time

from _common import command_line, machine_description, median, setup_environment, spread, write_result

setup_environment()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan import data  # noqa: E402
from kerasgan.metrics import inception  # noqa: E402
from kerasgan.metrics.inception import InceptionFeatures  # noqa: E402


def random_weights(seed=0):
    """A dict of arrays named and shaped like the FID npz (random values)."""
    from keras import layers

    rng = np.random.default_rng(seed)
    arrays = {}
    prefix = "net.layers."
    for layer in inception.build_network().layers:
        if isinstance(layer, layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            arrays[f"{prefix}{layer.name}.weight"] = rng.normal(0, 0.05, (cout, cin, kh, kw)).astype("float32")
        elif isinstance(layer, layers.BatchNormalization):
            unit = prefix + layer.name[: -len(".bn")]
            n = layer.beta.shape[0]
            arrays[f"{unit}.beta"] = np.zeros(n, "float32")
            arrays[f"{unit}.mean"] = np.zeros(n, "float32")
            arrays[f"{unit}.var"] = np.ones(n, "float32")
    return arrays


def make_ours(batch_size):
    try:
        inception.resolve_weights()
        return InceptionFeatures(batch_size=batch_size), "FID weights (npz)"
    except FileNotFoundError:
        return InceptionFeatures(weights=random_weights(), batch_size=batch_size), "random weights (npz not found)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--num", type=int, default=16, help="images per timed call")
    parser.add_argument("--batch-size", type=int, default=50, help="images per network call (both)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    start = time.time()
    header = machine_description()

    ours, weights_text = make_ours(args.batch_size)
    keras_model = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg", input_shape=(299, 299, 3))
    preprocess = keras.applications.inception_v3.preprocess_input

    rng = np.random.default_rng(0)
    big = rng.integers(0, 256, size=(args.num, 299, 299, 3), dtype=np.uint8)
    mnist = data.to_uint8(data.load_arrays("mnist", split="test", limit=args.num))  # (N, 28, 28, 1) uint8

    def keras_big():
        return keras_model.predict(preprocess(big.astype("float32")), batch_size=args.batch_size, verbose=0)

    def keras_mnist_input():
        x = tf.image.resize(tf.convert_to_tensor(mnist, tf.float32), (299, 299))
        return preprocess(tf.image.grayscale_to_rgb(x).numpy())

    def keras_mnist():
        return keras_model.predict(keras_mnist_input(), batch_size=args.batch_size, verbose=0)

    spec = tf.TensorSpec((None, 299, 299, 3), tf.float32)
    keras_forward = tf.function(lambda x: keras_model(x, training=False), input_signature=[spec])

    def keras_fn(x):  # the network alone in a tf.function, in batches like predict
        return np.concatenate([keras_forward(x[i : i + args.batch_size]).numpy() for i in range(0, len(x), args.batch_size)])

    cases = {
        ("299x299x3 uint8", "ours"): lambda: ours(big),
        ("299x299x3 uint8", "keras"): keras_big,
        ("299x299x3 uint8", "keras_fn"): lambda: keras_fn(preprocess(big.astype("float32"))),
        ("28x28x1 uint8 MNIST (+resize)", "ours"): lambda: ours(mnist),
        ("28x28x1 uint8 MNIST (+resize)", "keras"): keras_mnist,
        ("28x28x1 uint8 MNIST (+resize)", "keras_fn"): lambda: keras_fn(keras_mnist_input()),
    }
    print("warming up ...", flush=True)
    for key in (("299x299x3 uint8", "ours"), ("299x299x3 uint8", "keras"), ("299x299x3 uint8", "keras_fn")):
        out = cases[key]()
        assert out.shape == (args.num, 2048), out.shape
    times = {key: [] for key in cases}
    order = list(cases)
    for r in range(args.repeats):
        for key in order if r % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            out = cases[key]()
            times[key].append(time.perf_counter() - t0)
            assert out.shape == (args.num, 2048) and np.all(np.isfinite(out)), key
        print(f"repeat {r + 1}/{args.repeats}: " + ", ".join(f"{k[0]} {k[1]} {v[-1]:.2f} s" for k, v in times.items()), flush=True)

    rows = []
    for path in dict.fromkeys(k[0] for k in cases):
        ips = {who: [args.num / t for t in times[(path, who)]] for who in ("ours", "keras", "keras_fn")}
        m = {who: median(v) for who, v in ips.items()}
        cells = " | ".join(f"{m[w]:.2f} ({spread(ips[w], '{:.2f}')})" for w in ("ours", "keras", "keras_fn"))
        rows.append(f"| {path} | {cells} | **{m['ours'] / m['keras']:.2f}x** | {m['ours'] / m['keras_fn']:.2f}x |")
    lines = [
        "# Feature-extraction speed: InceptionFeatures vs keras.applications.InceptionV3",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"{args.num} images per call, network batch size {args.batch_size}, {args.repeats} repeats (order reversed every "
        f"repeat); median img/s (min–max); uint8 numpy in, float32 (N, 2048) numpy out. Ours: "
        f"`InceptionFeatures(batch_size={args.batch_size})` with {weights_text}, legacy_tf resize. Keras: "
        "`InceptionV3(weights=None, include_top=False, pooling=\"avg\")` via `preprocess_input` + `predict`; for "
        "MNIST after `tf.image.resize` (bilinear) and `grayscale_to_rgb`. The third column runs the same Keras network as `tf.function(lambda x: model(x, "
        "training=False))` in batches of the same size, to separate the network from `predict`'s own overhead.",
        "",
        "| input | ours img/s | keras InceptionV3 `predict` img/s | keras InceptionV3 in `tf.function` img/s "
        "| ours / keras predict | ours / keras tf.function |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"total wall time {time.time() - start:.0f} s",
    ]
    write_result("feature_speed", "\n".join(lines))


if __name__ == "__main__":
    main()
