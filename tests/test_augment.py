"""DiffAugment and ADA: exact geometry, seeded draws, gradients, and the ADA p controller."""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import augment
from kerasgan.augment import AdaptiveAugment, diff_augment

SHAPES = [(28, 28, 1), (64, 64, 3)]


def images(shape, n=4, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=(n, *shape)).astype("float32")


def ada_with_p(p, **kwargs):
    ada = AdaptiveAugment(**kwargs)
    ada.p.assign(p)
    return ada


# ---------------------------------------------------------------- DiffAugment


@pytest.mark.parametrize("shape", SHAPES)
def test_shapes_and_dtypes_are_preserved(shape):
    x = images(shape)
    for out in (diff_augment(x, seed=1), ada_with_p(1.0)(x, seed=1), ada_with_p(0.5)(x, seed=1)):
        assert out.shape == x.shape and out.dtype == tf.float32
        assert np.all(np.isfinite(out.numpy()))


def test_same_seed_same_output_different_seed_differs():
    x = images((28, 28, 1), n=8)
    ada = ada_with_p(1.0)
    for fn in (lambda s: diff_augment(x, seed=s), lambda s: ada(x, seed=s)):
        a, b, c = fn(tf.constant([3, 4])), fn(tf.constant([3, 4])), fn(tf.constant([3, 5]))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not np.allclose(a.numpy(), c.numpy())
    # An int seed is the (seed, 0) tensor seed.
    np.testing.assert_array_equal(diff_augment(x, seed=7).numpy(), diff_augment(x, seed=[7, 0]).numpy())


def test_policy_and_seed_errors():
    x = images((8, 8, 1))
    with pytest.raises(ValueError, match="valid policies: color, translation, cutout"):
        diff_augment(x, policy="color,flip", seed=0)
    with pytest.raises(ValueError, match="seed is required"):
        diff_augment(x, seed=None)
    with pytest.raises(ValueError, match="shape"):
        diff_augment(x, seed=[1, 2, 3])
    with pytest.raises(ValueError, match="rank 4"):
        diff_augment(x[0], seed=0)
    np.testing.assert_array_equal(diff_augment(x, policy="", seed=0).numpy(), x)
    # Spaces and lists are accepted.
    a = diff_augment(x, policy=" color , cutout", seed=0)
    np.testing.assert_array_equal(a.numpy(), diff_augment(x, policy=["color", "cutout"], seed=0).numpy())


def test_gradients_flow_to_the_images():
    x = tf.constant(images((16, 16, 3), n=4))
    weights = tf.constant(images((16, 16, 3), n=1, seed=1))
    for fn in (lambda v: diff_augment(v, seed=2), lambda v: ada_with_p(1.0)(v, seed=2)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = tf.reduce_sum(fn(x) * weights)
        grad = tape.gradient(score, x).numpy()
        assert np.all(np.isfinite(grad))
        assert np.all(np.abs(grad).reshape(4, -1).max(axis=1) > 0)  # every sample gets a gradient


def shifted(x, dy, dx):
    """x shifted so that content moves by (dy, dx), zero-filled, in NumPy."""
    out = np.zeros_like(x)
    h, w = x.shape[:2]
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = x[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_translation_is_an_integer_shift_of_at_most_an_eighth():
    x = images((16, 24, 3), n=24, seed=3)  # shifts up to 2 rows and 3 columns
    out = diff_augment(x, policy="translation", seed=5).numpy()
    found = []
    for i in range(len(x)):
        matches = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-3, 4)
            if np.array_equal(out[i], shifted(x[i], dy, dx))
        ]
        assert len(matches) == 1, f"sample {i} is no shift of its input within 1/8"
        found.append(matches[0])
    assert len(set(found)) > 8  # the shift is drawn per sample
    assert {dy for dy, _ in found} == {-2, -1, 0, 1, 2}


@pytest.mark.parametrize("shape", [(32, 32, 3), (30, 28, 1)])
def test_cutout_zeroes_one_half_size_box_clipped_at_the_border(shape):
    h, w = shape[:2]
    x = images(shape, n=32, seed=4, low=0.1)  # no zeros in the input
    out = diff_augment(x, policy="cutout", seed=6).numpy()
    interior = 0
    for i in range(len(x)):
        zero = np.all(out[i] == 0, axis=-1)
        np.testing.assert_array_equal(out[i][~zero], x[i][~zero])  # the rest is untouched
        rows, cols = np.flatnonzero(zero.any(axis=1)), np.flatnonzero(zero.any(axis=0))
        assert np.array_equal(zero, np.outer(zero.any(axis=1), zero.any(axis=0)))  # one box
        assert np.all(np.diff(rows) == 1) and np.all(np.diff(cols) == 1)
        for idx, size, full in ((rows, h // 2, h), (cols, w // 2, w)):
            assert len(idx) == size or idx[0] == 0 or idx[-1] == full - 1
            assert len(idx) >= size // 2  # the centre is inside the image
        if len(rows) == h // 2 and len(cols) == w // 2:
            interior += 1
    assert interior > 4


def test_color_shifts_the_image_mean_by_a_brightness_in_half_range():
    x = images((8, 8, 3), n=64)
    out = diff_augment(x, policy="color", seed=8).numpy()
    # Saturation and contrast keep the image mean; brightness adds b ~ U(-0.5, 0.5).
    b = out.mean(axis=(1, 2, 3)) - x.mean(axis=(1, 2, 3))
    assert np.all(np.abs(b) <= 0.5 + 1e-5) and b.std() > 0.2
    # On a constant grey-scale image only the brightness is visible.
    flat = np.full((16, 4, 4, 1), 0.25, "float32")
    diff = diff_augment(flat, policy="color", seed=8).numpy() - flat
    np.testing.assert_allclose(diff, diff[:, :1, :1, :1] * np.ones_like(diff), atol=1e-6)


def test_diff_augment_under_xla_with_unknown_shapes_matches_eager():
    # Keras compiles train_step with XLA on GPUs by default; the draws must not change.
    # (ADA draws through the same helpers.)
    spec = tf.TensorSpec([None, None, None, None], tf.float32)

    @tf.function(input_signature=[spec, tf.TensorSpec([2], tf.int64)], jit_compile=True)
    def augment_fn(x, seed):
        return diff_augment(x, seed=seed)

    x = images((12, 8, 3))
    seed = tf.constant([11, 12], tf.int64)
    np.testing.assert_allclose(augment_fn(x, seed).numpy(), diff_augment(x, seed=seed).numpy(), atol=1e-5)


# ----------------------------------------------------------------------- ADA


@pytest.mark.parametrize("shape", SHAPES)
def test_ada_with_p_zero_is_the_identity_and_p_one_changes_every_image(shape):
    x = images(shape, n=8)
    np.testing.assert_array_equal(AdaptiveAugment()(x, seed=3).numpy(), x)
    out = ada_with_p(1.0)(x, seed=3).numpy()
    assert np.all(np.abs(out - x).reshape(8, -1).max(axis=1) > 1e-3)


def test_ada_geometry_keeps_the_pixel_values_of_grey_scale_images():
    # With only flips, rotations and reflect-padded integer shifts, no new values appear.
    x = images((12, 12, 1), n=16, seed=9)
    ada = ada_with_p(1.0)
    with pytest.MonkeyPatch.context() as mp:
        for name in ("_ADA_BRIGHTNESS_STD", "_ADA_CONTRAST_STD", "_ADA_SATURATION_STD"):
            mp.setattr(augment, name, 0.0)
        out = ada(x, seed=4).numpy()
    for i in range(16):
        assert set(out[i].ravel()) <= set(x[i].ravel())
    assert not np.array_equal(out, x)


def test_ada_non_square_images_skip_rotation():
    x = images((16, 24, 3), n=4)
    assert ada_with_p(1.0)(x, seed=0).shape == x.shape


def test_p_rises_by_the_paper_formula_when_d_is_overconfident():
    ada = AdaptiveAugment(target=0.6, interval=4, speed_kimg=500)
    logits = tf.ones((64, 1))  # r_t = 1 > 0.6
    step = 64 * 4 / (500 * 1000)
    for interval in range(3):
        for _ in range(3):
            ada.update(logits)
            assert float(ada.p) == pytest.approx(interval * step, abs=1e-7)  # held between adjustments
        ada.update(logits)
        assert float(ada.p) == pytest.approx((interval + 1) * step, abs=1e-7)
    assert float(ada.rt) == 1.0
    # The step counts the real images seen in the interval, whatever the batch sizes.
    ada.p.assign(0.0)
    for n in (10, 20, 30, 40):
        ada.update(tf.fill((n,), 3.0))
    assert float(ada.p) == pytest.approx(100 / (500 * 1000), abs=1e-8)


def test_p_falls_when_rt_is_below_target_and_is_clamped():
    ada = AdaptiveAugment(target=0.6, interval=2, speed_kimg=500, initial_p=0.5)
    logits = tf.constant([2.0, 1.0, 0.5, 3.0, 0.1, -1.0, -2.0, -0.3])  # r_t = (5 - 3) / 8
    ada.update(logits)
    ada.update(logits)
    assert float(ada.rt) == pytest.approx(0.25)
    assert float(ada.p) == pytest.approx(0.5 - 8 * 2 / (500 * 1000), abs=1e-7)
    fast = AdaptiveAugment(interval=1, speed_kimg=0.004)  # 4 images move p by 1
    for _ in range(3):
        fast.update(tf.ones((3,)))
    assert float(fast.p) == 1.0
    for _ in range(3):
        fast.update(-tf.ones((3,)))
    assert float(fast.p) == 0.0
    fast.update(tf.constant([1.0, 1.0, -1.0, 0.0, 0.0]))  # r_t = 0.2; sign(0) = 0
    assert float(fast.rt) == pytest.approx(0.2) and float(fast.p) == 0.0


def test_ada_call_and_update_inside_tf_function_with_unknown_shapes():
    ada = ada_with_p(0.5, interval=2)
    x = images((28, 28, 1), n=8)
    spec = tf.TensorSpec([None, None, None, 1], tf.float32)

    @tf.function(input_signature=[spec, tf.TensorSpec([2], tf.int64)])
    def step(x, seed):
        out = ada(x, seed=seed)
        ada.update(tf.reduce_mean(out, axis=[1, 2, 3]) + 10.0)  # all positive
        return out

    seed = tf.constant([1, 2], tf.int64)
    np.testing.assert_allclose(step(x, seed).numpy(), ada(x, seed=seed).numpy(), atol=1e-5)
    step(x, seed)
    assert float(ada.p) == pytest.approx(0.5 + 16 / 500_000, abs=1e-7)
    assert int(ada.num_updates) == 2


class Holder(keras.Model):
    def __init__(self):
        super().__init__()
        self.ada = AdaptiveAugment()
        self.built = True

    def call(self, x):
        return x


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_p_and_rt_round_trip_through_save_and_load_weights(tmp_path):
    src = Holder()
    src.ada.p.assign(0.37)
    src.ada.rt.assign(0.8)
    src.ada.update(tf.ones((4,)))  # a part-filled interval is kept too
    path = str(tmp_path / "ada.weights.h5")
    src.save_weights(path)
    dst = Holder()
    dst.load_weights(path)
    for name in ("p", "rt", "sign_sum", "num_real", "num_updates"):
        assert float(getattr(dst.ada, name)) == pytest.approx(float(getattr(src.ada, name)))
    assert float(dst.ada.p) == pytest.approx(0.37)


def test_get_config_round_trip_and_argument_errors():
    ada = AdaptiveAugment(target=0.5, interval=8, speed_kimg=100, initial_p=0.2, name="ada")
    clone = AdaptiveAugment.from_config(ada.get_config())
    assert clone.get_config() == ada.get_config()
    assert float(clone.p) == pytest.approx(0.2)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(ada))
    assert isinstance(restored, AdaptiveAugment) and restored.interval == 8
    for kwargs in ({"target": 1.5}, {"interval": 0}, {"interval": 2.5}, {"speed_kimg": 0}, {"initial_p": -0.1}):
        with pytest.raises(ValueError):
            AdaptiveAugment(**kwargs)


DISTRIBUTED = textwrap.dedent(
    """
    import numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from kerasgan.augment import AdaptiveAugment, diff_augment

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        ada = AdaptiveAugment(interval=2, speed_kimg=500, initial_p=1.0)
    # Replica 0 sees 4 positive logits, replica 1 two positive and two negative: r_t = 4 / 8.
    logits = tf.constant([1.0] * 4 + [1.0, 1.0, -1.0, -1.0])
    x = tf.ones((8, 8, 8, 3)) * 0.5

    @tf.function
    def step(logits, x):
        def fn(l, xi):
            ada.update(l)
            return diff_augment(xi, seed=3), ada(xi, seed=3)
        return strategy.run(fn, args=(logits, x))

    ds = tf.data.Dataset.from_tensor_slices((logits, x)).batch(8)
    batch = next(iter(strategy.experimental_distribute_dataset(ds)))
    for _ in range(2):
        diff, adaout = step(*batch)
    # All replicas hold the same p and r_t, from the statistics of the global batch.
    for var in (ada.p, ada.rt):
        values = [float(v.numpy()) for v in strategy.experimental_local_results(var.value)]
        assert len(set(values)) == 1, values
    rt, p = float(ada.rt.value.numpy()), float(ada.p.value.numpy())
    assert abs(rt - 0.5) < 1e-6, rt
    assert abs(p - (1.0 - 8 * 2 / 500000)) < 1e-7, p
    # Identical shards get different draws on the two replicas.
    for out in (diff, adaout):
        a, b = [t.numpy() for t in strategy.experimental_local_results(out)]
        assert a.shape == (4, 8, 8, 3) and not np.allclose(a, b)
    print("distributed ok")
    """
)


def test_mirrored_strategy_shares_ada_statistics_and_splits_seeds():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", DISTRIBUTED], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "distributed ok" in out.stdout
