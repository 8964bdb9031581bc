"""Gradient penalties for discriminators (pure functions) and historical averaging.

Each penalty takes the discriminator as a callable ``images -> logits`` (conditional
models pass a lambda that closes over the labels) and returns a float32
scalar reduced with ``tf.nn.compute_average_loss`` (see ``kerasgan.losses``).
Both are differentiable w.r.t. the discriminator's weights (double backprop),
so they are added to the discriminator loss inside its gradient tape.
``HistoricalAverage`` holds the running mean of a network's weights.
"""

import keras
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


class HistoricalAverage(keras.layers.Layer):
    """Historical averaging of a network's weights (Salimans et al. 2016, 3.3).

    Keeps the running mean ``mean_t = (1/t) sum_{i=1}^t theta[i]`` of the
    values ``theta[1..t]`` that ``update_pairs`` recorded (one per optimizer
    step of the player), and ``penalty(variables)`` returns

        weight * sum_j || theta_j - mean_j ||^2

    with the mean held constant (0 before the first record). The averages and
    the count ``t`` are non-trainable float32 weights, so they are saved and
    restored with the model.

    Args:
        variables: the variables to average (a network's trainable weights),
            in the order later passed to ``penalty`` and ``update_pairs``.
        weight: the penalty weight (the paper gives none; larger values
            hold the weights closer to their history).

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016,
        Section 3.3.
    """

    def __init__(self, variables, weight, **kwargs):
        super().__init__(trainable=False, **kwargs)
        if isinstance(weight, bool) or not weight > 0:
            raise ValueError(f"historical averaging weight must be a positive number, got {weight!r}")
        self.penalty_weight = float(weight)
        self.averages = [
            self.add_weight(shape=tuple(v.shape), initializer="zeros", dtype="float32", trainable=False, name=f"average_{i}")
            for i, v in enumerate(variables)
        ]
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="float32", trainable=False, name="count")
        self.built = True

    def _check(self, variables):
        if len(variables) != len(self.averages):
            raise ValueError(f"historical averaging tracks {len(self.averages)} variables, got {len(variables)}")

    def penalty(self, variables):
        self._check(variables)
        squares = [
            tf.reduce_sum(tf.square(tf.cast(v, tf.float32) - tf.stop_gradient(tf.convert_to_tensor(a))))
            for v, a in zip(variables, self.averages)
        ]
        has_history = tf.cast(tf.convert_to_tensor(self.count) > 0, tf.float32)
        return self.penalty_weight * has_history * tf.add_n(squares)

    def update_pairs(self, variables):
        """``(variable, new value)`` pairs that add the current ``variables`` to the mean."""
        self._check(variables)
        t = tf.convert_to_tensor(self.count) + 1.0
        pairs = [
            (a, tf.convert_to_tensor(a) + (tf.cast(v, tf.float32) - tf.convert_to_tensor(a)) / t)
            for a, v in zip(self.averages, variables)
        ]
        pairs.append((self.count, t))
        return pairs
