"""StyleGAN (Karras et al. 2019): mapping and synthesis, the tracked average w, style mixing, truncation, mix().

The shared harness (tests/test_models.py) runs fit, config and .keras round trips and export."""

import keras
import numpy as np
import pytest

from kerasgan import layers, models
from kerasgan.models.stylegan.stylegan import MapStyles


def _stylegan(**kwargs):
    args = {"image_shape": (16, 16, 3), "latent_dim": 8, "w_dim": 6, "mapping_layers": 3, "g_width": 4, "d_width": 4, "seed": 0}
    return models.StyleGAN(**{**args, **kwargs})


def test_mapping_and_synthesis_layout():
    gan = _stylegan()
    mapper = gan.generator.get_layer("map_styles")
    mapping = mapper.mapping
    assert isinstance(mapping.get_layer("normalize_z"), layers.PixelNormalization)
    dense = [layer for layer in mapping.layers if isinstance(layer, layers.EqualizedDense)]
    assert len(dense) == 3 and all(d.lr_multiplier == 0.01 for d in dense)
    synthesis = gan.generator.get_layer("synthesis")
    assert gan.num_layers == 6  # two styled layers at 4x4, 8x8 and 16x16
    assert len([l for l in synthesis.layers if isinstance(l, layers.AdaptiveInstanceNormalization)]) == 6
    assert len([l for l in synthesis.layers if isinstance(l, layers.NoiseInjection)]) == 6
    np.testing.assert_array_equal(synthesis.get_layer("const").constant.numpy(), 1.0)
    z = gan.latents(4, seed=1)
    w = gan.mapping(z)
    assert w.shape == (4, 6)
    np.testing.assert_allclose(gan.synthesis(w), gan.generate(z), rtol=1e-5, atol=1e-6)  # G = synthesis(mapping)
    np.testing.assert_array_equal(gan.sample(3, seed=2), gan.sample(3, seed=2))  # fixed noise at inference
    with pytest.raises(ValueError, match=r"synthesis takes w of shape \(N, w_dim\) or \(N, 6, w_dim\)"):
        gan.synthesis(np.zeros((2, 5, 6)))


def test_training_tracks_the_average_w_and_mixes_styles():
    mapping = models.mapping_network(4, 3, layers=2, seed=0)
    z = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    w = mapping(z).numpy()
    plain = MapStyles(mapping, num_layers=4, mixing_prob=0.0, w_avg_decay=0.9, seed=1)
    ws = plain(z, training=True).numpy()
    np.testing.assert_allclose(ws, np.repeat(w[:, None], 4, axis=1), rtol=1e-6)
    np.testing.assert_allclose(plain.w_avg.numpy(), 0.1 * w.mean(0), rtol=1e-5, atol=1e-7)  # from 0, decay 0.9
    assert np.allclose(plain(z, training=False).numpy(), ws) and np.allclose(plain.w_avg.numpy(), 0.1 * w.mean(0))
    mixing = MapStyles(mapping, num_layers=4, mixing_prob=1.0, seed=2)
    for _ in range(5):
        ws = mixing(z, training=True).numpy()
        first = np.all(np.isclose(ws, w[:, None]), axis=(0, 2))  # layers that kept w(z)
        cross = int(first.sum())
        assert 1 <= cross <= 3 and first[:cross].all()  # a crossover in [1, num_layers)
        assert not np.isclose(ws[:, cross:], w[:, None]).all()
        np.testing.assert_allclose(ws[:, cross:], np.repeat(ws[:, cross:cross + 1], 4 - cross, axis=1))  # one w2 after it


def test_truncation_moves_w_towards_the_average_and_mix_swaps_styles():
    gan = _stylegan()
    mapper = gan.generator.get_layer("map_styles")
    mapper.w_avg.assign(np.linspace(-1, 1, 6).astype("float32"))
    z = gan.latents(3, seed=4)
    w = gan.mapping(z)
    want = gan.synthesis(gan.w_avg + 0.5 * (w - gan.w_avg))
    np.testing.assert_allclose(gan.sample(3, seed=4, truncation=0.5), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(gan.sample(3, seed=4, truncation=1.0), gan.sample(3, seed=4))
    for bad in (0, 1.5, -0.2, "0.7"):
        with pytest.raises(ValueError, match=r"truncation psi must be in \(0, 1\]"):
            gan.sample(2, seed=0, truncation=bad)
    z1, z2 = gan.latents(2, seed=5), gan.latents(2, seed=6)
    np.testing.assert_allclose(gan.mix(z1, z2, 0), gan.generate(z2), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gan.mix(z1, z2, gan.num_layers), gan.generate(z1), rtol=1e-5, atol=1e-6)
    coarse = gan.mix(z1, z2, 2)  # 4x4 styles of z1, the rest of z2
    ws = np.concatenate([np.repeat(gan.mapping(z1)[:, None], 2, 1), np.repeat(gan.mapping(z2)[:, None], 4, 1)], axis=1)
    np.testing.assert_allclose(coarse, gan.synthesis(ws), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"crossover must be a layer index in \[0, 6\]"):
        gan.mix(z1, z2, 7)


def test_recipe_and_bad_arguments():
    gan = _stylegan()
    gan.compile()
    assert float(keras.ops.convert_to_numpy(gan.g_optimizer.learning_rate)) == pytest.approx(1e-3)
    assert float(gan.g_optimizer.beta_2) == 0.99 and models.StyleGAN.recipe["r1_gamma"] == 10.0
    with pytest.raises(ValueError, match=r"mixing_prob must be in \[0, 1\]"):
        _stylegan(mixing_prob=2)
    with pytest.raises(ValueError, match=r"StyleGAN builds square images whose side is 4 times a power of two .*got 20x20"):
        _stylegan(image_shape=(20, 20, 3))


def test_export_has_mapping_synthesis_and_truncated_sampling(tmp_path):
    import tensorflow as tf

    gan = _stylegan()
    gan.generator.get_layer("map_styles").w_avg.assign(np.full(6, 0.3, "float32"))
    gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    assert set(loaded.signatures) >= {"serving_default", "sample", "mapping", "synthesis", "sample_truncated"}
    z = gan.latents(3, seed=1).numpy()
    w = loaded.signatures["mapping"](z=tf.constant(z))["w"].numpy()
    np.testing.assert_allclose(w, gan.mapping(z), rtol=1e-5, atol=1e-6)
    ws = np.repeat(w[:, None], gan.num_layers, axis=1)
    np.testing.assert_allclose(loaded.signatures["synthesis"](ws=tf.constant(ws))["images"].numpy(), gan.synthesis(ws), rtol=1e-5, atol=1e-5)
    out = loaded.signatures["sample_truncated"](num=tf.constant(3), seed=tf.constant(1, tf.int64), truncation=tf.constant(0.6))["images"]
    want = np.round((gan.sample(3, seed=1, truncation=0.6) + 1.0) * 127.5)
    assert np.abs(out.numpy().astype(int) - want.astype(int)).max() <= 1
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"truncation psi must be in \(0, 1\]"):
        loaded.signatures["sample_truncated"](num=tf.constant(1), seed=tf.constant(0, tf.int64), truncation=tf.constant(1.5))


def test_truncated_samples_take_the_ema_switch():
    gan = _stylegan(ema_decay=0.9)
    for w in gan.generator.trainable_weights:  # G moves away from its (unchanged) average
        w.assign(w + 0.05)
    ema = gan.sample(3, seed=4, truncation=0.5)
    raw = gan.sample(3, seed=4, truncation=0.5, ema=False)
    mapper, synthesis = gan.generator.get_layer("map_styles"), gan.generator.get_layer("synthesis")
    w = mapper.mapping(gan.latents(3, seed=4), training=False)
    w = mapper.w_avg + 0.5 * (w - mapper.w_avg)
    want = synthesis(np.repeat(np.asarray(w)[:, None], mapper.num_layers, axis=1), training=False)
    np.testing.assert_allclose(raw, np.asarray(want), rtol=1e-5, atol=1e-6)
    assert not np.allclose(ema, raw, atol=1e-3)
    np.testing.assert_allclose(gan.sample(3, seed=4, ema=False), gan.generator(gan.latents(3, seed=4)), rtol=1e-5, atol=1e-6)
