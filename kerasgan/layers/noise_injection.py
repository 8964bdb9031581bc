"""Per-pixel noise scaled per channel (Karras et al. 2019, StyleGAN)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class NoiseInjection(keras.layers.Layer):
    """``y = x + weight * noise``: one N(0, 1) value per sample and position, a learned scale per channel.

    StyleGAN adds it after each convolution of the synthesis network (section
    3.2: stochastic detail such as hair placement). ``weight`` starts at 0, so
    the layer starts as the identity. In training, without ``noise``, the
    layer draws fresh noise at every call from its seed generator; at
    inference it adds a fixed noise map drawn once from ``seed`` (StyleGAN2's
    ``noise_mode="const"``), so a model's samples depend on their latents
    alone. Pass ``noise`` (batch, H, W, 1) to choose it yourself (e.g.
    ``training=True`` semantics at inference, or to vary only the noise).

    Args:
        seed: seed of the noise generator and of the fixed inference map.

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
        if input_shape[1] is None or input_shape[2] is None:
            raise ValueError(f"NoiseInjection needs a known H and W (for its fixed inference noise), got shape {tuple(input_shape)}")
        self.fixed_noise = self.add_weight(
            shape=(1, int(input_shape[1]), int(input_shape[2]), 1), trainable=False, name="fixed_noise",
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed),
        )
        self.built = True

    def call(self, x, noise=None, training=None):
        if noise is None and training:
            shape = ops.shape(x)
            noise = keras.random.normal((shape[0], shape[1], shape[2], 1), seed=self.seed_generator, dtype=x.dtype)
        elif noise is None:
            noise = ops.cast(self.fixed_noise, x.dtype)
        else:
            noise = ops.cast(noise, x.dtype)
            if noise.shape[-1] not in (None, 1):
                raise ValueError(f"NoiseInjection noise must be (batch, H, W, 1), got shape {tuple(noise.shape)}")
        return x + ops.cast(self.weight, x.dtype) * noise

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
