"""Equalized learning rate dense and convolution layers (Karras et al. 2018; 2019)."""

import math

import keras
from keras import ops


def _check(gain, lr_multiplier):
    if not float(gain) > 0:
        raise ValueError(f"gain must be > 0, got {gain!r}")
    if not float(lr_multiplier) > 0:
        raise ValueError(f"lr_multiplier must be > 0, got {lr_multiplier!r}")


class _Equalized(keras.layers.Layer):
    """Weights stored as N(0, 1 / lr_multiplier) and scaled at run time by ``gain / sqrt(fan_in) * lr_multiplier``.

    ProGAN's "equalized learning rate" (section 4.1): with the He constant
    applied in the forward pass instead of at initialisation, Adam's
    scale-invariant updates change every layer at the same relative speed.
    StyleGAN's mapping network adds ``lr_multiplier`` (0.01): the stored
    weights are larger by 1 / lr_multiplier and the run-time scale smaller by
    it, so gradient steps move the effective weights lr_multiplier times as
    fast. Biases are stored divided by lr_multiplier and multiplied back in
    the forward pass, so ``bias_init`` is the effective initial bias.
    """

    def __init__(self, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, bias_init=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check(gain, lr_multiplier)
        self.gain = float(gain)
        self.lr_multiplier = float(lr_multiplier)
        self.use_bias = bool(use_bias)
        self.bias_init = float(bias_init)
        self.seed = seed

    def _add_weights(self, kernel_shape, fan_in, units):
        self.kernel = self.add_weight(
            shape=kernel_shape, name="kernel",
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier, seed=self.seed),
        )
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(units,), name="bias", initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier)
            )

    def effective_kernel(self):
        """The kernel the layer applies: stored kernel times the run-time scale."""
        return ops.cast(self.kernel, self.compute_dtype) * self.scale

    def _add_bias(self, y):
        if not self.use_bias:
            return y
        return y + ops.cast(self.bias, y.dtype) * self.lr_multiplier

    def get_config(self):
        return {**super().get_config(), "gain": self.gain, "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias, "bias_init": self.bias_init, "seed": self.seed}


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedDense(_Equalized):
    """Dense layer with ProGAN's equalized learning rate: ``y = x @ (W * gain / sqrt(fan_in) * lrmul) + b * lrmul``.

    Args:
        units: output features.
        gain: the He constant (sqrt(2) for leaky/ReLU layers, 1 for linear ones).
        lr_multiplier: StyleGAN's learning-rate multiplier (0.01 in its mapping network).
        use_bias: add a bias.
        bias_init: the effective bias at initialisation (1 for StyleGAN's style scales).
        seed: seed of the N(0, 1) kernel initialiser.

    References:
        Karras et al., "Progressive Growing of GANs", ICLR 2018 (arXiv:1710.10196);
        Karras, Laine & Aila, "A Style-Based Generator Architecture for GANs", CVPR 2019.
    """

    def __init__(self, units, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, bias_init=0.0, seed=None, **kwargs):
        super().__init__(gain, lr_multiplier, use_bias, bias_init, seed, **kwargs)
        if isinstance(units, bool) or int(units) != units or units < 1:
            raise ValueError(f"EqualizedDense units must be a positive integer, got {units!r}")
        self.units = int(units)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"EqualizedDense needs a known last axis, got shape {tuple(input_shape)}")
        fan_in = int(input_shape[-1])
        self._add_weights((fan_in, self.units), fan_in, self.units)
        self.built = True

    def call(self, x):
        return self._add_bias(ops.matmul(ops.cast(x, self.compute_dtype), self.effective_kernel()))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="kerasgan")
class EqualizedConv2D(_Equalized):
    """Conv2D (stride 1, ``same`` padding) with ProGAN's equalized learning rate.

    ``fan_in = kernel_size^2 * input channels``; otherwise as ``EqualizedDense``.
    Resampling is left to ``Resample2D`` (blurred up/down-sampling).

    Args:
        filters: output channels.
        kernel_size: odd square kernel size (3 or 1 in ProGAN/StyleGAN).
        gain, lr_multiplier, use_bias, bias_init, seed: as ``EqualizedDense``.
    """

    def __init__(self, filters, kernel_size=3, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, bias_init=0.0, seed=None,
                 **kwargs):
        super().__init__(gain, lr_multiplier, use_bias, bias_init, seed, **kwargs)
        if isinstance(filters, bool) or int(filters) != filters or filters < 1:
            raise ValueError(f"EqualizedConv2D filters must be a positive integer, got {filters!r}")
        if isinstance(kernel_size, bool) or int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"EqualizedConv2D kernel_size must be a positive odd integer, got {kernel_size!r}")
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"EqualizedConv2D needs (batch, H, W, C) inputs with known C, got shape {tuple(input_shape)}")
        channels = int(input_shape[-1])
        k = self.kernel_size
        self._add_weights((k, k, channels, self.filters), k * k * channels, self.filters)
        self.built = True

    def call(self, x):
        y = ops.conv(ops.cast(x, self.compute_dtype), self.effective_kernel(), strides=1, padding="same")
        return self._add_bias(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}
