"""Training throughput (images/s) of kerasgan's GAN vs the keras.io "override train_step" GAN.

Usage:
    python benchmarks/train_throughput.py                       # defaults, ~3.5 min on 2 CPU cores
    python benchmarks/train_throughput.py --steps 2 --repeats 2 --arch-steps 2 --arch-repeats 2   # quick
    python benchmarks/train_throughput.py --jit                 # also with jit_compile=True, ~6 min
Writes benchmarks/results/train_throughput.md.

Table 1, same networks, same data, one invocation:

* ours: ``kerasgan.models.GAN(generator=G, discriminator=D, latent_dim=128)``
  with ``compile()`` defaults (Adam 2e-4 / beta_1 0.5 on both nets, the
  non-saturating "modified" loss, ``jit_compile="auto"``: off on CPU-only
  machines, XLA where a GPU is visible; the table states what it resolved to).
* baseline: ``KerasIoGAN`` below, written from the description of the keras.io
  example "GAN overriding Model.train_step": D = Conv2D(64, 3, s2) /
  Conv2D(128, 3, s2), LeakyReLU(0.2), GlobalMaxPooling2D, Dense(1); G =
  Dense(7*7*128), LeakyReLU, Reshape, 2x [Conv2DTranspose(128, 4, s2) +
  LeakyReLU], Conv2D(1, 7, sigmoid); Adam(3e-4) on both;
  BinaryCrossentropy(from_logits=True); its train_step: one D update on the
  concatenated [fake; real] batch with labels 1/0 plus 0.05 * uniform noise,
  then one G update on a fresh latent batch (a second generator forward pass);
  no XLA.

Both get the same layer stack, built fresh for each model after
``keras.utils.set_random_seed(seed)`` (identical initial weights). The only
difference: the keras.io generator ends in ``sigmoid`` and trains on [0, 1]
images, ours ends in ``tanh`` (same cost) and trains on [-1, 1] images. Both
read ``kerasgan.data.load("mnist", batch_size=64, seed=0, repeat=True)``; the
baseline's copy is mapped with ``(x + 1) / 2`` inside the tf.data pipeline.

Timing: every model first runs one untimed ``fit`` (tracing, tf.data start-up).
Then each repeat runs ``fit(steps_per_epoch=warmup + steps)`` per model; a
callback stamps the end of every step (Keras syncs on it), the first
``warmup`` steps of each fit are dropped and img/s = steps * batch / time of
the remaining steps. The models alternate within a repeat and the order flips
every repeat, so background load hits both alike; short fits and many
repeats keep the alternation fine-grained. Reported: median over repeats
(min–max in brackets), the ratio of medians and, as a cross-check, the ratio
of the median single-step durations over all timed steps.

Table 2: img/s of every registered architecture (``kerasgan.models
.list_architectures()``) in the shapes of its zoo recipes
(``kerasgan.zoo.load(name, weights=False)``: the recipe's model arguments,
compile arguments and batch size), fed by the recipe's dataset where it is
on this machine, else by a synthetic in-memory batch. The default recipes
are one per architecture and image shape: ``dcgan_mnist`` (28x28x1),
``dcgan_emoji64`` (64x64x3) and ``gan_mnist`` (vanilla_gan, 28x28x1); a
registered architecture none of them covers is named under the table. Other
recipes (loss/regulariser variants of dcgan, and ``dcgan_lsun``, the paper's
64x64 width-128 network at batch 128, tens of seconds per step on 2 CPU
cores) are measured with ``--arch-configs NAME,NAME`` or ``--arch-configs all``.
"""

import argparse
import time

from _common import command_line, machine_description, median, setup_environment, spread, timed_fit, write_result

setup_environment()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kerasgan  # noqa: E402
from kerasgan import data, zoo  # noqa: E402

LATENT_DIM = 128
BATCH = 64
DEFAULT_ARCH_CONFIGS = ("dcgan_mnist", "dcgan_emoji64", "gan_mnist")


# ----------------------------------------------------------------- networks
def keras_io_discriminator():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(64, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(128, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )


def keras_io_generator(output_activation):
    return keras.Sequential(
        [
            keras.Input((LATENT_DIM,)),
            keras.layers.Dense(7 * 7 * 128),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Reshape((7, 7, 128)),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2DTranspose(128, 4, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Conv2D(1, 7, padding="same", activation=output_activation),
        ],
        name="generator",
    )


def build_networks(seed, output_activation):
    """Fresh (G, D) with the initial weights fixed by ``seed`` (same for every call)."""
    keras.utils.set_random_seed(seed)
    discriminator = keras_io_discriminator()
    generator = keras_io_generator(output_activation)
    return generator, discriminator


# ----------------------------------------------------------------- baseline
class KerasIoGAN(keras.Model):
    """The keras.io "GAN overriding Model.train_step" model, re-written from its description."""

    def __init__(self, discriminator, generator, latent_dim, seed=1337):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = tf.shape(real_images)[0]

        # Discriminator: fakes labelled 1, reals 0, plus label noise, in one batch.
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        fake_images = self.generator(z)
        images = tf.concat([fake_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        # Generator: fresh latents, "all real" (0) targets, D not updated.
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(z))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


# ----------------------------------------------------------------- models under test
def make_ours(seed, jit):
    generator, discriminator = build_networks(seed, "tanh")
    gan = kerasgan.models.GAN(generator=generator, discriminator=discriminator, latent_dim=LATENT_DIM, seed=seed)
    if jit:
        gan.compile(jit_compile=True)
    else:
        gan.compile()  # our defaults, jit_compile="auto"
    return gan


def make_baseline(seed, jit):
    generator, discriminator = build_networks(seed, "sigmoid")
    gan = KerasIoGAN(discriminator=discriminator, generator=generator, latent_dim=LATENT_DIM)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
        g_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=bool(jit),
    )
    return gan


def mnist_minus1_1(batch_size):
    return data.load("mnist", batch_size=batch_size, seed=0, repeat=True)


def mnist_0_1(batch_size):
    ds = mnist_minus1_1(batch_size)
    return ds.map(lambda x: (x + 1.0) / 2.0, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def resolved_jit(model):
    try:
        return bool(model.jit_compile)
    except Exception:  # noqa: BLE001
        return None


# ----------------------------------------------------------------- timing
def measure_interleaved(entries, warmup, steps, repeats):
    """entries: name -> (model, dataset, batch).

    Returns name -> (img/s of every timed fit, durations of every timed step).
    """
    for name, (model, dataset, batch) in entries.items():
        print(f"  warming up {name} ...", flush=True)
        timed_fit(model, dataset, warmup, 1)
    rates = {name: [] for name in entries}
    step_times = {name: [] for name in entries}
    order = list(entries)
    for r in range(repeats):
        for name in order if r % 2 == 0 else order[::-1]:
            model, dataset, batch = entries[name]
            timing = timed_fit(model, dataset, warmup, steps)
            rates[name].append(steps * batch / timing.steady)
            step_times[name].extend(timing.step_seconds)
        print(f"  repeat {r + 1}/{repeats}: " + ", ".join(f"{n} {v[-1]:.1f} img/s" for n, v in rates.items()), flush=True)
    return {name: (rates[name], step_times[name]) for name in entries}


# ----------------------------------------------------------------- tables
def versus_table(args, modes):
    rows = []
    for mode in modes:
        jit = mode == "jit"
        print(f"table 1, {mode}:", flush=True)
        ours = make_ours(args.seed, jit)
        baseline = make_baseline(args.seed, jit)
        entries = {
            "ours": (ours, mnist_minus1_1(BATCH), BATCH),
            "keras.io": (baseline, mnist_0_1(BATCH), BATCH),
        }
        res = measure_interleaved(entries, args.warmup, args.steps, args.repeats)
        (r_ours, s_ours), (r_base, s_base) = res["ours"], res["keras.io"]
        m_ours, m_base = median(r_ours), median(r_base)
        step_ratio = median(s_base) / median(s_ours)
        label = "jit_compile=True (both)" if jit else "defaults (ours: compile(); keras.io: no XLA)"
        rows.append(
            f"| {label} | {resolved_jit(ours)} / {resolved_jit(baseline)} | {m_ours:.1f} ({spread(r_ours)}) "
            f"| {m_base:.1f} ({spread(r_base)}) | **{m_ours / m_base:.2f}x** | {step_ratio:.2f}x |"
        )
        del ours, baseline
    lines = [
        f"### Table 1: kerasgan GAN vs keras.io GAN (override train_step), MNIST 28x28x1, batch {BATCH}, latent {LATENT_DIM}",
        "",
        f"{args.warmup} warm-up + {args.steps} timed steps per fit, {args.repeats} repeat(s), interleaved; median img/s "
        "(min–max) of the per-fit rates; the last column is the ratio of the median single-step durations over all "
        "timed steps (less sensitive to load spikes). Same G/D layers and initial weights; ours: tanh output on [-1, 1] data, keras.io: sigmoid output "
        "on [0, 1] data (the same kerasgan MNIST pipeline mapped with (x + 1) / 2).",
        "",
        "| mode | XLA (ours / keras.io) | ours img/s | keras.io img/s | ours / keras.io | same, from median step times |",
        "|---|---|---|---|---|---|",
        *rows,
    ]
    return lines


def arch_dataset(entry, batch):
    """The recipe's dataset when it is on this machine, else one synthetic batch repeated."""
    recipe = entry.recipe
    image_shape = tuple(entry.model_args["image_shape"])
    name = recipe.get("dataset")
    try:
        kwargs = {}
        if recipe.get("image_size"):
            kwargs.update(image_size=int(recipe["image_size"]), crop="center")
        ds = data.load(name, batch_size=batch, seed=0, repeat=True, **kwargs)
        shape = tuple(ds.element_spec.shape[1:])
        if shape != image_shape:
            raise ValueError(f"{name} gives {shape}, model wants {image_shape}")
        return ds, name
    except Exception as err:  # noqa: BLE001 - any unavailable source falls back to synthetic data
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:60]
        print(f"  {entry.name}: dataset {name!r} unavailable ({reason}); using a synthetic batch", flush=True)
        rng = np.random.default_rng(0)
        x = rng.uniform(-1.0, 1.0, size=(batch,) + image_shape).astype("float32")
        return tf.data.Dataset.from_tensors(x).repeat(), "synthetic (not on this machine)"


def arch_table(args, modes):
    architectures = kerasgan.models.list_architectures()
    entries = [zoo.get_entry(n) for n in zoo.list()]
    wanted = [e.name for e in entries] if args.arch_configs == "all" else [s.strip() for s in args.arch_configs.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in {e.name for e in entries}]
    if unknown:
        raise SystemExit(f"--arch-configs: unknown zoo entries {unknown}; choose from {[e.name for e in entries]}")
    chosen = [e for e in entries if e.name in wanted]
    covered = {e.architecture for e in chosen}
    models = {}
    for entry in chosen:
        batch = int(entry.recipe.get("batch_size", 64))
        ds, source = arch_dataset(entry, batch)
        models[entry.name] = (entry, batch, ds, source)
    missing = [a for a in architectures if a not in covered]
    results = {}
    d_steps = {}
    for mode in modes:
        print(f"table 2, {mode}:", flush=True)
        built = {}
        for name, (entry, batch, ds, source) in models.items():
            try:
                gan = zoo.load(name, weights=False, compile=False)
                compile_args = dict(entry.recipe.get("compile_args") or {})
                if mode == "jit":
                    compile_args["jit_compile"] = True
                gan.compile(**compile_args)
                timed_fit(gan, ds, 1, 1)  # fails here, not mid-table, if the recipe cannot train
            except Exception as err:  # noqa: BLE001 - one broken recipe must not sink the table
                first = (str(err).strip().splitlines() or [type(err).__name__])[0][:100]
                print(f"  {name}: cannot build/train ({type(err).__name__}: {first})", flush=True)
                results[(name, mode)] = (None, f"{type(err).__name__}: {first}")
                continue
            d_steps[name] = gan.d_steps
            built[name] = (gan, ds, batch)
        res = measure_interleaved(built, args.warmup, args.arch_steps, args.arch_repeats) if built else {}
        for name in built:
            results[(name, mode)] = (res[name][0], resolved_jit(built[name][0]))
        del built
    header = "| architecture | zoo recipe | image shape | model args | batch | D updates / step | data |"
    sep = "|---|---|---|---|---|---|---|"
    for mode in modes:
        header += f" img/s, {mode} (XLA?) |"
        sep += "---|"
    rows = []
    for name, (entry, batch, ds, source) in models.items():
        args_text = ", ".join(f"{k}={v}" for k, v in entry.model_args.items() if k != "image_shape")
        shape = "x".join(str(d) for d in entry.model_args["image_shape"])
        row = f"| {entry.architecture} | {name} | {shape} | {args_text} | {batch} | {d_steps.get(name, '?')} | {source} |"
        for mode in modes:
            values, jit = results[(name, mode)]
            row += f" error: {jit} |" if values is None else f" {median(values):.1f} ({spread(values)}) ({jit}) |"
        rows.append(row)
    lines = [
        "### Table 2: registered architectures in their zoo recipe shapes",
        "",
        f"{args.warmup} warm-up + {args.arch_steps} timed steps per fit, {args.arch_repeats} repeat(s), interleaved; median "
        "img/s (min–max). Each model is built by `kerasgan.zoo.load(name, weights=False)` and compiled with the "
        "recipe's compile arguments (jit_compile=\"auto\" unless the mode is jit). img/s = generator updates x "
        "batch; a recipe with k discriminator updates per step reads k real batches per step.",
        "",
        header,
        sep,
        *rows,
    ]
    if missing:
        lines += ["", f"registered architectures without a zoo recipe (not measured): {', '.join(missing)}"]
    skipped = [e.name for e in entries if e.name not in wanted]
    if skipped:
        lines += ["", f"zoo recipes left out (add them with --arch-configs all): {', '.join(skipped)}"]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3, help="timed steps per fit in table 1")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps at the start of every fit (>= 1)")
    parser.add_argument("--repeats", type=int, default=8, help="timed fits per model in table 1, interleaved (>= 3 for a median)")
    parser.add_argument("--jit", action="store_true", help="also measure everything with jit_compile=True")
    parser.add_argument("--arch-steps", type=int, default=3, help="timed steps per fit in table 2")
    parser.add_argument("--arch-repeats", type=int, default=4, help="timed fits per model in table 2, interleaved")
    parser.add_argument(
        "--arch-configs",
        default=",".join(DEFAULT_ARCH_CONFIGS),
        help="comma-separated zoo recipes for table 2, 'all', or 'none' to skip table 2",
    )
    parser.add_argument("--seed", type=int, default=0, help="initial-weight seed shared by both models")
    args = parser.parse_args()
    if args.warmup < 1:
        parser.error("--warmup must be at least 1")
    modes = ["default", "jit"] if args.jit else ["default"]
    start = time.time()
    lines = ["# Training throughput", "", machine_description(), "", f"command: `{command_line()}`", ""]
    lines += versus_table(args, modes)
    if args.arch_configs != "none":
        lines += [""] + arch_table(args, modes)
    lines += ["", f"total wall time {time.time() - start:.0f} s"]
    write_result("train_throughput", "\n".join(lines))


if __name__ == "__main__":
    main()
