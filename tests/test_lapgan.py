"""LAPGAN (Denton et al. 2015): the pyramid by hand, sampling coarse to fine, independent levels, saving, export, train."""

import numpy as np
import pytest

import keras
import tensorflow as tf
from PIL import Image

from kerasgan import models, training
from kerasgan.models.lapgan.lapgan import downsample, laplacian_pyramid, upsample

TINY = {"image_shape": (16, 16, 3), "base_size": 4, "coarse_latent_dim": 6, "coarse_units": 16, "g_width": 4, "d_width": 4}


def _lapgan(**kwargs):
    keras.utils.set_random_seed(0)
    return models.LAPGAN(**{**TINY, **kwargs}, seed=0)


def _images(n=8, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 3)).astype("float32")


def test_the_pyramid_adds_back_to_the_image_at_every_level():
    x = _images(2)
    np.testing.assert_allclose(downsample(x).numpy(), x.reshape(2, 8, 2, 8, 2, 3).mean(axis=(2, 4)), atol=1e-6)
    np.testing.assert_allclose(upsample(np.full((1, 4, 4, 1), 0.3, "float32")).numpy(), 0.3, atol=1e-6)
    coarse, bands = laplacian_pyramid(x, 2)
    assert coarse.shape == (2, 4, 4, 3) and [tuple(low.shape[1:3]) for low, _ in bands] == [(8, 8), (16, 16)]
    low8, residual8 = bands[0]
    np.testing.assert_allclose((low8 + residual8).numpy(), downsample(x).numpy(), atol=1e-6)
    np.testing.assert_allclose(low8.numpy(), upsample(coarse).numpy(), atol=1e-6)
    low16, residual16 = bands[1]
    np.testing.assert_allclose((low16 + residual16).numpy(), x, atol=1e-6)


def test_latents_hold_the_coarse_noise_and_one_plane_per_level():
    gan = _lapgan()
    assert gan.levels == 2 and gan.level_sizes == [8, 16] and gan.latent_dim == 6 + 64 + 256
    assert sorted(gan.networks) == ["d16", "d8", "d_coarse", "g16", "g8", "g_coarse"]
    samples = gan.sample(5, seed=3)
    assert samples.shape == (5, 16, 16, 3) and np.abs(samples).max() <= 1.0
    np.testing.assert_allclose(gan.generate(gan.latents(5, seed=3)), samples, atol=1e-6)
    pyramid = gan.sample_pyramid(5, seed=3)
    assert [p.shape[1] for p in pyramid] == [4, 8, 16]
    np.testing.assert_allclose(pyramid[-1], samples, atol=1e-6)
    # A finer level adds its residual to the upsampled coarser image.
    z = gan.latents(5, seed=3)
    _, _, plane16 = gan._split(z)
    low = upsample(pyramid[1])
    expected = np.clip(low + gan.g_levels[1]([low, plane16]), -1, 1)
    np.testing.assert_allclose(pyramid[2], expected, atol=1e-5)


def test_each_level_trains_on_real_pyramids_independently_of_the_others():
    x = _images(8)
    a, b = _lapgan(), _lapgan()
    # b's middle generator starts elsewhere; the coarse and finest levels must not notice.
    b.g_levels[0].set_weights([w + 0.5 for w in b.g_levels[0].get_weights()])
    for gan in (a, b):
        gan.compile()
        gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for name in ("g_coarse", "d_coarse", "g16", "d16"):
        for va, vb in zip(a.networks[name].weights, b.networks[name].weights):
            np.testing.assert_allclose(np.array(va), np.array(vb), atol=1e-6, err_msg=name)
    assert any(not np.allclose(np.array(va), np.array(vb)) for va, vb in zip(a.networks["g8"].weights, b.networks["g8"].weights))


def test_fit_logs_every_level_and_moves_every_network():
    gan = _lapgan()
    gan.compile(loss="least_squares")
    before = {name: [np.array(v) for v in net.trainable_variables] for name, net in gan.networks.items()}
    history = gan.fit(_images(8), batch_size=4, epochs=1, verbose=0)
    assert {"d_loss_4", "g_loss_4", "d_loss_8", "g_loss_8", "d_loss_16", "g_loss_16"} <= set(history.history)
    total = sum(history.history[f"g_loss_{s}"][0] for s in (4, 8, 16))
    assert history.history["g_loss"][0] == pytest.approx(total, rel=1e-5)
    for name, net in gan.networks.items():
        assert any(not np.array_equal(b, np.array(v)) for b, v in zip(before[name], net.trainable_variables)), name


def test_save_load_and_export(tmp_path):
    gan = _lapgan()
    gan.compile(loss="least_squares")
    gan.fit(_images(8), batch_size=4, epochs=1, verbose=0)
    gan.save(tmp_path / "lapgan.keras")
    loaded = keras.models.load_model(tmp_path / "lapgan.keras")
    np.testing.assert_allclose(loaded.sample(3, seed=1), gan.sample(3, seed=1), atol=1e-6)
    assert loaded.compiled and loaded.get_compile_config()["g_loss"] == gan.get_compile_config()["g_loss"]
    assert int(loaded.g_optimizer.iterations) == 2
    sm = tf.saved_model.load(gan.export(str(tmp_path / "sm")))
    got = sm.signatures["sample"](num=tf.constant(3), seed=tf.constant(1, tf.int64))["images"].numpy()
    assert np.abs(got.astype("float32") - np.round((gan.sample(3, seed=1) + 1) * 127.5)).max() <= 1


def test_bad_latents():  # constructor errors: tests/test_bad_inputs.py
    gan = _lapgan()
    with pytest.raises(ValueError, match=r"latents must have shape \(num, 326\)"):
        gan.generate(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="unconditional: drop labels="):
        gan.generate(gan.latents(2, seed=0), labels=[0, 1])


def test_kerasgan_train_shows_each_sample_at_every_level(tmp_path):
    config = {"architecture": "lapgan", "dataset": "noto_emoji_64", "image_size": 16, "batch_size": 4, "seed": 0,
              "steps": 2, "model_args": {**TINY, "image_shape": [16, 16, 3]}}
    result = training.train(config, tmp_path / "run", verbose=0)
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (8 * 18 + 2, 3 * 18 + 2, 3)  # 8 samples x (4, 8, 16) levels
