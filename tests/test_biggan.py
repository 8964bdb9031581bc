"""BigGAN (Brock et al. 2019): hierarchical latents, shared embedding, orthogonal regularisation, truncation.

The shared harness (tests/test_models.py) runs fit, config and .keras round trips and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import layers, models
from kerasgan.models.biggan import latent_chunks, orthogonal_penalty


def _biggan(**kwargs):
    args = {"image_shape": (32, 32, 3), "num_classes": 4, "latent_dim": 20, "embedding_dim": 6, "g_width": 4,
            "d_width": 8, "attention_resolution": 16, "seed": 0}
    return models.BigGAN(**{**args, **kwargs})


def test_latents_are_split_one_chunk_per_block_plus_the_first_map():
    assert latent_chunks(120, 5) == [20] * 6  # the paper's 128x128 split
    assert latent_chunks(20, 3) == [5, 5, 5, 5] and latent_chunks(10, 3) == [3, 3, 2, 2]
    with pytest.raises(ValueError, match="latent_dim must be >= 4"):
        latent_chunks(3, 3)
    gan = _biggan()
    g = gan.generator
    assert g.get_layer("z_chunks").sizes == [5, 5, 5, 5]
    assert g.get_layer("project").kernel.shape == (5, 4 * 4 * 32)  # only the first chunk makes the 4x4 map
    for i in (1, 2, 3):  # each block: its own chunk + the shared class embedding, into both batch norms
        assert g.get_layer(f"block{i}_condition").output.shape[-1] == 5 + 6
        for j in (1, 2):
            cbn = g.get_layer(f"block{i}_bn{j}")
            assert isinstance(cbn, layers.ConditionalBatchNormalization) and cbn.num_classes is None
    # the last chunk reaches the image (through block 3's batch norms): zeroing it moves the output
    z = gan.latents(2, seed=1).numpy()
    labels = np.array([0, 1], "int32")
    base = g([z, labels], training=False).numpy()
    z2 = z.copy()
    z2[:, 15:] = 0.0
    assert not np.allclose(g([z2, labels], training=False).numpy(), base)
    assert gan.ema_generator is not None and gan.ema_decay == 0.9999  # the paper's EMA by default


def test_orthogonal_penalty_by_hand():
    a = np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 0.0]], "float32")  # (fan_in 3, 2 filters)
    # W^T W = [[2, 2], [2, 5]]: off-diagonal 2 and 2 -> ||.||_F^2 = 8
    assert float(orthogonal_penalty([tf.constant(a)], beta=0.5)) == pytest.approx(4.0)
    conv = np.zeros((3, 3, 2, 2), "float32")
    conv[..., 0, 0] = 1.0
    conv[..., 1, 1] = 1.0  # two filters on disjoint inputs: orthogonal
    assert float(orthogonal_penalty([tf.constant(conv)], beta=1.0)) == pytest.approx(0.0)
    gan = _biggan()
    kernels = gan.regularized_kernels()
    paths = [v.path for v in kernels]
    assert not any("shared_embedding" in p for p in paths) and any("attention" in p for p in paths)
    assert any(p.endswith("bn1/gain") for p in paths)  # the batch norms' linear maps too (the authors' code)
    expected = 1e-4 * sum(float(orthogonal_penalty([v], 1.0)) for v in kernels)
    assert float(gan.compute_generator_penalty(None)) == pytest.approx(expected, rel=1e-5)
    assert float(_biggan(ortho_beta=0).compute_generator_penalty(None)) == 0.0


def test_truncation_draws_from_the_truncated_normal_and_keeps_identity():
    gan = _biggan()
    plain = gan.latents(2000, seed=3).numpy()
    for tau in (0.5, 1.0, 2.0):
        z = gan.latents(2000, seed=3, truncation=tau).numpy()
        assert np.abs(z).max() <= tau
        assert np.all(np.sign(z) == np.sign(plain))  # monotone per value: the draw keeps its rank
        # the standard deviation of N(0, 1) truncated to [-tau, tau]
        from scipy.stats import truncnorm
        assert z.std() == pytest.approx(truncnorm.std(-tau, tau), rel=0.02)
    small = gan.sample(4, seed=3, labels=[0, 1, 2, 3], truncation=0.25)
    assert small.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(gan.sample(4, seed=3, labels=[0, 1, 2, 3], truncation=0.25), small)
    assert not np.allclose(gan.sample(4, seed=3, labels=[0, 1, 2, 3]), small)
    for bad in (0, -1.0, float("nan"), "0.5", True):
        with pytest.raises(ValueError, match=r"truncation must be a threshold > 0"):
            gan.sample(2, seed=0, labels=0, truncation=bad)
    uniform = models.DCGAN(image_shape=(28, 28, 1), latent_dim=4, g_width=4, d_width=4, latent_distribution="uniform")
    with pytest.raises(ValueError, match="truncation needs normal latents"):
        uniform.sample(2, seed=0, truncation=0.5)


def test_config_round_trip_keeps_ema_off_and_bad_arguments():
    gan = _biggan(ema_decay=None, ortho_beta=0.0)
    clone = models.BigGAN.from_config(gan.get_config())
    assert clone.ema_generator is None and clone.ortho_beta == 0.0 and clone.num_classes == 4
    with pytest.raises(ValueError, match="BigGAN is class-conditional: num_classes must be an integer >= 2"):
        _biggan(num_classes=None)
    with pytest.raises(ValueError, match="ortho_beta must be >= 0"):
        _biggan(ortho_beta=-1)
    recipe = models.BigGAN.recipe
    assert recipe["loss"] == "hinge" and recipe["g_optimizer"]["config"]["learning_rate"] == 1e-4
    assert recipe["d_optimizer"]["config"]["learning_rate"] == 4e-4


def test_export_has_a_truncated_sample_signature_equal_to_sample(tmp_path):
    gan = _biggan(ema_decay=None)
    gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    labels = np.array([0, 1, 2, 3], "int32")
    fn = loaded.signatures["sample_truncated"]
    out = fn(num=tf.constant(4), seed=tf.constant(3, tf.int64), labels=tf.constant(labels), truncation=tf.constant(0.5))["images"]
    want = np.round((gan.sample(4, seed=3, labels=labels, truncation=0.5) + 1.0) * 127.5)
    assert out.dtype == tf.uint8 and np.abs(out.numpy().astype(int) - want.astype(int)).max() <= 1
    with pytest.raises(tf.errors.InvalidArgumentError, match="truncation must be a threshold > 0"):
        fn(num=tf.constant(2), seed=tf.constant(0, tf.int64), labels=tf.constant([0, 1]), truncation=tf.constant(0.0))
    assert set(loaded.signatures) >= {"serving_default", "sample", "sample_truncated"}
