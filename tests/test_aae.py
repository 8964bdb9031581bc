"""Adversarial autoencoder: the two phases, the priors, saving, export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.models import AdversarialAutoencoder

TINY = {"image_shape": (28, 28, 1), "latent_dim": 4, "units": 32}


def _aae(**kwargs):
    keras.utils.set_random_seed(0)
    return AdversarialAutoencoder(**{**TINY, **kwargs}, seed=0)


def _images(n=200):
    rng = np.random.default_rng(0)
    base = rng.uniform(-1, 1, (4, 28, 28, 1))
    return np.clip(base[rng.integers(0, 4, n)] + rng.normal(0, 0.05, (n, 28, 28, 1)), -1, 1).astype("float32")


def test_training_lowers_reconstruction_error_and_moves_codes():
    aae = _aae()
    aae.compile(ae_optimizer=keras.optimizers.Adam(1e-3))
    x = _images()
    before = float(np.mean((aae.reconstruct(x) - x) ** 2))
    history = aae.fit(x, batch_size=25, epochs=8, verbose=0).history
    assert set(history) == {"reconstruction", "d_loss", "g_loss", "d_real", "d_fake"}
    after = float(np.mean((aae.reconstruct(x) - x) ** 2))
    assert after < 0.5 * before
    assert history["reconstruction"][-1] < history["reconstruction"][0]


def test_the_phases_update_the_right_networks():
    aae = _aae()
    aae.compile(ae_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.1))
    dec, enc = aae.decoder.get_weights(), aae.encoder.get_weights()
    disc = aae.discriminator.get_weights()
    aae.fit(_images(50), batch_size=50, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(dec, aae.decoder.get_weights()))
    assert all(np.array_equal(a, b) for a, b in zip(enc, aae.encoder.get_weights()))
    assert not np.array_equal(disc[0], aae.discriminator.get_weights()[0])
    aae = _aae()  # only the encoder's adversarial phase: decoder and D stay
    aae.compile(ae_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.0))
    dec, enc = aae.decoder.get_weights(), aae.encoder.get_weights()
    aae.fit(_images(50), batch_size=50, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(dec, aae.decoder.get_weights()))
    assert not np.array_equal(enc[0], aae.encoder.get_weights()[0])


def test_mixture_prior_draws_components_on_a_circle():
    aae = _aae(prior="mixture", mixture_components=10)
    z = np.asarray(aae.latents(5000, seed=0))
    assert z.shape == (5000, 4)
    radius = np.linalg.norm(z[:, :2], axis=1)
    assert abs(np.median(radius) - 4.0) < 0.2
    angles = np.round(np.arctan2(z[:, 1], z[:, 0]) / (2 * np.pi / 10)) % 10
    shares = np.bincount(angles.astype(int), minlength=10) / 5000
    assert np.all(np.abs(shares - 0.1) < 0.03)  # ten equally likely components
    assert abs(np.std(z[:, 2:]) - 1.0) < 0.05
    with pytest.raises(ValueError, match="latent_dim must be >= 2"):
        AdversarialAutoencoder(latent_dim=1, prior="mixture")
    with pytest.raises(ValueError, match="unknown prior 'cauchy'"):
        AdversarialAutoencoder(prior="cauchy")


def test_categorical_prior_draws_one_hot_clusters_and_a_gaussian_style():
    aae = _aae(prior="categorical", clusters=5)
    assert aae.latent_dim == 5 + 4 and aae.style_dim == 4  # the decoder reads the one-hot, then the style
    z = np.asarray(aae.latents(5000, seed=0))
    assert z.shape == (5000, 9)
    one_hot = z[:, :5]
    assert np.all(np.sort(one_hot, axis=1)[:, -1] == 1.0) and np.all(one_hot.sum(axis=1) == 1.0)
    shares = one_hot.mean(axis=0)
    assert np.all(np.abs(shares - 0.2) < 0.03)  # five equally likely clusters
    assert abs(np.std(z[:, 5:]) - 1.0) < 0.05 and abs(np.mean(z[:, 5:])) < 0.05
    codes = aae.encode(_images(10))
    assert codes.shape == (10, 9)
    np.testing.assert_allclose(codes[:, :5].sum(axis=1), 1.0, atol=1e-5)  # the encoder's cluster part is a softmax
    clusters = aae.cluster(_images(10))
    assert clusters.shape == (10,) and clusters.dtype.kind == "i" and np.all(clusters == np.argmax(codes[:, :5], axis=1))
    with pytest.raises(ValueError, match="cluster\\(\\) needs the categorical prior"):
        _aae().cluster(_images(2))
    with pytest.raises(ValueError, match="needs clusters >= 2"):
        AdversarialAutoencoder(prior="categorical", clusters=1)


def test_categorical_prior_trains_both_code_discriminators_and_makes_the_cluster_part_one_hot():
    # The cluster discriminator sees one-hot prior draws as real: the encoder's
    # softmax, diffuse at initialisation, is pushed to one-hot codes.
    rng = np.random.default_rng(1)
    base = rng.uniform(-1, 1, (4, 28, 28, 1))
    x = np.clip(base[rng.integers(0, 4, 400)] + rng.normal(0, 0.05, (400, 28, 28, 1)), -1, 1).astype("float32")
    aae = _aae(prior="categorical", clusters=4, latent_dim=2)
    aae.compile(ae_optimizer=keras.optimizers.Adam(1e-3))
    confidence = lambda: float(aae.encode(x)[:, :4].max(axis=1).mean())
    assert confidence() < 0.5
    style_d, cluster_d = aae.discriminator.get_weights()[0], aae.cluster_discriminator.get_weights()[0]
    history = aae.fit(x, batch_size=50, epochs=10, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert not np.array_equal(style_d, aae.discriminator.get_weights()[0])
    assert not np.array_equal(cluster_d, aae.cluster_discriminator.get_weights()[0])
    assert confidence() > 0.9


def test_save_load_and_export(tmp_path):
    aae = _aae()
    aae.compile()
    x = _images(100)
    aae.fit(x, batch_size=50, epochs=1, verbose=0)
    path = str(tmp_path / "aae.keras")
    aae.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.reconstruct(x[:5]), aae.reconstruct(x[:5]), atol=1e-6)
    np.testing.assert_allclose(loaded.sample(3, seed=1), aae.sample(3, seed=1), atol=1e-6)
    assert loaded.compiled and loaded.get_compile_config()["reconstruction"] == "mse"
    out = aae.export(str(tmp_path / "sm"))
    sm = tf.saved_model.load(out)
    got = sm.signatures["sample"](num=tf.constant(3), seed=tf.constant(1, tf.int64))["images"].numpy()
    assert np.abs(got.astype("float32") - np.round((aae.sample(3, seed=1) + 1) * 127.5)).max() <= 1
    np.testing.assert_allclose(sm.signatures["encode"](images=tf.constant(x[:2]))["z"].numpy(), aae.encode(x[:2]), atol=1e-5)
    with pytest.raises(ValueError, match=r"codes must have shape \(num, 4\)"):
        aae.decode(np.zeros((2, 3)))
