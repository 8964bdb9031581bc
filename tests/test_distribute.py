"""tf.distribute: one training step on 2 replicas equals one device; two workers end identical.

Each test runs in subprocesses, because logical devices and TF_CONFIG must be
set before TensorFlow starts.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

EQUIVALENCE = textwrap.dedent(
    """
    import sys, json
    import numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from kerasgan.models import DCGAN

    VARIANTS = {
        # DCGAN's batch norm sees the global batch only with synchronized statistics.
        "dcgan": (dict(sync_batch_norm=True, ema_decay=0.9), dict()),  # EMA state mirrored too
        "wgan_gp": (dict(d_norm="layer", sync_batch_norm=True), dict(loss="wasserstein", gradient_penalty=10.0, d_steps=2,
                    g_optimizer=dict(class_name="Adam", config=dict(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)),
                    d_optimizer=dict(class_name="Adam", config=dict(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)))),
        "sngan": (dict(d_norm="spectral", sync_batch_norm=True), dict(loss="hinge")),
        # The third D step is penalised towards the average of the first two.
        "historical": (dict(sync_batch_norm=True), dict(historical_averaging=1000.0, d_steps=3)),
        "vbn": (dict(g_norm="virtual", sync_batch_norm=True), dict()),  # reference statistics set on every replica
    }
    name = sys.argv[1]
    model_args, compile_args = VARIANTS[name]
    k = compile_args.get("d_steps", 1)
    rng = np.random.default_rng(0)
    # k batches of 16 images and latents: fit stacks d_steps batches per step.
    images = rng.uniform(-1, 1, (k, 16, 28, 28, 1)).astype("float32")
    z = rng.normal(size=(k, 16, 16)).astype("float32")

    def make(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(1)
            gan = DCGAN(image_shape=(28, 28, 1), latent_dim=16, g_width=8, d_width=8, seed=1, **model_args)
            gan.compile(**compile_args)
        return gan

    def one_step(strategy):
        gan = make(strategy)
        initial = [w.numpy().copy() for w in gan.weights]
        ds = tf.data.Dataset.from_tensor_slices({"images": images, "z": z})
        history = gan.fit(ds, epochs=1, steps_per_epoch=1, verbose=0).history
        return initial, gan, history

    init_one, one, h_one = one_step(tf.distribute.OneDeviceStrategy("/cpu:0"))
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    init_two, two, h_two = one_step(mirrored)
    for a, b in zip(init_one, init_two):
        assert np.array_equal(a, b)
    worst, changed = 0.0, 0
    for w1, w2, w0 in zip(one.weights, two.weights, init_one):
        a, b = w1.numpy(), w2.numpy()
        worst = max(worst, float(np.abs(a - b).max()) if a.size else 0.0)
        changed += int(not np.array_equal(a, w0))
    print(json.dumps({"worst": worst, "changed": changed, "n": len(one.weights),
                      "d_loss": [h_one["d_loss"][0], h_two["d_loss"][0]],
                      "g_loss": [h_one["g_loss"][0], h_two["g_loss"][0]]}))
    """
)


def _run(code, *args, env=None, timeout=300):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **(env or {}))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.parametrize("variant", ["dcgan", "wgan_gp", "sngan", "historical", "vbn"])
def test_one_mirrored_step_equals_one_device_step(variant):
    out = _run(EQUIVALENCE, variant)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["changed"] >= result["n"] // 2  # the step really trained both networks
    assert result["worst"] < 1e-5, result
    # Metrics are reported as the global mean, the same as on one device.
    np.testing.assert_allclose(*result["d_loss"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(*result["g_loss"], rtol=1e-5, atol=1e-6)


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _weights(path):
    import zipfile

    out = {}
    with zipfile.ZipFile(path) as z, z.open("model.weights.h5") as f, h5py.File(f, "r") as h:
        h.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def test_two_workers_train_with_multiworker_strategy_and_end_identical(tmp_path):
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    procs = []
    for index in range(2):
        env = dict(
            os.environ,
            TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
            TF_CPP_MIN_LOG_LEVEL="3",
        )
        argv = [sys.executable, "-m", "kerasgan.cli", "train", "dcgan", "--dataset", "mnist", "--steps", "6",
                "--batch-size", "8", "--seed", "0", "--strategy", "multiworker", "--verbose", "0",
                "--model-args", '{"sync_batch_norm": true}',
                "--output", str(tmp_path / f"worker{index}")]
        procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = []
    try:
        for proc in procs:
            outputs.append(proc.communicate(timeout=300))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
    a = _weights(str(tmp_path / "worker0" / "model.keras"))
    b = _weights(str(tmp_path / "worker1" / "model.keras"))
    assert sorted(a) == sorted(b) and len(a) > 10
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    with open(tmp_path / "worker0" / "config.json") as f:
        assert json.load(f)["strategy"] == "multiworker"
