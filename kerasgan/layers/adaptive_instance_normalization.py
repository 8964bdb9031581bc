"""Adaptive instance normalization driven by a style vector (Huang & Belongie 2017; Karras et al. 2019)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class AdaptiveInstanceNormalization(keras.layers.Layer):
    """``AdaIN(x, w) = scale(w) * (x - mean(x)) / std(x) + bias(w)``, statistics per sample and channel.

    Call it on ``[x, w]`` with ``x`` (batch, H, W, C) and ``w`` (batch, k).
    ``(scale, bias)`` is StyleGAN's learned affine transform "A" of ``w``, a
    dense layer to ``2 C`` values whose scale half has bias 1 (and the bias
    half bias 0), so an untrained layer is close to plain instance
    normalization. The mean and standard deviation of ``x`` run over H and W.

    Args:
        epsilon: added to the variance (StyleGAN: 1e-8).
        seed: seed of the affine kernel's initialiser.

    References:
        Huang & Belongie, "Arbitrary Style Transfer in Real-time with Adaptive
        Instance Normalization", ICCV 2017; Karras, Laine & Aila, "A
        Style-Based Generator Architecture for Generative Adversarial
        Networks", CVPR 2019 (arXiv:1812.04948).
    """

    def __init__(self, epsilon=1e-8, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not float(epsilon) > 0:
            raise ValueError(f"AdaptiveInstanceNormalization epsilon must be > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)
        self.seed = seed

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        if len(x_shape) != 4 or x_shape[-1] is None:
            raise ValueError(f"AdaptiveInstanceNormalization needs x of shape (batch, H, W, C), got {tuple(x_shape)}")
        if len(w_shape) != 2 or w_shape[-1] is None:
            raise ValueError(f"AdaptiveInstanceNormalization needs a style w of shape (batch, k), got {tuple(w_shape)}")
        self.channels = int(x_shape[-1])
        self.kernel = self.add_weight(
            shape=(int(w_shape[-1]), 2 * self.channels), initializer=keras.initializers.GlorotUniform(seed=self.seed), name="kernel"
        )
        self.bias = self.add_weight(
            shape=(2 * self.channels,),
            initializer=keras.initializers.Constant([1.0] * self.channels + [0.0] * self.channels),
            name="bias",
        )
        self.built = True

    def style(self, w):
        """``(scale, bias)``, each (batch, C): the affine transform of ``w``."""
        styles = ops.matmul(ops.cast(w, self.compute_dtype), ops.cast(self.kernel, self.compute_dtype))
        styles = styles + ops.cast(self.bias, self.compute_dtype)
        return styles[:, : self.channels], styles[:, self.channels :]

    def call(self, inputs):
        x, w = inputs
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        var = ops.mean(ops.square(x - mean), axis=(1, 2), keepdims=True)
        x_hat = (x - mean) * ops.rsqrt(var + self.epsilon)
        scale, bias = self.style(w)
        return ops.cast(scale, x.dtype)[:, None, None, :] * x_hat + ops.cast(bias, x.dtype)[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon, "seed": self.seed}
