"""ProGAN (Karras, Aila, Laine & Lehtinen 2018): growing from 4x4 to the image size with fade-in.

Both networks are built at full size; layers that the current stage does not
use are bypassed. The schedule lives in the model: ``images_seen`` counts the
real images trained on, and every ``phase_images`` images the phase advances:
phase 0 trains 4x4; each later pair of phases first fades a new resolution in
(alpha rising linearly from 0 to 1) and then trains it stable, until the
image size is reached. ``images_seen`` is a model variable, so checkpoints and
``kerasgan train --resume`` continue in the right phase and alpha.

G: pixel-normalised z, an equalized dense layer to 4x4, then per doubling
nearest upsampling and two 3x3 equalized convs, each with LeakyReLU(0.2)
and pixel norm; a 1x1 toRGB at every resolution. The image of stage s is
``lerp(up(toRGB_{s-1}), toRGB_s, alpha)``, upsampled (nearest) to full size
so both networks always see one image shape. D mirrors it: fromRGB at every
resolution on the average-pooled input, blocks of two 3x3 convs and a 2x
average pooling, the fade between the new block and the fromRGB of the
resolution below, then minibatch stddev, a 3x3 conv, a 4x4 conv and a linear
logit. Recipe: WGAN-GP (lambda 10) with the drift term epsilon E[D(x)^2]
(epsilon 0.001), Adam(1e-3, beta_1=0, beta_2=0.99). As the other modern
generators here, a tanh keeps images in [-1, 1].
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.pixel_normalization import PixelNormalization
from kerasgan.models import common
from kerasgan.models.batch import logits_of
from kerasgan.models.gan import GAN
from kerasgan.models.options import adam_recipe
from kerasgan.models.registry import register_architecture
from kerasgan.models.sagan.sagan import _stages


class _Progressive(keras.layers.Layer):
    """A layer that reads the growing schedule: ``stage`` (0 = 4x4) and ``alpha`` (fade-in of that stage)."""

    def build(self, input_shape):
        self.stage = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False, name="stage")
        self.alpha = self.add_weight(shape=(), initializer="ones", trainable=False, name="alpha")
        self.built = True


@keras.saving.register_keras_serializable(package="kerasgan")
class ProgressiveOutput(_Progressive):
    """G's image: ``lerp(up(rgb[stage - 1]), up(rgb[stage]), alpha)`` from the toRGB outputs of every resolution."""

    def call(self, rgbs):
        side = int(rgbs[-1].shape[1])
        out = 0.0
        for k, rgb in enumerate(rgbs):
            factor = side // int(rgb.shape[1])
            up = rgb if factor == 1 else ops.repeat(ops.repeat(rgb, factor, axis=1), factor, axis=2)
            weight = ops.where(self.stage == k, self.alpha, ops.where(self.stage == k + 1, 1.0 - self.alpha, 0.0))
            if k == 0:
                weight = ops.where(self.stage == 0, 1.0, weight)
            out = out + ops.cast(weight, up.dtype) * up
        return out

    def compute_output_shape(self, input_shape):
        return input_shape[-1]


@keras.saving.register_keras_serializable(package="kerasgan")
class ProgressiveMerge(_Progressive):
    """D's fade at resolution index ``level``: the block's output where the stage is above ``level``, the fromRGB
    entry below it, and ``lerp(entry, block, alpha)`` at the stage that is fading ``level`` in."""

    def __init__(self, level, **kwargs):
        super().__init__(**kwargs)
        self.level = int(level)

    def call(self, inputs):
        block, entry = inputs
        w = ops.where(self.stage > self.level, 1.0, ops.where(self.stage == self.level, self.alpha, 0.0))
        w = ops.cast(w, block.dtype)
        return w * block + (1.0 - w) * entry

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "level": self.level}


def _lrelu_pn(x, name, pixel_norm=True):
    x = keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
    return PixelNormalization(name=f"{name}_pn")(x) if pixel_norm else x


def progan_generator(image_shape, latent_dim, width=16, seed=None):
    """z -> images; toRGB at every resolution merged by ``ProgressiveOutput``."""
    side, channels, blocks = _stages(image_shape, "ProGAN")
    filters = [int(width) * 2 ** (blocks - i) for i in range(blocks + 1)]
    s = (lambda k: None) if seed is None else (lambda k: seed + k)
    z = keras.Input((latent_dim,), name="z")
    x = PixelNormalization(name="normalize_z")(z)
    x = EqualizedDense(4 * 4 * filters[0], gain=np.sqrt(2.0) / 4, seed=s(0), name="project")(x)
    x = _lrelu_pn(keras.layers.Reshape((4, 4, filters[0]), name="reshape")(x), "project")
    x = _lrelu_pn(EqualizedConv2D(filters[0], 3, seed=s(1), name="4x4_conv")(x), "4x4_conv")
    rgbs = [EqualizedConv2D(channels, 1, gain=1.0, seed=s(2), name="4x4_torgb")(x)]
    for i in range(blocks):
        res = 4 * 2 ** (i + 1)
        x = keras.layers.UpSampling2D(2, name=f"{res}x{res}_up")(x)
        x = _lrelu_pn(EqualizedConv2D(filters[i + 1], 3, seed=s(10 * i + 10), name=f"{res}x{res}_conv0")(x), f"{res}x{res}_conv0")
        x = _lrelu_pn(EqualizedConv2D(filters[i + 1], 3, seed=s(10 * i + 11), name=f"{res}x{res}_conv1")(x), f"{res}x{res}_conv1")
        rgbs.append(EqualizedConv2D(channels, 1, gain=1.0, seed=s(10 * i + 12), name=f"{res}x{res}_torgb")(x))
    image = ProgressiveOutput(name="grow")(rgbs)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(image)
    return keras.Model(z, images, name="progan_generator")


def progan_discriminator(image_shape, width=16, mbstd_group=4, seed=None):
    """images -> logits (batch, 1), entering at the current stage's resolution."""
    side, channels, blocks = _stages(image_shape, "ProGAN")
    filters = [int(width) * 2 ** (blocks - i) for i in range(blocks + 1)]  # by resolution index, 4x4 first
    s = (lambda k: None) if seed is None else (lambda k: seed + 1000 + k)
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")

    def entry(level):
        res = 4 * 2**level
        x = images if res == side else keras.layers.AveragePooling2D(side // res, name=f"{res}x{res}_pool_input")(images)
        x = EqualizedConv2D(filters[level], 1, seed=s(10 * level), name=f"{res}x{res}_fromrgb")(x)
        return keras.layers.LeakyReLU(0.2, name=f"{res}x{res}_fromrgb_lrelu")(x)

    h = entry(blocks)
    for level in range(blocks, 0, -1):
        res = 4 * 2**level
        h = _lrelu_pn(EqualizedConv2D(filters[level], 3, seed=s(10 * level + 1), name=f"{res}x{res}_conv0")(h), f"{res}x{res}_conv0", False)
        h = _lrelu_pn(EqualizedConv2D(filters[level - 1], 3, seed=s(10 * level + 2), name=f"{res}x{res}_conv1")(h), f"{res}x{res}_conv1", False)
        h = keras.layers.AveragePooling2D(2, name=f"{res}x{res}_down")(h)
        h = ProgressiveMerge(level, name=f"{res}x{res}_fade")([h, entry(level - 1)])
    h = MinibatchStdDev(group_size=mbstd_group, name="mbstd")(h)
    h = _lrelu_pn(EqualizedConv2D(filters[0], 3, seed=s(900), name="4x4_conv")(h), "4x4_conv", False)
    h = keras.layers.Flatten(name="flatten")(h)
    h = _lrelu_pn(EqualizedDense(filters[0], seed=s(901), name="4x4_dense")(h), "4x4_dense", False)
    logits = EqualizedDense(1, gain=1.0, seed=s(902), name="logits")(h)
    return keras.Model(images, logits, name="progan_discriminator")


def schedule(images_seen, phase_images, blocks):
    """(stage, alpha) after ``images_seen`` images: phase 0 is 4x4; odd phases fade the next resolution in."""
    phase = images_seen // phase_images
    stage = min((phase + 1) // 2, blocks)
    fading = phase % 2 == 1 and (phase + 1) // 2 <= blocks
    alpha = (images_seen % phase_images) / phase_images if fading else 1.0
    return int(stage), float(alpha)


@register_architecture("progan")
@keras.saving.register_keras_serializable(package="kerasgan")
class ProGAN(GAN):
    """Progressive growing of GANs (Karras, Aila, Laine & Lehtinen, ICLR 2018).

    Args:
        image_shape: (S, S, C), S = 4 * 2**k (k >= 1), C in (1, 3).
        latent_dim: size of z (paper: 512).
        g_width, d_width: channels at the image side, doubling per halving.
        phase_images: real images per fade-in and per stable phase (paper: 800,000).
        drift: epsilon of the drift term epsilon * E[D(x)^2] on real logits (paper: 0.001).
        mbstd_group: minibatch stddev group size (paper: 4).

    ``stage``/``alpha`` (properties) say where the schedule is; ``images_seen``
    advances by the batch size each train step.

    Reference:
        Karras, Aila, Laine & Lehtinen, "Progressive Growing of GANs for
        Improved Quality, Stability, and Variation", ICLR 2018 (arXiv:1710.10196).
    """

    recipe = adam_recipe("wasserstein", g_lr=1e-3, d_lr=1e-3, beta_1=0.0, beta_2=0.99, batch_size=16, gradient_penalty=10.0)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

    def __init__(self, image_shape=(64, 64, 3), latent_dim=512, g_width=16, d_width=16, phase_images=800_000, drift=0.001,
                 mbstd_group=4, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        for name, value in (("latent_dim", latent_dim), ("g_width", g_width), ("d_width", d_width),
                            ("phase_images", phase_images), ("mbstd_group", mbstd_group)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not float(drift) >= 0:
            raise ValueError(f"drift must be >= 0, got {drift!r}")
        self.phase_images, self.drift = int(phase_images), float(drift)
        self._arch_config = {"image_shape": image_shape, "latent_dim": int(latent_dim), "g_width": int(g_width),
                             "d_width": int(d_width), "phase_images": self.phase_images, "drift": self.drift,
                             "mbstd_group": int(mbstd_group)}
        common.refuse_derived(type(self), kwargs)
        super().__init__(generator=progan_generator(image_shape, int(latent_dim), g_width, seed),
                         discriminator=progan_discriminator(image_shape, d_width, int(mbstd_group), seed),
                         latent_dim=int(latent_dim), seed=seed, **kwargs)
        self.blocks = _stages(image_shape, "ProGAN")[2]
        with common.unlocked(self):  # state added after GAN.__init__ built the model
            self.images_seen = keras.Variable(0, dtype="int64", trainable=False, name="images_seen", aggregation="only_first_replica")
        self._apply_schedule()

    def _progressive_layers(self):
        nets = [self.generator, self.discriminator] + ([self.ema_generator] if self.ema_generator is not None else [])
        return [layer for net in nets for layer in net.layers if isinstance(layer, _Progressive)]

    def _stage_alpha(self):
        """(stage, alpha) as tensors from ``images_seen`` (the schedule of ``schedule``)."""
        n = tf.cast(self.images_seen, tf.int64)
        phase_images = tf.constant(self.phase_images, tf.int64)
        phase = n // phase_images
        stage = tf.minimum((phase + 1) // 2, self.blocks)
        fading = tf.logical_and(tf.equal(phase % 2, 1), (phase + 1) // 2 <= self.blocks)
        alpha = tf.where(fading, tf.cast(n % phase_images, tf.float32) / float(self.phase_images), 1.0)
        return tf.cast(stage, tf.int32), alpha

    def _apply_schedule(self):
        stage, alpha = self._stage_alpha()
        for layer in self._progressive_layers():
            layer.stage.assign(stage)
            layer.alpha.assign(alpha)

    @property
    def stage(self):
        """Resolution index being trained (0: 4x4)."""
        return int(self._stage_alpha()[0])

    @property
    def alpha(self):
        """Fade-in of the current stage's resolution (1: stable)."""
        return float(self._stage_alpha()[1])

    def train_step(self, data):
        self._apply_schedule()
        logs = super().train_step(data)
        real = data[0] if isinstance(data, (tuple, list)) else data
        self.images_seen.assign_add(tf.cast(tf.shape(real)[0], tf.int64))
        return logs

    def load_weights(self, *args, **kwargs):
        out = super().load_weights(*args, **kwargs)
        self._apply_schedule()
        return out

    def compute_discriminator_penalty(self, batch):
        penalty = super().compute_discriminator_penalty(batch)
        if self.drift:
            real = tf.cast(logits_of(batch.real_output), tf.float32)
            penalty = penalty + self.drift * tf.reduce_mean(tf.square(real)) / common.num_replicas()
        return penalty
