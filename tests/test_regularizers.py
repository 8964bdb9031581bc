"""Gradient penalties on critics whose gradients are known in closed form."""

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import regularizers

W = np.array([[0.3, -1.2], [2.0, 0.5]], "float32")  # ||W|| = sqrt(5.78)


def linear_critic(w, b=0.7):
    return lambda x: tf.reduce_sum(x * w, axis=[1, 2]) + b


def test_gradient_penalty_of_a_linear_critic_is_exact():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(5, 2, 2)).astype("float32")
    fake = rng.normal(size=(5, 2, 2)).astype("float32")
    expected = 10.0 * (np.linalg.norm(W) - 1.0) ** 2
    for alpha in (None, np.zeros(5), np.linspace(0, 1, 5)):
        gp = regularizers.gradient_penalty(linear_critic(W), real, fake, alpha=alpha)
        assert float(gp) == pytest.approx(expected, rel=1e-5)


def test_gradient_penalty_gradient_matches_analytic():
    w = tf.Variable(W)
    real = tf.ones((3, 2, 2))
    fake = tf.zeros((3, 2, 2))
    with tf.GradientTape() as tape:
        gp = regularizers.gradient_penalty(linear_critic(w), real, fake, weight=2.0)
    grad = tape.gradient(gp, w).numpy()
    norm = np.linalg.norm(W)
    analytic = 2.0 * 2.0 * (norm - 1.0) * W / norm
    np.testing.assert_allclose(grad, analytic, rtol=1e-4)


def test_alpha_is_uniform_per_sample_and_seeded():
    seen = []

    def critic(x):
        seen.append(x)
        return tf.reduce_sum(x, axis=[1, 2, 3])

    real = tf.ones((64, 3, 3, 1))
    fake = tf.zeros((64, 3, 3, 1))
    regularizers.gradient_penalty(critic, real, fake, seed=3)
    x_hat = seen[-1].numpy()
    alpha = x_hat[:, 0, 0, 0]
    assert np.all(x_hat == alpha[:, None, None, None])  # one alpha per sample
    assert 0.0 <= alpha.min() and alpha.max() < 1.0 and alpha.std() > 0.2
    regularizers.gradient_penalty(critic, real, fake, seed=3)
    np.testing.assert_array_equal(seen[-1].numpy(), x_hat)


def test_r1_penalty_of_a_linear_critic():
    real = np.random.default_rng(1).normal(size=(4, 2, 2)).astype("float32")
    r1 = regularizers.r1_penalty(linear_critic(W), real, gamma=4.0)
    assert float(r1) == pytest.approx(0.5 * 4.0 * np.sum(W**2), rel=1e-5)
