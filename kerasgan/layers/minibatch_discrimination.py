"""Minibatch discrimination (Salimans et al. 2016, section 3.2)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends to each example features measuring its closeness to the rest of the batch.

    With input features ``x`` of shape ``(n, A)`` and a learned tensor ``T``
    of shape ``(A, num_kernels * kernel_dim)``, ``M = x @ T`` is viewed as
    ``(n, num_kernels, kernel_dim)`` and, for each kernel ``b``::

        c_b(x_i, x_j) = exp(-||M[i, b] - M[j, b]||_1)
        o(x_i)_b      = sum over j = 1..n of c_b(x_i, x_j)

    The output is ``concat([x, o])`` of shape ``(n, A + num_kernels)``.

    The sum runs over every ``j`` including ``j = i``, as in the paper's
    formula (section 3.2); the term ``j = i`` is always ``exp(0) = 1``, so
    ``include_self=False`` (the paper's wording "to all other samples")
    gives the same features minus one. A batch of identical examples gives
    the largest possible value, ``n`` (or ``n - 1``) per kernel, which is
    what lets the discriminator notice a collapsed generator.

    The features couple the examples of one call, so call the discriminator
    on real and generated batches separately, as the paper does (and as
    ``kerasgan.models.GAN`` does); under ``tf.distribute`` the batch is the
    per-replica batch. Memory is ``O(n^2 * num_kernels * kernel_dim)``.

    Args:
        num_kernels: number of minibatch features ``B`` appended per example.
        kernel_dim: dimension ``C`` of each kernel's projection.
        include_self: whether ``o`` counts the ``j = i`` term (constant 1).
        kernel_initializer: initializer of ``T``; a small normal by default
            so that distances start of order one rather than saturating
            ``exp``.

    Example:
    >>> layer = MinibatchDiscrimination(num_kernels=100, kernel_dim=5)
    >>> layer(keras.ops.zeros((8, 64))).shape
    (8, 164)

    Reference:
        Salimans et al., "Improved Techniques for Training GANs",
        NeurIPS 2016, section 3.2.
    """

    def __init__(
        self,
        num_kernels=100,
        kernel_dim=5,
        include_self=True,
        kernel_initializer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(num_kernels) <= 0 or int(kernel_dim) <= 0:
            raise ValueError(
                "MinibatchDiscrimination needs positive num_kernels and kernel_dim, "
                f"got num_kernels={num_kernels}, kernel_dim={kernel_dim}"
            )
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.include_self = bool(include_self)
        if kernel_initializer is None:
            kernel_initializer = keras.initializers.RandomNormal(stddev=0.05)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination expects (batch, features) inputs with a known "
                f"feature size; flatten first. Got {input_shape}"
            )
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=self.kernel_initializer,
            name="kernel",
        )

    def call(self, inputs):
        m = ops.matmul(inputs, self.kernel)
        m = ops.reshape(m, (-1, self.num_kernels, self.kernel_dim))
        # (n, 1, B, C) - (1, n, B, C) -> L1 over C -> (n, n, B)
        distances = ops.sum(ops.abs(m[:, None] - m[None, :]), axis=-1)
        o = ops.sum(ops.exp(-distances), axis=1)
        if not self.include_self:
            o = o - 1.0
        return ops.concatenate([inputs, ops.cast(o, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        features = None if input_shape[-1] is None else input_shape[-1] + self.num_kernels
        return (input_shape[0], features)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_kernels=self.num_kernels,
            kernel_dim=self.kernel_dim,
            include_self=self.include_self,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
        )
        return config
