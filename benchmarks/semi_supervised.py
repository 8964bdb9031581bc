"""Salimans et al. 2016, Table 1 (MNIST): test errors of the feature-matching semi-supervised GAN with N labels.

Usage: python benchmarks/semi_supervised.py [--labels 20,50,100,200] [--draws 3] [--epochs 10]
Writes benchmarks/results/semi_supervised.md.

Protocol: all 60,000 MNIST training images, of which N carry their label
(balanced, drawn by ``kerasgan.data.labelled_subset`` with the draw's seed);
``SemiSupervisedGAN`` with the paper's networks and recipe (Adam 0.003,
beta_1 0.5, batch 100, feature matching); errors on the 10,000 test images,
mean and standard deviation over the label draws. Beside it, a supervised
baseline: the same discriminator network (noise layers included) trained as
a plain K-class classifier on the same N labelled images only, for the same
number of steps, so the gap is what the unlabelled images and the generator
add. The paper trained far longer than a CPU allows here (``--epochs``
says how long we trained; the table states it).
"""

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from _common import command_line, machine_description, setup_environment, write_result  # noqa: E402

#: Salimans et al. 2016, Table 1: test errors out of 10,000, feature matching.
PAPER = {20: "1677 ± 452", 50: "221 ± 136", 100: "93 ± 6.5", 200: "90 ± 4.2"}


def baseline_network(gan, seed):
    """A freshly initialised copy of the SSGAN's discriminator: the same layers, noise included, new weights."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.models.clone_model(gan.discriminator)


def supervised_baseline(net, images, labels, test_x, test_y, steps, seed, jit_compile=True):
    """``net`` trained as a plain K-class classifier on the labelled images alone, with the SSGAN's
    discriminator optimizer (its recipe: Adam 3e-3, beta_1 0.5); test errors."""
    import keras
    import tensorflow as tf

    from kerasgan.models import SemiSupervisedGAN

    keras.utils.set_random_seed(seed)
    optimizer = keras.optimizers.deserialize(SemiSupervisedGAN.recipe["d_optimizer"])

    @tf.function(jit_compile=jit_compile)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=net(x, training=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, net.trainable_variables), net.trainable_variables))

    ds = iter(tf.data.Dataset.from_tensor_slices((images, labels.astype("int32"))).shuffle(len(images), seed=seed).repeat().batch(100))
    for _ in range(steps):
        step(*next(ds))
    predicted = np.concatenate([np.argmax(net(test_x[i : i + 1000], training=False).numpy(), 1) for i in range(0, len(test_x), 1000)])
    return int(np.sum(predicted != test_y))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", default="20,50,100,200", help="numbers of labelled images")
    parser.add_argument("--draws", type=int, default=3, help="label draws (seeds) per N")
    parser.add_argument("--epochs", type=int, default=10, help="passes over the 60,000 images (600 steps of 100 each)")
    parser.add_argument("--steps", type=int, help="train exactly this many steps instead of --epochs (quick checks)")
    parser.add_argument("--no-jit", action="store_true", help="train without XLA")
    args = parser.parse_args()
    setup_environment()
    import keras

    from kerasgan import data, models

    test_x, test_y = data.load_arrays("mnist", split="test", labels=True)
    train_x, train_y = data.load_arrays("mnist", split="train", labels=True)
    steps = args.steps or args.epochs * 600
    rows = []
    for n in [int(v) for v in args.labels.split(",")]:
        gan_errors, base_errors, seconds = [], [], []
        for draw in range(args.draws):
            keras.utils.set_random_seed(draw)
            dataset, index = data.semi_supervised("mnist", num_labelled=n, batch_size=100, seed=draw)
            gan = models.SemiSupervisedGAN(seed=draw)
            gan.compile(jit_compile=not args.no_jit)
            start = time.time()
            gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
            seconds.append(time.time() - start)
            gan_errors.append(gan.error_count(test_x, test_y))
            net = baseline_network(gan, draw)
            base_errors.append(supervised_baseline(net, train_x[index], train_y[index], test_x, test_y, steps, draw, not args.no_jit))
            print(f"N={n} draw {draw}: SSGAN {gan_errors[-1]} errors, supervised {base_errors[-1]} ({seconds[-1]:.0f} s)", flush=True)
        rows.append((n, gan_errors, base_errors, np.mean(seconds)))

    def fmt(values):
        return f"{np.mean(values):.0f} ± {np.std(values):.0f}"

    lines = [
        "# Semi-supervised GAN on MNIST (Salimans et al. 2016, Table 1)",
        "",
        f"Command: `{command_line()}`  ",
        f"Machine: {machine_description()}",
        "",
        f"Test errors out of 10,000, mean ± std over {args.draws} label draws (seeds 0–{args.draws - 1}); "
        f"{steps:,} steps ({steps / 600:g} epochs) of 100 unlabelled + 100 labelled images (the paper trained longer).",
        "",
        "| labelled images N | SSGAN, feature matching (ours) | same D network, supervised on the N labels only | paper (feature matching) | s per run |",
        "|---|---|---|---|---|",
    ]
    for n, gan_errors, base_errors, secs in rows:
        lines.append(f"| {n} | {fmt(gan_errors)} | {fmt(base_errors)} | {PAPER.get(n, '–')} | {secs:.0f} |")
    lines += ["", "Per draw: " + "; ".join(f"N={n}: GAN {g}, supervised {b}" for n, g, b, _ in rows)]
    write_result("semi_supervised", "\n".join(lines))


if __name__ == "__main__":
    main()
