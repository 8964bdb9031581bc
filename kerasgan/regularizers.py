"""Gradient penalties for discriminators, as pure functions.

Each takes the discriminator as a callable ``images -> logits`` (conditional
models pass a lambda that closes over the labels) and returns a float32
scalar reduced with ``tf.nn.compute_average_loss`` (see ``kerasgan.losses``).
Both are differentiable w.r.t. the discriminator's weights (double backprop),
so they are added to the discriminator loss inside its gradient tape.
"""

import tensorflow as tf


def _per_sample_grad_sq_norm(discriminator, images):
    with tf.GradientTape() as tape:
        tape.watch(images)
        logits = tf.cast(discriminator(images), tf.float32)
        total = tf.reduce_sum(logits)
    grads = tf.cast(tape.gradient(total, images), tf.float32)
    axes = list(range(1, len(grads.shape)))
    return tf.reduce_sum(tf.square(grads), axis=axes)


def gradient_penalty(discriminator, real, fake, weight=10.0, alpha=None, seed=None, global_batch_size=None):
    """WGAN-GP penalty ``weight * E[(||grad D(x_hat)||_2 - 1)^2]``.

    ``x_hat = alpha * real + (1 - alpha) * fake`` with ``alpha ~ U(0, 1)``
    drawn per sample (not per pixel, and uniform, as in the paper).

    Args:
        discriminator: callable images -> logits (N,) or (N, 1).
        real, fake: image batches of the same shape.
        weight: lambda (paper: 10).
        alpha: optional (N,) interpolation weights (for exact tests).
        seed: optional int or (2,) seed for a reproducible alpha.
        global_batch_size: batch over all replicas (default: inferred).

    Returns:
        float32 scalar.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017, Algorithm 1.
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    n = tf.shape(real)[0]
    if alpha is None:
        if seed is None:
            alpha = tf.random.uniform([n])
        else:
            seed = tf.constant([seed, 0], tf.int64) if isinstance(seed, int) else seed
            alpha = tf.random.stateless_uniform([n], seed=seed)
    alpha = tf.reshape(tf.cast(alpha, tf.float32), [-1] + [1] * (len(real.shape) - 1))
    x_hat = alpha * real + (1.0 - alpha) * fake
    # sqrt has an infinite derivative at 0; the epsilon keeps the penalty's
    # gradient finite when a gradient norm is exactly zero.
    norm = tf.sqrt(_per_sample_grad_sq_norm(discriminator, x_hat) + 1e-12)
    penalty = float(weight) * tf.square(norm - 1.0)
    return tf.nn.compute_average_loss(penalty, global_batch_size=global_batch_size)


def r1_penalty(discriminator, real, gamma=10.0, global_batch_size=None):
    """R1 penalty ``gamma / 2 * E[||grad D(x)||^2]`` on real data.

    Reference:
        Mescheder, Geiger & Nowozin, "Which Training Methods for GANs do
        actually Converge?", ICML 2018, eq. 9.
    """
    real = tf.cast(real, tf.float32)
    penalty = 0.5 * float(gamma) * _per_sample_grad_sq_norm(discriminator, real)
    return tf.nn.compute_average_loss(penalty, global_batch_size=global_batch_size)
