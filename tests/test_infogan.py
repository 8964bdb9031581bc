"""InfoGAN: structured latents, the information term by hand, codes in sample/traverse/export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import models
from kerasgan.models import GANBatch

TINY = {"image_shape": (28, 28, 1), "noise_dim": 4, "categorical": (3,), "continuous": 2, "g_width": 4, "d_width": 4}


def _gan(**kwargs):
    keras.utils.set_random_seed(0)
    return models.InfoGAN(**{**TINY, **kwargs}, seed=0)


def test_latents_are_noise_one_hot_codes_and_continuous_codes():
    gan = _gan()
    assert gan.latent_dim == 4 + 3 + 2 and gan.raw_latent_dim == 4 + 1 + 2
    assert gan.code_slices() == {"cat0": (4, 7), "c1": (7, 8), "c2": (8, 9)}
    z = np.asarray(gan.latents(3000, seed=1))
    one_hot = z[:, 4:7]
    assert set(np.unique(one_hot)) == {0.0, 1.0} and np.all(one_hot.sum(1) == 1)
    shares = one_hot.mean(0)
    assert np.all(np.abs(shares - 1 / 3) < 0.03)  # uniform categories
    assert z[:, [0, 1, 2, 3, 7, 8]].min() >= -1 and z[:, [0, 1, 2, 3, 7, 8]].max() <= 1
    # Training draws have the same structure.
    drawn = np.asarray(gan.draw_latents(64))
    assert np.all(drawn[:, 4:7].sum(1) == 1)
    # The raw categorical draw maps to an index by equal-width bins of [-1, 1].
    raw = tf.constant([[0.0] * 4 + [-1.0, 0.1, 0.2], [0.0] * 4 + [-0.34, 0, 0], [0.0] * 4 + [0.999, 0, 0]])
    assert np.argmax(gan.structure_latents(raw).numpy()[:, 4:7], axis=1).tolist() == [0, 0, 2]


def test_information_term_matches_hand_computed_cross_entropy_and_gaussian_nll():
    gan = _gan(info_weight=0.5)
    latents = np.array([[0, 0, 0, 0, 1, 0, 0, 0.5, -0.5], [0, 0, 0, 0, 0, 0, 1, 1.0, 0.0]], "float32")
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0]], "float32")
    mu = np.array([[0.0, 0.0], [1.0, 1.0]], "float32")
    output = {"logits": np.zeros((2, 1), "float32"), "q_cat0": logits, "q_continuous": mu}
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    ce = -np.mean([log_softmax[0, 0], log_softmax[1, 2]])
    nll = np.mean([0.5 * (0.5**2 + 0.5**2), 0.5 * (0.0 + 1.0)])
    assert float(gan.mutual_information_loss(output, latents)) == pytest.approx(ce + nll, rel=1e-5)
    terms = gan.compute_auxiliary_terms("generator", GANBatch(real=None, fake=None, latents=latents, fake_output=output))
    assert list(terms) == ["g_info"] and float(terms["g_info"]) == pytest.approx(0.5 * (ce + nll), rel=1e-5)


def test_training_lowers_the_information_term_on_fixed_data():
    gan = _gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-3), g_optimizer=keras.optimizers.Adam(2e-3))
    images = np.random.default_rng(0).uniform(-1, 1, (256, 28, 28, 1)).astype("float32")
    history = gan.fit(images, batch_size=32, epochs=3, verbose=0).history
    assert {"d_info", "g_info"} <= set(history)
    assert history["d_info"][-1] < history["d_info"][0]  # Q learns to read the codes back


def test_codes_fix_samples_and_traversals():
    gan = _gan()
    a = gan.sample(4, seed=3, codes={"categorical": 2})
    z = gan.set_codes(np.asarray(gan.latents(4, seed=3)), {"categorical": 2})
    np.testing.assert_allclose(a, gan.generate(z), atol=1e-6)
    assert np.all(z[:, 4:7] == [0, 0, 1])
    z2 = gan.set_codes(z, {"continuous": [1.5, None]})
    assert np.all(z2[:, 7] == 1.5) and np.all(z2[:, 8] == z[:, 8])
    grid = gan.traverse("c1", np.linspace(-2, 2, 5), rows=3, seed=0, fixed={"cat0": 1})
    assert grid.shape == (15, 28, 28, 1)
    with pytest.raises(ValueError, match=r"unknown code 'c9': this InfoGAN's codes are cat0, c1, c2"):
        gan.sample(2, seed=0, codes={"c9": 1.0})
    with pytest.raises(ValueError, match=r"code cat0 takes ints in \[0, 2\], got 3"):
        gan.sample(2, seed=0, codes={"categorical": 3})
    with pytest.raises(ValueError, match="needs at least one code"):
        models.InfoGAN(categorical=(), continuous=0)


def test_export_sample_draws_the_structured_latents(tmp_path):
    gan = _gan()
    out = gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(out)
    got = loaded.signatures["sample"](num=tf.constant(5), seed=tf.constant(7, tf.int64))["images"].numpy()
    want = np.round((gan.sample(5, seed=7) + 1) * 127.5)
    assert np.abs(got.astype("float32") - want).max() <= 1
