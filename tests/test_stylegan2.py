"""StyleGAN2 (Karras et al. 2020): skip generator, residual D, path length by hand, lazy regularisation, ADA.

The shared harness (tests/test_models.py) runs fit, config and .keras round trips and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import layers, models
from kerasgan.models.stylegan2 import path_lengths


def _stylegan2(**kwargs):
    args = {"image_shape": (16, 16, 3), "latent_dim": 8, "w_dim": 6, "mapping_layers": 2, "g_width": 4, "d_width": 4, "seed": 0}
    return models.StyleGAN2(**{**args, **kwargs})


def test_skip_generator_and_residual_discriminator_layout():
    gan = _stylegan2()
    synthesis = gan.generator.get_layer("synthesis")
    convs = [l for l in synthesis.layers if isinstance(l, layers.ModulatedConv2D)]
    torgb = [l for l in convs if "torgb" in l.name]
    assert [l.name for l in torgb] == ["4x4_torgb", "8x8_torgb", "16x16_torgb"]
    assert all(not l.demodulate and l.kernel_size == 1 for l in torgb)
    assert all(l.demodulate and l.kernel_size == 3 for l in convs if l not in torgb)
    assert gan.num_layers == 6  # 4x4 conv + torgb, then two convs per doubling; each torgb shares the next style
    assert synthesis.get_layer("16x16_image").output.shape[1:] == (16, 16, 3)
    d = gan.discriminator
    assert isinstance(d.get_layer("mbstd"), layers.MinibatchStdDev) and d.get_layer("mbstd").output.shape[1:] == (4, 4, 17)
    assert d.get_layer("16x16_sum").output.shape[1:] == (8, 8, 8) and d.output.shape[1:] == (1,)


def test_path_length_by_hand_on_a_linear_synthesis():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3 * 2, 4 * 4 * 1)).astype("float32")
    ws_in = keras.Input((3, 2))
    flat = keras.layers.Reshape((6,))(ws_in)
    images = keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16, use_bias=False, kernel_initializer=keras.initializers.Constant(kernel))(flat))
    synthesis = keras.Model(ws_in, images)
    ws = tf.constant(rng.normal(size=(5, 3, 2)).astype("float32"))
    noise = rng.normal(size=(5, 4, 4, 1)).astype("float32")
    # J^T y for images = flat(ws) @ K: K @ y, reshaped to (3 layers, 2)
    jty = (noise.reshape(5, 16) / 4.0) @ kernel.T  # y = noise / sqrt(H W)
    want = np.sqrt((jty.reshape(5, 3, 2) ** 2).sum(2).mean(1))
    np.testing.assert_allclose(path_lengths(synthesis, ws, noise=noise).numpy(), want, rtol=1e-5)


def test_path_length_penalty_is_lazy_and_tracks_its_mean():
    gan = _stylegan2(pl_every=4, pl_decay=0.5)
    gan.compile()
    z = gan.latents(4, seed=0)
    batch = type("B", (), {"latents": z})()
    gan.g_optimizer.iterations.assign(1)
    assert float(gan.compute_generator_penalty(batch)) == 0.0 and float(gan.pl_mean) == 0.0
    gan.g_optimizer.iterations.assign(4)
    term = float(gan.compute_generator_penalty(batch))
    assert term > 0 and float(gan.pl_mean) > 0  # mean moved halfway (decay 0.5) towards this batch's mean length
    assert float(_stylegan2(pl_weight=0).compute_generator_penalty(batch)) == 0.0
    recipe = models.StyleGAN2.recipe
    assert recipe["r1_every"] == 16 and recipe["r1_gamma"] == 10.0 and recipe["loss"] == "modified"


def test_trains_with_ada_and_keeps_the_style_api(tmp_path):
    gan = _stylegan2()
    gan.compile(augment={"name": "ada", "target": 0.6, "interval": 1, "speed_kimg": 0.01})
    x = np.random.default_rng(1).uniform(-1, 1, (16, 16, 16, 3)).astype("float32")
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0]) and "ada_p" in history.history
    z1, z2 = gan.latents(2, seed=1), gan.latents(2, seed=2)
    np.testing.assert_allclose(gan.mix(z1, z2, gan.num_layers), gan.generate(z1), rtol=1e-5, atol=1e-6)
    assert gan.sample(2, seed=0, truncation=0.5).shape == (2, 16, 16, 3)
    for kwargs, message in (({"pl_every": 0}, "pl_every must be a positive integer"), ({"pl_weight": -1}, "pl_weight must be >= 0"),
                            ({"pl_decay": 0}, r"pl_decay must be in \(0, 1\]"), ({"mbstd_group": 0}, "mbstd_group must be a positive integer")):
        with pytest.raises(ValueError, match=message):
            _stylegan2(**kwargs)
