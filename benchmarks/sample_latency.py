"""Sampling latency of the DCGAN MNIST generator: exported SavedModel vs predict vs direct calls.

Usage:
    python benchmarks/sample_latency.py                          # defaults, ~1.5 min on 2 CPU cores
    python benchmarks/sample_latency.py --repeats 3 --warmup 1   # quick
Writes benchmarks/results/sample_latency.md.

Model: ``kerasgan.zoo.load("dcgan_mnist")`` (28x28x1, latent 100). Every
call starts from the same float32 numpy latents ``z`` of shape (B, 100) and
ends with a float32 numpy array of images (so each path pays for getting its
result out of TensorFlow):

* SavedModel: ``gan.export(path)``, ``tf.saved_model.load(path)
  .signatures["serving_default"](z=tf.constant(z))["images"].numpy()``
* ``gan.predict(z, verbose=0)`` as most users write it (Keras' default
  batch_size=32: a 256-latent call runs 8 batches), and
  ``gan.predict(z, batch_size=B, verbose=0)``, and ``gan.predict_on_batch(z)``
  (one traced call, without predict's per-call tf.data set-up)
* ``gan(z).numpy()`` and ``gan.generator(z).numpy()`` (eager calls)
* ``gan.generate(z)`` (kerasgan's own numpy API)

Each path is called ``--warmup`` times untimed (tracing), then ``--repeats``
rounds call every path once, the order rotating every round; the table gives
the median latency in ms (min–max) and its ratio to ``gan.predict(z)``.
"""

import argparse
import os
import tempfile
import time

from _common import command_line, machine_description, median, setup_environment, spread, write_result

setup_environment()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from kerasgan import zoo  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-sizes", default="1,256", help="comma-separated latent batch sizes")
    parser.add_argument("--repeats", type=int, default=30, help="timed rounds per batch size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per path and batch size")
    parser.add_argument("--model", default="dcgan_mnist", help="zoo entry")
    args = parser.parse_args()
    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    start = time.time()
    header = machine_description()

    gan = zoo.load(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "savedmodel")
        gan.export(path)
        loaded = tf.saved_model.load(path)
        serving = loaded.signatures["serving_default"]

        sections = []
        for batch in batch_sizes:
            z = np.random.default_rng(batch).normal(size=(batch, gan.latent_dim)).astype("float32")
            paths = {
                'SavedModel `signatures["serving_default"]`': lambda: serving(z=tf.constant(z))["images"].numpy(),
                "`gan.predict(z)` (batch_size=32 default)": lambda: gan.predict(z, verbose=0),
                f"`gan.predict(z, batch_size={batch})`": lambda: gan.predict(z, batch_size=batch, verbose=0),
                "`gan.predict_on_batch(z)`": lambda: gan.predict_on_batch(z),
                "`gan(z)`": lambda: gan(z).numpy(),
                "`gan.generator(z)`": lambda: gan.generator(z).numpy(),
                "`gan.generate(z)`": lambda: gan.generate(z),
            }
            reference = serving(z=tf.constant(z))["images"].numpy()
            for name, fn in paths.items():
                for _ in range(args.warmup):
                    out = fn()
                diff = float(np.max(np.abs(np.asarray(out, np.float32) - reference)))
                if out.shape != reference.shape or diff > 1e-4:
                    raise RuntimeError(f"{name} disagrees with the SavedModel: shape {out.shape}, max diff {diff:g}")
            times = {name: [] for name in paths}
            names = list(paths)
            for r in range(args.repeats):
                k = r % len(names)
                for name in names[k:] + names[:k]:
                    t0 = time.perf_counter()
                    paths[name]()
                    times[name].append(1000.0 * (time.perf_counter() - t0))
            print(f"batch {batch}: " + ", ".join(f"{n} {median(v):.2f} ms" for n, v in times.items()), flush=True)
            predict_ms = median(times["`gan.predict(z)` (batch_size=32 default)"])
            rows = [
                f"| {batch} | {name} | {median(v):.2f} ({spread(v, '{:.2f}')}) | {median(v) / predict_ms:.2f} |"
                for name, v in times.items()
            ]
            sm = median(times['SavedModel `signatures["serving_default"]`'])
            sections.append((batch, rows, sm / predict_ms))

    lines = [
        f"# Sampling latency: `{args.model}` generator",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"float32 numpy latents in, float32 numpy images out; {args.warmup} untimed calls per path, then "
        f"{args.repeats} rounds, path order rotating; median ms (min–max). All paths agree with the SavedModel "
        "to 1e-4.",
        "",
        "| batch | path | latency ms | / predict(z) |",
        "|---|---|---|---|",
    ]
    for _, rows, _ in sections:
        lines += rows
    lines += [""]
    lines += [f"SavedModel / predict(z) latency ratio at batch {b}: {ratio:.2f}" for b, _, ratio in sections]
    lines += ["", f"total wall time {time.time() - start:.0f} s"]
    write_result("sample_latency", "\n".join(lines))


if __name__ == "__main__":
    main()
