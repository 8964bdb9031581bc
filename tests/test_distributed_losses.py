"""Losses and a GAN step under MirroredStrategy on 2 logical CPUs equal the single-device results.

Runs in a subprocess: logical devices must be configured before TensorFlow starts.
"""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from kerasgan import losses, regularizers

    rng = np.random.default_rng(0)
    real = rng.normal(size=(8, 3)).astype("float32")
    fake = rng.normal(size=(8, 3)).astype("float32")
    w0 = rng.normal(size=(3,)).astype("float32")

    def grads(loss_fn, strategy):
        with strategy.scope():
            w = tf.Variable(w0)
        def step(r, f):
            with tf.GradientTape() as tape:
                loss = loss_fn(w, r, f)
            return tape.gradient(loss, w)
        ds = tf.data.Dataset.from_tensor_slices((real, fake)).batch(8)
        dist = strategy.experimental_distribute_dataset(ds)
        r, f = next(iter(dist))
        per_replica = strategy.run(step, args=(r, f))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None).numpy()

    cases = {
        "minimax_d": lambda w, r, f: losses.minimax_discriminator_loss(tf.linalg.matvec(r, w), tf.linalg.matvec(f, w)),
        "modified_g": lambda w, r, f: losses.modified_generator_loss(tf.linalg.matvec(f, w)),
        "wasserstein_d": lambda w, r, f: losses.wasserstein_discriminator_loss(tf.linalg.matvec(r, w), tf.linalg.matvec(f, w)),
        "hinge_d": lambda w, r, f: losses.hinge_discriminator_loss(tf.linalg.matvec(r, w), tf.linalg.matvec(f, w)),
        "gp": lambda w, r, f: regularizers.gradient_penalty(lambda x: tf.linalg.matvec(x, w) ** 2, r, f, alpha=tf.fill([tf.shape(r)[0]], 0.3)),
    }
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    for name, fn in cases.items():
        one = grads(fn, tf.distribute.OneDeviceStrategy("/cpu:0"))
        two = grads(fn, mirrored)
        assert np.allclose(one, two, atol=1e-6), (name, one, two)
        print(name, "ok", float(np.abs(one - two).max()))
    """
)


def test_loss_gradients_equal_single_device_under_mirrored_strategy():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.count(" ok ") == 5
