"""Losses against hand-computed values (TF-GAN conventions) and their defining properties."""

import math

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses

REAL = np.array([-2.0, -0.5, 0.5, 3.0], "float32")
FAKE = np.array([1.0, -1.0, 0.0, -3.0], "float32")


def softplus(x):
    return np.log1p(np.exp(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def bce(logit, target):
    p = sigmoid(np.asarray(logit, "float64"))
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


def value(t):
    return float(np.asarray(t))


def test_minimax_discriminator_loss_by_hand():
    expected = np.mean(bce(REAL, 1.0)) + np.mean(bce(FAKE, 0.0))
    assert value(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=0.0)) == pytest.approx(expected, rel=1e-6)
    # TF-GAN default smoothing 0.25: the real target becomes 1 - 0.125
    smoothed = np.mean(bce(REAL, 0.875)) + np.mean(bce(FAKE, 0.0))
    assert value(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(smoothed, rel=1e-6)


def test_minimax_generator_loss_is_log_one_minus_d_and_tfgan_differs_by_a_constant():
    expected = np.mean(np.log(1 - sigmoid(FAKE.astype("float64"))))
    ours = value(losses.minimax_generator_loss(FAKE))
    assert ours == pytest.approx(expected, rel=1e-6)
    # TF-GAN: -minimax_discriminator_loss(ones_like(fake), fake, label_smoothing=0)
    tfgan = -(np.mean(bce(np.ones(4), 1.0)) + np.mean(bce(FAKE, 0.0)))
    assert tfgan - ours == pytest.approx(-softplus(-1.0), rel=1e-6)


def test_modified_and_maximum_likelihood_generator_losses():
    assert value(losses.modified_generator_loss(FAKE)) == pytest.approx(np.mean(softplus(-FAKE.astype("float64"))), rel=1e-6)
    assert value(losses.modified_generator_loss(FAKE, label_smoothing=0.2)) == pytest.approx(np.mean(bce(FAKE, 0.9)), rel=1e-6)
    # -1/2 E exp(sigma^-1(D)) and sigma^-1(D) is the logit
    assert value(losses.maximum_likelihood_generator_loss(FAKE)) == pytest.approx(-0.5 * np.mean(np.exp(FAKE.astype("float64"))), rel=1e-6)


def test_score_based_losses_by_hand():
    assert value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(FAKE.mean() - REAL.mean(), rel=1e-6)
    assert value(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)
    ls_d = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE**2)
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(ls_d, rel=1e-6)
    assert value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(0.5 * np.mean((FAKE - 1) ** 2), rel=1e-6)
    # LSGAN with a=-1, b=1, c=0 (Mao et al.'s first choice)
    ls_abc = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean((FAKE + 1) ** 2)
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE, real_label=1.0, fake_label=-1.0)) == pytest.approx(ls_abc, rel=1e-6)
    assert value(losses.least_squares_generator_loss(FAKE, real_label=0.0)) == pytest.approx(0.5 * np.mean(FAKE**2), rel=1e-6)
    hinge_d = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
    assert value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(hinge_d, rel=1e-6)
    assert value(losses.hinge_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_minimax_saturates_where_modified_does_not():
    # When D confidently rejects fakes (very negative logits), the minimax
    # generator gradient vanishes and the modified one does not (Goodfellow 2014, sec. 3).
    logits = tf.Variable([-8.0, -6.0])
    with tf.GradientTape(persistent=True) as tape:
        saturating = losses.minimax_generator_loss(logits)
        modified = losses.modified_generator_loss(logits)
    g_sat = tape.gradient(saturating, logits).numpy()
    g_mod = tape.gradient(modified, logits).numpy()
    assert np.all(np.abs(g_sat) < 2e-3)
    assert np.all(np.abs(g_mod) > 0.49)
    # both push the fake logits up (minimising the loss increases D(G(z)))
    assert np.all(g_sat < 0) and np.all(g_mod < 0)


def test_shapes_and_dtypes():
    a = losses.minimax_discriminator_loss(REAL[:, None], FAKE[:, None])
    b = losses.minimax_discriminator_loss(REAL, FAKE)
    assert value(a) == pytest.approx(value(b), rel=1e-7)
    out = losses.hinge_discriminator_loss(tf.constant(REAL, tf.bfloat16), tf.constant(FAKE, tf.bfloat16))
    assert out.dtype == tf.float32 and out.shape == ()


def test_registry_get_serialize_round_trip():
    assert losses.get("modified", "generator") is losses.modified_generator_loss
    assert losses.get("non_saturating", "generator") is losses.modified_generator_loss
    assert losses.get("hinge", "discriminator") is losses.hinge_discriminator_loss
    assert losses.get("wasserstein_generator_loss", "generator") is losses.wasserstein_generator_loss
    for name, (d_fn, g_fn) in losses.LOSS_PAIRS.items():
        for fn in (d_fn, g_fn):
            assert losses.deserialize(losses.serialize(fn)) is fn
    assert losses.outputs_are_probabilities(losses.minimax_discriminator_loss)
    assert not losses.outputs_are_probabilities(losses.hinge_discriminator_loss)
    with pytest.raises(ValueError, match="did you mean hinge"):
        losses.get("hinj", "discriminator")
    with pytest.raises(ValueError, match="unknown generator loss"):
        losses.get("hinge_discriminator_loss", "generator")


def test_global_batch_size_scales_for_replicas():
    # Each replica's loss is its share of the global mean.
    full = value(losses.wasserstein_generator_loss(FAKE))
    half = value(losses.wasserstein_generator_loss(FAKE[:2], global_batch_size=4))
    other = value(losses.wasserstein_generator_loss(FAKE[2:], global_batch_size=4))
    assert half + other == pytest.approx(full, rel=1e-6)
    assert math.isclose(half, -FAKE[:2].sum() / 4, rel_tol=1e-6)
