"""CAN (Elgammal et al. 2017): the style-ambiguity loss by hand, the style head's terms, data and errors."""

import numpy as np
import pytest

import keras
import tensorflow as tf

from kerasgan import data, losses, models, training
from kerasgan.models import GANBatch

TINY = {"image_shape": (28, 28, 1), "num_styles": 3, "latent_dim": 8, "g_width": 4, "d_width": 4}


def _can(**kwargs):
    keras.utils.set_random_seed(0)
    return models.CAN(**{**TINY, **kwargs}, seed=0)


def _log_softmax(row):
    row = np.asarray(row, "float64")
    return row - np.log(np.sum(np.exp(row - row.max()))) - row.max()


def test_style_ambiguity_is_log_k_when_d_cannot_tell_the_styles():
    uniform = np.zeros((2, 4), "float32")
    assert float(losses.style_ambiguity_loss(uniform)) == pytest.approx(np.log(4.0), rel=1e-6)
    # Paper's eq. 3 at p = 1/K: -K [(1/K) log(1/K) + (1 - 1/K) log(1 - 1/K)].
    by_hand = -4 * (0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    assert float(losses.style_ambiguity_loss(uniform, form="binary")) == pytest.approx(by_hand, rel=1e-6)


def test_style_ambiguity_by_hand_on_confident_logits():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]], "float32")
    ce = np.mean([-np.mean(_log_softmax(row)) for row in logits])
    binary = []
    for row in logits:
        p = np.exp(_log_softmax(row))
        binary.append(-np.sum(np.log(p) / 3 + (2 / 3) * np.log(1 - p)))
    assert float(losses.style_ambiguity_loss(logits)) == pytest.approx(ce, rel=1e-6)
    assert float(losses.style_ambiguity_loss(logits, form="binary")) == pytest.approx(np.mean(binary), rel=1e-5)
    # Both exceed their uniform value: a sample D assigns to one style is penalised.
    assert ce > np.log(3.0)


def test_style_ambiguity_gradients_stay_finite_for_a_saturated_head():
    logits = tf.Variable([[80.0, -80.0, 0.0]])
    for form in ("cross_entropy", "binary"):
        with tf.GradientTape() as tape:
            loss = losses.style_ambiguity_loss(logits, form=form)
        grad = tape.gradient(loss, logits).numpy()
        assert np.isfinite(float(loss)) and np.isfinite(grad).all()
        assert grad[0, 0] > 0 > grad[0, 1]  # descent lowers the winning style's logit, raises the losing one's


def test_can_terms_are_the_weighted_style_losses():
    gan = _can(style_weight=0.5, ambiguity_weight=2.0)
    x = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    styles = np.array([0, 1, 2, 0, 1, 2])
    fake = gan.generate(gan.latents(6, seed=1))
    real_out, fake_out = gan.discriminator(x), gan.discriminator(fake)
    assert set(real_out) == {"logits", "style_logits"} and tuple(real_out["style_logits"].shape) == (6, 3)
    batch = GANBatch(real=x, fake=fake, real_output=real_out, fake_output=fake_out, extras={"styles": styles})
    d_terms = gan.compute_auxiliary_terms("discriminator", batch)
    g_terms = gan.compute_auxiliary_terms("generator", batch.replace(real_output=None))
    assert float(d_terms["d_style"]) == pytest.approx(
        0.5 * float(losses.auxiliary_classifier_loss(real_out["style_logits"], styles)), rel=1e-6)
    assert float(g_terms["g_ambiguity"]) == pytest.approx(
        2.0 * float(losses.style_ambiguity_loss(fake_out["style_logits"])), rel=1e-6)
    np.testing.assert_allclose(gan.style_probabilities(x).sum(axis=1), 1.0, rtol=1e-5)


def test_ambiguity_weight_zero_is_the_plain_gan_baseline_and_changes_g():
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    styles = np.arange(8) % 3
    generators = []
    for weight in (0.0, 1.0):
        gan = _can(ambiguity_weight=weight)
        gan.compile()
        history = gan.fit(x, styles, batch_size=8, epochs=1, verbose=0, shuffle=False)
        assert {"d_style", "g_ambiguity"} <= set(history.history)
        assert (history.history["g_ambiguity"][0] == 0.0) == (weight == 0.0)
        assert history.history["d_style"][0] > 0
        generators.append([np.array(v) for v in gan.generator.trainable_variables])
    assert any(not np.array_equal(a, b) for a, b in zip(*generators))


def test_the_style_head_learns_the_styles_of_real_images():
    # Two "styles" a classifier tells apart at once: dark and light images.
    rng = np.random.default_rng(0)
    styles = np.arange(64) % 2
    x = np.where(styles[:, None, None, None] == 0, -0.6, 0.6) + rng.uniform(-0.3, 0.3, (64, 28, 28, 1))
    gan = _can(num_styles=2, d_width=8, d_norm="layer")  # no batch-norm moving averages to lag behind
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5))
    before = gan.style_probabilities(x.astype("float32"))[np.arange(64), styles].mean()
    gan.fit(x.astype("float32"), styles, batch_size=16, epochs=3, verbose=0)
    after = gan.style_probabilities(x.astype("float32"))[np.arange(64), styles].mean()
    assert after > 0.9 > before


def test_can_needs_styles_in_range():  # constructor errors: tests/test_bad_inputs.py
    gan = _can()
    gan.compile()
    x = np.zeros((8, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match=r"CAN needs the style of each training image: fit\(images, styles\)"):
        gan.fit(x, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"styles must lie in \[0, 2\] \(num_styles=3\), got 0 to 3"):
        gan.fit(x, np.arange(8) % 4, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="CAN needs the style of each real image"):
        gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(8), verbose=0)


def test_training_data_labels_the_emoji_by_style():
    config = {"dataset": "emoji_styles_64", "model_args": {"num_styles": 2, "style_names": ["google", "openmoji_black"]}}
    images, styles = next(iter(models.CAN.training_data(config, batch_size=32, seed=0)))
    assert images.shape == (32, 64, 64, 3) and set(styles.numpy().tolist()) == {0, 1}
    # The line-art style (1) is the one with far less colour.
    rgb = images.numpy()
    saturation = (rgb.max(axis=-1) - rgb.min(axis=-1)).mean(axis=(1, 2))
    assert saturation[styles.numpy() == 1].mean() < saturation[styles.numpy() == 0].mean()


def test_kerasgan_train_runs_can_on_the_emoji_styles(tmp_path):
    config = {"architecture": "can", "dataset": "emoji_styles_64", "batch_size": 4, "seed": 0, "steps": 2,
              "model_args": {"num_styles": 4, "latent_dim": 8, "g_width": 4, "d_width": 4}}
    result = training.train(config, tmp_path / "run", verbose=0)
    gan = keras.models.load_model(result["model_path"])
    assert isinstance(gan, models.CAN) and gan.num_styles == 4
    assert gan.style_probabilities(gan.sample(3, seed=0)).shape == (3, 4)
