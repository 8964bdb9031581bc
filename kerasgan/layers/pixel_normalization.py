"""Pixelwise feature-vector normalization (Karras et al. 2018, ProGAN)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class PixelNormalization(keras.layers.Layer):
    """``y = x / sqrt(mean_c(x^2) + epsilon)``: each position's feature vector to unit root mean square.

    ProGAN applies it after every convolution of the generator (section 4.2)
    instead of batch norm, to keep signal magnitudes from escalating. It has
    no weights; the mean runs over the last (channel) axis, so it also
    normalises latent vectors (batch, features).

    Args:
        epsilon: added under the square root (paper: 1e-8).

    Reference:
        Karras, Aila, Laine & Lehtinen, "Progressive Growing of GANs for
        Improved Quality, Stability, and Variation", ICLR 2018 (arXiv:1710.10196).
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if not float(epsilon) > 0:
            raise ValueError(f"PixelNormalization epsilon must be > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
