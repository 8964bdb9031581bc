"""BiGAN/ALI: the joint discriminator's pairs, G and E as one player, encode/reconstruct, saving and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.models import BiGAN, GANBatch

TINY = {"image_shape": (28, 28, 1), "latent_dim": 6, "units": 16}


def _gan():
    keras.utils.set_random_seed(0)
    return BiGAN(**TINY, seed=0)


def _images(n=32):
    return np.random.default_rng(0).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def test_pairs_and_the_inverted_label_loss_by_hand():
    gan = _gan()
    gan.compile()
    x = tf.constant(_images(4))
    z = tf.constant(np.asarray(gan.latents(4, seed=1)))
    fake = gan.generator(z, training=False)
    real_out = gan.discriminate_step(x, None, None, real=True, training=False)
    fake_out = gan.discriminate_step(fake, None, z, real=False, training=False)
    np.testing.assert_allclose(real_out, gan.discriminator([x, gan.encoder(x, training=False)], training=False), atol=1e-6)
    np.testing.assert_allclose(fake_out, gan.discriminator([fake, z], training=False), atol=1e-6)
    r, f = np.asarray(real_out).ravel(), np.asarray(fake_out).ravel()
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    want = np.mean(softplus(-f)) + np.mean(softplus(r))  # -log D(G(z), z) - log(1 - D(x, E(x)))
    got = float(gan.compute_generator_loss(GANBatch(real=x, fake=fake, latents=z, real_output=real_out, fake_output=fake_out)))
    assert got == pytest.approx(want, rel=1e-5)


def test_encoder_trains_with_the_generator_and_is_saved(tmp_path):
    gan = _gan()
    gan.compile()
    assert list(gan.networks) == ["generator", "discriminator", "encoder"]
    e_before = [w.copy() for w in gan.encoder.get_weights()]
    d_before = [w.copy() for w in gan.discriminator.get_weights()]
    history = gan.fit(_images(64), batch_size=32, epochs=1, verbose=0).history
    assert np.all(np.isfinite([history["d_loss"][0], history["g_loss"][0]]))
    assert not np.allclose(gan.encoder.get_weights()[0], e_before[0])
    assert not np.allclose(gan.discriminator.get_weights()[0], d_before[0])
    x = _images(5)
    codes, recon = gan.encode(x), gan.reconstruct(x)
    assert codes.shape == (5, 6) and recon.shape == x.shape
    path = str(tmp_path / "bigan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.encode(x), codes, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded.reconstruct(x), recon, rtol=1e-5, atol=1e-6)
    assert "encoder.weights.h5" in zoo.network_files(gan)
    with pytest.raises(ValueError, match="BiGAN does not support gradient_penalty"):
        gan.compile(gradient_penalty=10.0)
    with pytest.raises(ValueError, match=r"have shape \(2, 8, 8, 1\)"):
        gan.encode(np.zeros((2, 8, 8, 1), "float32"))


def test_export_has_an_encode_signature(tmp_path):
    gan = _gan()
    out = gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(out)
    x = _images(3)
    got = loaded.signatures["encode"](images=tf.constant(x))["z"].numpy()
    np.testing.assert_allclose(got, gan.encode(x), rtol=1e-5, atol=1e-5)
    assert set(loaded.signatures) == {"serving_default", "sample", "encode"}
