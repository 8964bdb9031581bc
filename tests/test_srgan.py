"""SRGAN (Ledig et al. 2017): sub-pixel upsampling, the two training phases, the content network, data and the CLI."""

import numpy as np
import pytest

import keras
import tensorflow as tf
from PIL import Image

from kerasgan import cli, data, models, training
from kerasgan.layers import PixelShuffle

TINY = {"image_shape": (8, 8, 3), "scale": 2, "g_width": 4, "g_blocks": 1, "d_width": 2, "d_dense": 8, "feature_weight": 0}


def _srgan(**kwargs):
    keras.utils.set_random_seed(0)
    return models.SRGAN(**{**TINY, **kwargs}, seed=0)


def _pairs(n=8, scale=2, seed=0):
    high = np.random.default_rng(seed).uniform(-1, 1, (n, 8 * scale, 8 * scale, 3)).astype("float32")
    return data.downscale(high, scale), high


def test_pixel_shuffle_is_depth_to_space_on_any_size():
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 36)).astype("float32")
    for r in (2, 3):
        np.testing.assert_array_equal(PixelShuffle(r)(x).numpy(), tf.nn.depth_to_space(x, r).numpy())
    # By hand: channel (i * r + j) * C + c at (h, w) lands at (h * r + i, w * r + j).
    y = PixelShuffle(3)(x).numpy()
    assert y[1, 2 * 3 + 1, 4 * 3 + 2, 1] == x[1, 2, 4, (1 * 3 + 2) * 4 + 1]


def test_downscale_is_antialiased_bicubic_and_keeps_flat_images():
    high = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 3)).astype("float32")
    expected = np.clip(tf.image.resize(high, (4, 4), "bicubic", antialias=True).numpy(), -1, 1)
    np.testing.assert_allclose(data.downscale(high, 4), expected, atol=1e-6)
    flat = np.full((1, 8, 8, 1), 0.25, "float32")
    np.testing.assert_allclose(data.downscale(flat, 2), 0.25, atol=1e-6)


def test_super_resolution_arrays_pair_each_emoji_with_its_small_view():
    low, high, codepoints = data.load_super_resolution_arrays(("google", "twitter"), scale=4, split="test")
    _, _, pair_codepoints = data.load_pair_arrays("google", "twitter", split="test")
    assert low.shape == (2 * len(pair_codepoints), 16, 16, 3) and high.shape == (len(low), 64, 64, 3)
    np.testing.assert_array_equal(codepoints, np.tile(pair_codepoints, 2))
    np.testing.assert_allclose(low[:5], data.downscale(high[:5], 4), atol=1e-6)
    batch_low, batch_high = next(iter(data.load_super_resolution(("google",), scale=4, batch_size=4, seed=0, mirror=True)))
    assert batch_low.shape == (4, 16, 16, 3) and batch_high.shape == (4, 64, 64, 3)
    # Mirroring flips both views together: the small view is still the downscaled large one.
    np.testing.assert_allclose(batch_low.numpy(), data.downscale(batch_high.numpy(), 4), atol=2e-2)


def test_the_generator_upscales_any_size_and_names_its_factor():
    sr = _srgan()
    assert sr.output_shape_ == (16, 16, 3)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 5, 7, 3)).astype("float32")
    y = sr.upscale(x)
    assert y.shape == (2, 10, 14, 3) and np.abs(y).max() <= 1.0
    np.testing.assert_allclose(sr.upscale(x, scale=2), y, atol=1e-6)
    assert sr.bicubic(x).shape == (2, 10, 14, 3)


def test_pretraining_is_srresnet_mse_and_leaves_d_alone():
    low, high = _pairs()
    phased = _srgan(pretrain_steps=3, feature_weight=0)
    mse_only = _srgan(pixel_weight=1.0, feature_weight=0, adversarial_weight=0)
    for model in (phased, mse_only):
        model.compile()
    d_before = [np.array(v) for v in phased.discriminator.trainable_variables]
    history = phased.fit(low, high, batch_size=4, epochs=1, shuffle=False, verbose=0)   # 2 steps, both in the PSNR phase
    mse_only.fit(low, high, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert history.history["g_loss"][0] == 0.0 and history.history["d_loss"][0] == 0.0
    for a, b in zip(phased.generator.trainable_variables, mse_only.generator.trainable_variables):
        np.testing.assert_allclose(np.array(a), np.array(b), atol=1e-6)
    assert all(np.array_equal(b, np.array(v)) for b, v in zip(d_before, phased.discriminator.trainable_variables))
    assert not bool(phased.in_gan_phase())
    history = phased.fit(low, high, batch_size=4, epochs=1, shuffle=False, verbose=0)   # step 3 is the GAN phase
    assert bool(phased.in_gan_phase())
    assert any(not np.array_equal(b, np.array(v)) for b, v in zip(d_before, phased.discriminator.trainable_variables))
    assert history.history["d_loss"][0] > 0


def test_the_phase_survives_save_and_load(tmp_path):
    low, high = _pairs()
    sr = _srgan(pretrain_steps=2, feature_weight=0)
    sr.compile()
    sr.fit(low[:4], high[:4], batch_size=4, epochs=1, verbose=0)
    sr.save(tmp_path / "sr.keras")
    loaded = keras.models.load_model(tmp_path / "sr.keras")
    assert int(loaded.g_optimizer.iterations) == 1 and loaded.pretrain_steps == 2 and not bool(loaded.in_gan_phase())
    np.testing.assert_allclose(loaded.upscale(low), sr.upscale(low), atol=1e-6)
    loaded.fit(low[:4], high[:4], batch_size=4, epochs=1, verbose=0)
    assert bool(loaded.in_gan_phase())


def test_the_content_loss_is_the_mse_of_inception_stem_features():
    low, high = _pairs(scale=4)  # 8x8 -> 32x32 outputs
    sr = _srgan(image_shape=(8, 8, 3), scale=4, pixel_weight=0.0, adversarial_weight=0.0, feature_weight=1.0)
    sr.compile()
    history = sr.fit(low[:4], high[:4], batch_size=4, epochs=1, verbose=0)
    assert history.history["g_content"][0] > 0
    features = sr.content_features(high[:2])
    assert tuple(features.shape) == (2, 4, 4, 192)  # 32x32 through the stem's valid convs and pool
    fake = sr.upscale(low[:2])
    by_hand = np.mean((sr.content_features(fake).numpy() - features.numpy()) ** 2)
    assert float(sr._mse(sr.content_features(fake), features)) == pytest.approx(by_hand, rel=1e-5)
    # Not saved with the model: a loaded model needs no Inception weights.
    assert not any("fid_inception" in v.path for v in sr.weights)


def test_upscale_refuses_other_factors_and_ranges():  # constructor errors: tests/test_bad_inputs.py
    sr = _srgan()
    with pytest.raises(ValueError, match=r"this model upscales by 2, not 4: use scale=2"):
        sr.upscale(np.zeros((1, 8, 8, 3), "float32"), scale=4)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        sr.upscale(np.full((1, 8, 8, 3), 200.0, "float32"))


def test_kerasgan_train_and_upscale_cli(tmp_path, capsys):
    config = {"architecture": "srgan", "dataset": "emoji_styles_64", "batch_size": 2, "seed": 0, "steps": 2,
              "model_args": {"image_shape": [16, 16, 3], "scale": 4, "g_width": 4, "g_blocks": 1, "d_width": 2,
                             "d_dense": 8, "pretrain_steps": 1, "feature_weight": 0, "styles": ["google"]}}
    result = training.train(config, tmp_path / "run", verbose=0)
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (3 * 66 + 2, 8 * 66 + 2, 3)  # bicubic, SRGAN, original rows of 8 test emoji
    Image.fromarray(np.full((12, 10, 3), 200, np.uint8)).save(tmp_path / "small.png")
    assert cli.main(["upscale", result["model_path"], str(tmp_path / "small.png"), "--out", str(tmp_path / "big.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "big.png")).shape == (48, 40, 3)
    code = cli.main(["upscale", result["model_path"], str(tmp_path / "small.png"), "--out", str(tmp_path / "x.png"), "--scale", "2"])
    assert code == 2 and not (tmp_path / "x.png").exists()
    assert "upscales by 4, not 2" in capsys.readouterr().err
