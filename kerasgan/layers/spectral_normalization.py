"""Spectrally normalized Dense and Conv2D layers (Miyato et al. 2018)."""

import keras
from keras import ops


class _SpectralNormMixin:
    """Shared power iteration: ``W_SN = W / sigma(W)`` with ``sigma`` estimated from ``u``.

    Unlike ``keras.layers.SpectralNormalization`` (which overwrites the
    wrapped layer's kernel with ``W / sigma`` at every training call and so
    passes no gradient through ``sigma``), the kernel variable here stays the
    unnormalized ``W`` and the normalized kernel is computed in the forward
    pass, so gradients flow through ``sigma(W)`` with ``u`` and ``v`` held
    constant, as in the paper (eq. 12).
    """

    def _add_u(self, out_dim):
        self.u = self.add_weight(
            name="u",
            shape=(1, out_dim),
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self._u_seed),
            trainable=False,
            aggregation="only_first_replica",
        )

    def normalized_kernel(self, training=False):
        """``(W / sigma, sigma)``; in training the power-iteration vector ``u`` is updated."""
        w = ops.reshape(self.kernel, (-1, self.kernel.shape[-1]))
        u = ops.convert_to_tensor(self.u)
        for _ in range(self.power_iterations):
            v = _l2_normalize(ops.matmul(u, ops.transpose(w)))
            u = _l2_normalize(ops.matmul(v, w))
        u = ops.stop_gradient(u)
        v = ops.stop_gradient(v)
        sigma = ops.sum(ops.matmul(v, w) * u)
        if training:
            self.u.assign(u)
        return self.kernel / sigma, sigma


def _l2_normalize(x, eps=1e-12):
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x)), eps))


@keras.saving.register_keras_serializable(package="kerasgan")
class SNDense(_SpectralNormMixin, keras.layers.Layer):
    """A Dense layer whose kernel is divided by its largest singular value.

    Args:
        units: output size.
        use_bias: add a bias.
        power_iterations: power iterations per training step (paper: 1).
        kernel_initializer: initializer of the unnormalized kernel.
        seed: seed of the initial ``u``.

    Example:
    >>> layer = SNDense(1)
    >>> layer(np.ones((2, 8))).shape
    (2, 1)

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """

    def __init__(self, units, use_bias=True, power_iterations=1, kernel_initializer="glorot_uniform", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.use_bias = bool(use_bias)
        self.power_iterations = _check_iterations(power_iterations)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self._u_seed = seed

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros") if self.use_bias else None
        self._add_u(self.units)

    def call(self, inputs, training=False):
        kernel, _ = self.normalized_kernel(training)
        out = ops.matmul(inputs, ops.cast(kernel, inputs.dtype))
        return out + ops.cast(self.bias, out.dtype) if self.use_bias else out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            "power_iterations": self.power_iterations,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "seed": self._u_seed,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class SNConv2D(_SpectralNormMixin, keras.layers.Layer):
    """A Conv2D layer whose kernel (reshaped to ``(kh*kw*cin, cout)``) is divided by its largest singular value.

    Args:
        filters, kernel_size, strides, padding, use_bias: as ``keras.layers.Conv2D``.
        power_iterations: power iterations per training step (paper: 1).
        kernel_initializer: initializer of the unnormalized kernel.
        seed: seed of the initial ``u``.

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018 (the kernel is reshaped to a matrix as in
        section 3 of the paper).
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", use_bias=True, power_iterations=1,
                 kernel_initializer="glorot_uniform", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size)
        self.strides = _pair(strides)
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.use_bias = bool(use_bias)
        self.power_iterations = _check_iterations(power_iterations)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self._u_seed = seed

    def build(self, input_shape):
        shape = self.kernel_size + (input_shape[-1], self.filters)
        self.kernel = self.add_weight(name="kernel", shape=shape, initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None
        self._add_u(self.filters)

    def call(self, inputs, training=False):
        kernel, _ = self.normalized_kernel(training)
        out = ops.conv(inputs, ops.cast(kernel, inputs.dtype), strides=self.strides, padding=self.padding)
        return out + ops.cast(self.bias, out.dtype) if self.use_bias else out

    def compute_output_shape(self, input_shape):
        return keras.layers.Conv2D(
            self.filters, self.kernel_size, strides=self.strides, padding=self.padding
        ).compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "use_bias": self.use_bias,
            "power_iterations": self.power_iterations,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "seed": self._u_seed,
        }


def _pair(value):
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"expected an int or a pair of ints, got {value!r}")
    return value


def _check_iterations(value):
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"power_iterations must be a positive integer, got {value!r}")
    return int(value)
