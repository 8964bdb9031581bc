"""Modulated convolution with weight demodulation (Karras et al. 2020, StyleGAN2)."""

import math

import keras
from keras import ops

from kerasgan.layers.equalized import EqualizedDense


@keras.saving.register_keras_serializable(package="kerasgan")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's style-modulated 3x3 convolution, called on ``[x, w]``.

    With ``s = A(w)`` (an equalized dense layer whose bias starts at 1) and
    the equalized kernel ``W`` (``1 / sqrt(fan_in)`` run-time scale), each
    sample ``n`` is convolved with its own weights::

        W'_n[., ., i, o] = s_n[i] * W[., ., i, o]                          (modulation)
        W''_n[., ., i, o] = W'_n[., ., i, o] / sqrt(sum_{kh,kw,i} W'_n^2 + eps)   (demodulation)

    Computed in the equivalent non-fused form (section 2.2): scale the input
    channels by ``s_n``, convolve with ``W``, scale the output channels by the
    demodulation coefficients. Demodulation replaces AdaIN's instance
    normalization, which caused StyleGAN's droplet artefacts. Bias, noise
    and activation come after it, as separate layers.

    Args:
        filters: output channels.
        kernel_size: odd kernel size (3; 1 for the toRGB layers, which use
            ``demodulate=False``).
        demodulate: normalise each output channel's weights per sample.
        epsilon: added to the squared norm before the square root (1e-8).
        seed: seed of the kernel and the style layer.

    Reference:
        Karras, Laine, Aittala, Hellsten, Lehtinen & Aila, "Analyzing and
        Improving the Image Quality of StyleGAN", CVPR 2020 (arXiv:1912.04958).
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, epsilon=1e-8, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or int(filters) != filters or filters < 1:
            raise ValueError(f"ModulatedConv2D filters must be a positive integer, got {filters!r}")
        if isinstance(kernel_size, bool) or int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"ModulatedConv2D kernel_size must be a positive odd integer, got {kernel_size!r}")
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.epsilon = float(epsilon)
        self.seed = seed

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        if len(x_shape) != 4 or x_shape[-1] is None:
            raise ValueError(f"ModulatedConv2D needs x of shape (batch, H, W, C), got {tuple(x_shape)}")
        if len(w_shape) != 2 or w_shape[-1] is None:
            raise ValueError(f"ModulatedConv2D needs a style w of shape (batch, k), got {tuple(w_shape)}")
        channels = int(x_shape[-1])
        k = self.kernel_size
        self.kernel = self.add_weight(
            shape=(k, k, channels, self.filters), name="kernel",
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed),
        )
        self.scale = 1.0 / math.sqrt(k * k * channels)
        self.affine = EqualizedDense(channels, gain=1.0, bias_init=1.0, seed=None if self.seed is None else self.seed + 1,
                                     dtype=self.dtype_policy, name="affine")
        self.affine.build(w_shape)
        self.built = True

    def styles(self, w):
        """``s = A(w)``, (batch, input channels)."""
        return self.affine(w)

    def call(self, inputs):
        x, w = inputs
        s = ops.cast(self.styles(w), x.dtype)  # (N, C_in)
        kernel = ops.cast(self.kernel, x.dtype) * self.scale
        y = ops.conv(x * s[:, None, None, :], kernel, strides=1, padding="same")
        if self.demodulate:
            # sum over kh, kw, i of (s_n[i] W[kh, kw, i, o])^2 = (s_n^2) @ (sum_{kh,kw} W^2)
            w_sq = ops.sum(ops.square(ops.cast(kernel, "float32")), axis=(0, 1))  # (C_in, C_out)
            d = ops.rsqrt(ops.matmul(ops.square(ops.cast(s, "float32")), w_sq) + self.epsilon)  # (N, C_out)
            y = y * ops.cast(d, y.dtype)[:, None, None, :]
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "demodulate": self.demodulate, "epsilon": self.epsilon, "seed": self.seed}
