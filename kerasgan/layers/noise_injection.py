"""Per-pixel noise scaled per channel (Karras et al. 2019, StyleGAN)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class NoiseInjection(keras.layers.Layer):
    """``y = x + weight * noise``: one N(0, 1) value per sample and position, a learned scale per channel.

    StyleGAN adds it after each convolution of the synthesis network (section
    3.2: stochastic detail such as hair placement). ``weight`` starts at 0, so
    the layer starts as the identity. Without ``noise`` the layer draws fresh
    noise at every call from its seed generator; pass ``noise`` (batch, H, W, 1)
    to fix it (e.g. to vary only the style, or to export a deterministic
    function).

    Args:
        seed: seed of the noise generator.

    Reference:
        Karras, Laine & Aila, "A Style-Based Generator Architecture for
        Generative Adversarial Networks", CVPR 2019 (arXiv:1812.04948).
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"NoiseInjection needs (batch, H, W, C) inputs with known C, got shape {tuple(input_shape)}")
        self.weight = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros", name="weight")
        self.built = True

    def call(self, x, noise=None):
        if noise is None:
            shape = ops.shape(x)
            noise = keras.random.normal((shape[0], shape[1], shape[2], 1), seed=self.seed_generator, dtype=x.dtype)
        else:
            noise = ops.cast(noise, x.dtype)
            if noise.shape[-1] not in (None, 1):
                raise ValueError(f"NoiseInjection noise must be (batch, H, W, 1), got shape {tuple(noise.shape)}")
        return x + ops.cast(self.weight, x.dtype) * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
