"""SRGAN (Ledig et al. 2017): photo-realistic single-image super-resolution with a GAN.

G is SRResNet: a 9x9 conv, ``blocks`` residual blocks (conv-BN-PReLU-conv-BN
plus skip), a long skip over them, then log2(scale) sub-pixel upsampling
blocks (conv to 4x channels, ``PixelShuffle(2)``, PReLU) and a 9x9 conv to
the image (tanh: outputs in [-1, 1]). It is fully convolutional: a model
trained on 16x16 -> 64x64 upscales images of any size.

D is the paper's VGG-style classifier on high-resolution images: eight 3x3
convs (64 to 512 feature maps, stride 2 every second layer, BN and leaky
ReLU 0.2), a 1024-unit dense layer and one logit.

Training has two phases, kept in the model so a resumed run continues in the
right one: the first ``pretrain_steps`` generator steps train SRResNet alone
on the pixel MSE (the paper's PSNR-oriented SRResNet, which also initialises
SRGAN), D untouched; afterwards G minimises the perceptual loss

    pixel_weight * MSE(pixels) + feature_weight * MSE(features) + adversarial_weight * l_adv

and D the GAN loss on real high-resolution images against G's outputs. The
paper's content network is VGG19 (its ``phi_5,4`` layer); this package ships
no VGG, so the features are those of the FID Inception network's stem
(``kerasgan.metrics.inception.inception_stem``, layer ``conv_4`` =
``Conv2d_4a_3x3`` after ReLU: 192 channels at about 1/5 of the resolution),
run on the images at their own size with the FID's weights, frozen.
"""

import math

import numpy as np
import tensorflow as tf

import keras

from kerasgan.layers.pixel_shuffle import PixelShuffle
from kerasgan.models import common
from kerasgan.models.batch import GANBatch
from kerasgan.models.registry import register_architecture
from kerasgan.models.translation import TranslationGAN


def _prelu(name):
    return keras.layers.PReLU(shared_axes=[1, 2], name=name)


def srresnet_generator(channels=3, scale=4, width=64, blocks=16):
    """SRResNet on ``(None, None, channels)`` images: (N, h, w, C) -> (N, h * scale, w * scale, C) in [-1, 1].

    Args:
        scale: a power of two >= 2 (one sub-pixel block per factor 2).
        width: feature maps of the body (paper: 64).
        blocks: residual blocks (paper: 16).
    """
    scale = int(scale)
    if scale < 2 or scale & (scale - 1):
        raise ValueError(f"scale must be a power of two >= 2 (one sub-pixel block per factor 2), got {scale}")
    low = keras.Input((None, None, int(channels)), name="low_resolution")
    x = keras.layers.Conv2D(width, 9, padding="same", name="head")(low)
    x = head = _prelu("head_prelu")(x)
    for b in range(int(blocks)):
        y = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{b}_conv1")(x)
        y = keras.layers.BatchNormalization(name=f"block{b}_bn1")(y)
        y = _prelu(f"block{b}_prelu")(y)
        y = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{b}_conv2")(y)
        y = keras.layers.BatchNormalization(name=f"block{b}_bn2")(y)
        x = keras.layers.Add(name=f"block{b}_skip")([x, y])
    x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name="body_conv")(x)
    x = keras.layers.BatchNormalization(name="body_bn")(x)
    x = keras.layers.Add(name="body_skip")([head, x])
    for u in range(int(math.log2(scale))):
        x = keras.layers.Conv2D(width * 4, 3, padding="same", name=f"up{u}_conv")(x)
        x = PixelShuffle(2, name=f"up{u}_shuffle")(x)
        x = _prelu(f"up{u}_prelu")(x)
    x = keras.layers.Conv2D(int(channels), 9, padding="same", name="to_image")(x)
    return keras.Model(low, keras.layers.Activation("tanh", dtype="float32", name="output")(x), name="srresnet_generator")


def srgan_discriminator(image_shape=(64, 64, 3), width=64, dense_units=1024):
    """SRGAN's D: conv blocks k3n{w, w, 2w, 2w, 4w, 4w, 8w, 8w}, stride 2 at every second, dense, leaky ReLU, one logit."""
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")
    x = images
    for i in range(8):
        filters, strides = int(width) * 2 ** (i // 2), 1 + i % 2
        x = keras.layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=i == 0, name=f"conv{i}")(x)
        if i:
            x = keras.layers.BatchNormalization(name=f"conv{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_lrelu")(keras.layers.Dense(int(dense_units), name="dense")(x))
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="srgan_discriminator")


class _Frozen:
    """Holds the content network out of Keras' tracking (it is not saved with the model)."""

    def __init__(self, model):
        self.model = model


@register_architecture("srgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class SRGAN(TranslationGAN):
    """SRGAN: SRResNet generator, VGG-style D, PSNR pre-training then perceptual + adversarial fine-tuning.

    Args:
        image_shape: (h, w, C) of the low-resolution training images (16x16
            for 64x64 emoji at x4); ``upscale`` accepts any size.
        scale: upscaling factor, a power of two (paper: 4).
        g_width, g_blocks: SRResNet's feature maps and residual blocks (paper: 64, 16).
        d_width, d_dense: D's first feature maps and dense units (paper: 64, 1024).
        pretrain_steps: generator steps of the PSNR phase (pixel MSE only, D
            idle) before the GAN phase; stored with the model.
        pixel_weight, feature_weight, adversarial_weight: the GAN phase's
            loss weights (paper, SRGAN-VGG54: 0, 1 (VGG features / 12.75), 1e-3).
            ``adversarial_weight=0`` with ``feature_weight=0`` is SRResNet-MSE.
        content_layer: the Inception stem layer of the feature loss (see the module docstring).
        styles: the emoji styles the model was trained on (``kerasgan train``
            loads them), or None.
        seed: seed of the model's random draws.

    Example:
    >>> sr = SRGAN(image_shape=(16, 16, 3), scale=4, pretrain_steps=1000)
    >>> sr.compile()
    >>> sr.fit(kerasgan.data.load_super_resolution(scale=4, batch_size=16), epochs=1)
    >>> sr.upscale(small).shape          # (N, 16, 16, 3) -> (N, 64, 64, 3)

    Reference:
        Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a
        Generative Adversarial Network", CVPR 2017 (arXiv:1609.04802).
    """

    # Paper: Adam 1e-4, beta_1 0.9, batch 16 (10^6 SRResNet updates, then 10^5 + 10^5 SRGAN updates with a lower LR).
    recipe = {
        **TranslationGAN.recipe, "batch_size": 16,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e-4, "beta_1": 0.9}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e-4, "beta_1": 0.9}},
    }
    auxiliary_metrics = ("g_pixel", "g_content")

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "d_sees_source", "num_domains", "l1_weight")

    def __init__(self, image_shape=(16, 16, 3), scale=4, g_width=64, g_blocks=16, d_width=64, d_dense=1024,
                 pretrain_steps=0, pixel_weight=1.0, feature_weight=1.0, adversarial_weight=1e-3,
                 content_layer="conv_4", styles=None, seed=None, **kwargs):
        from kerasgan.metrics.inception import STEM_LAYERS, stem_output_size

        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (h, w, C) of the low-resolution images, got {image_shape}")
        if isinstance(pretrain_steps, bool) or int(pretrain_steps) != pretrain_steps or pretrain_steps < 0:
            raise ValueError(f"pretrain_steps must be an integer >= 0, got {pretrain_steps!r}")
        for what, value in (("pixel_weight", pixel_weight), ("feature_weight", feature_weight)):
            if isinstance(value, bool) or not np.isfinite(float(value)) or float(value) < 0:
                raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
        if content_layer not in STEM_LAYERS:
            raise ValueError(f"unknown content_layer {content_layer!r}: choose one of {', '.join(STEM_LAYERS)}")
        high = min(image_shape[:2]) * int(scale)
        if feature_weight and stem_output_size(high, content_layer) < 1:
            raise ValueError(f"{high}x{high} outputs are too small for the content layer {content_layer!r}: "
                             f"use an earlier content_layer, larger images, or feature_weight=0")
        if not (pixel_weight or feature_weight or adversarial_weight) and not pretrain_steps:
            raise ValueError("pixel_weight, feature_weight and adversarial_weight are all 0: G would learn nothing")
        self.scale = int(scale)
        self.pretrain_steps = int(pretrain_steps)
        self.pixel_weight, self.feature_weight = float(pixel_weight), float(feature_weight)
        self.content_layer = content_layer
        generator = srresnet_generator(image_shape[-1], self.scale, int(g_width), int(g_blocks))
        high_shape = (image_shape[0] * self.scale, image_shape[1] * self.scale, image_shape[2])
        self._arch_config = {
            "image_shape": image_shape, "scale": self.scale, "g_width": int(g_width), "g_blocks": int(g_blocks),
            "d_width": int(d_width), "d_dense": int(d_dense), "pretrain_steps": self.pretrain_steps,
            "pixel_weight": self.pixel_weight, "feature_weight": self.feature_weight,
            "adversarial_weight": float(adversarial_weight), "content_layer": content_layer,
        }
        common.refuse_derived(type(self), kwargs)
        # The base's L1 term is off: SRGAN's content loss is an MSE (pixels and features).
        super().__init__(
            generator=generator, discriminator=srgan_discriminator(high_shape, int(d_width), int(d_dense)),
            image_shape=image_shape, l1_weight=0.0, d_sees_source=False, adversarial_weight=float(adversarial_weight),
            styles=None, seed=seed, **kwargs,
        )
        self.styles = None if styles is None else tuple(str(s) for s in styles)
        self._content = None

    def _check_objective(self, adversarial_weight, l1_weight):
        pass  # checked in __init__: the pixel and feature terms count too

    # ------------------------------------------------------------ compile
    def compile(self, *args, content_weights=None, **kwargs):
        """As ``TranslationGAN.compile``.

        Args:
            content_weights: the FID Inception weights (path or arrays) of the
                feature loss; default: found as ``InceptionFeatures`` finds
                them. They are loaded when ``fit`` starts (only when
                ``feature_weight > 0``), so loading or using a trained model
                never needs them.
        """
        self._content_weights = content_weights
        self._content = None
        super().compile(*args, **kwargs)

    def _load_content_network(self):
        if not self.feature_weight or self._content is not None:
            return
        from kerasgan.metrics.inception import inception_stem

        try:
            self._content = _Frozen(inception_stem(self.content_layer, weights=getattr(self, "_content_weights", None)))
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f"SRGAN's feature loss needs the FID Inception weights ({common.first_line(err)}); "
                f"or build the model with feature_weight=0"
            ) from None

    def fit(self, *args, **kwargs):
        """As ``TranslationGAN.fit`` on ``(low, high)`` pairs; loads the frozen content network first."""
        if getattr(self, "compiled", False):
            self._load_content_network()
        return super().fit(*args, **kwargs)

    def _metric_names(self):
        names = ["d_loss", "g_loss", "d_real", "d_fake", "g_pixel"]
        if self.feature_weight:
            names.append("g_content")
        return names

    # ------------------------------------------------------------ losses
    def content_features(self, images):
        """The frozen content network's features of images in [-1, 1] (scaled as the FID graph expects)."""
        pixels = (tf.cast(images, tf.float32) + 1.0) * 127.5
        return self._content.model((pixels - 128.0) / 128.0, training=False)

    @staticmethod
    def _mse(a, b):
        diff = tf.square(tf.cast(a, tf.float32) - tf.cast(b, tf.float32))
        return tf.nn.compute_average_loss(tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1))

    def in_gan_phase(self):
        """Whether the next step is past the PSNR pre-training (a boolean tensor)."""
        return self.g_optimizer.iterations >= self.pretrain_steps

    def train_step(self, data):
        low, high, _ = self._unpack(data)
        if high is None:
            raise ValueError("SRGAN trains on (low, high) resolution pairs: give batches a target")
        gan_phase = self.in_gan_phase()
        with tf.GradientTape() as g_tape:
            fake = self.generator(low, training=True)
        d_vars = self.player_variables("discriminator")

        def d_step():
            with tf.GradientTape() as d_tape:
                batch = GANBatch(real=high, fake=tf.stop_gradient(fake), source=low,
                                 real_output=self.discriminator(high, training=True),
                                 fake_output=self.discriminator(tf.stop_gradient(fake), training=True))
                d_loss = self.compute_discriminator_loss(batch)
                d_total = self.d_optimizer.scale_loss(d_loss + self.compute_discriminator_penalty(batch))
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_total, d_vars), d_vars))
            return d_loss, self._probability(batch.real_logits), self._probability(batch.fake_logits)

        def d_idle():
            return tf.constant(0.0), tf.constant(0.0), tf.constant(0.0)

        if self.adversarial_weight:
            d_loss, d_real, d_fake = tf.cond(gan_phase, d_step, d_idle)
        else:
            d_loss, d_real, d_fake = d_idle()
        g_vars = self.player_variables("generator")
        with g_tape:
            pixel = self._mse(fake, high)
            zero = tf.constant(0.0)
            content = (tf.cond(gan_phase, lambda: self._mse(self.content_features(fake), tf.stop_gradient(self.content_features(high))),
                               lambda: zero) if self.feature_weight else zero)
            adversarial = (tf.cond(gan_phase, lambda: self.compute_generator_loss(
                GANBatch(real=high, fake=fake, source=low, fake_output=self.discriminator(fake, training=True))),
                lambda: zero) if self.adversarial_weight else zero)
            # PSNR phase: the MSE alone (SRResNet); GAN phase: the perceptual loss.
            perceptual = self.pixel_weight * pixel + self.feature_weight * content + self.adversarial_weight * adversarial
            g_total = self.g_optimizer.scale_loss(tf.where(gan_phase, perceptual, pixel))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_total, g_vars), g_vars))
        replicas = common.num_replicas()
        for name, value in (("d_loss", d_loss), ("g_loss", adversarial), ("g_pixel", pixel), ("g_content", content)):
            if name in self._active_metrics:
                self._trackers[name].update_state(value * replicas)
        self._trackers["d_real"].update_state(d_real)
        self._trackers["d_fake"].update_state(d_fake)
        return {name: self._trackers[name].result() for name in self._active_metrics}

    # ------------------------------------------------------------ data
    _fit_targets = "high-resolution targets"

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``data.load_super_resolution`` of ``model_args["styles"]`` (default the colour styles)."""
        from kerasgan import data

        common.require_emoji_set(config, image_size, "super-resolution pairs (64x64 and 64 / scale)",
                                 "fit in Python on (low, high) pairs made with kerasgan.data.downscale")
        args = config.get("model_args") or {}
        return data.load_super_resolution(args.get("styles") or data.EMOJI_COLOUR_STYLES, int(args.get("scale", 4)),
                                          batch_size=batch_size, seed=seed, repeat=repeat, mirror=bool(config.get("mirror")))

    def preview_function(self, config, seed, num=8):
        """Rows of test images: bicubic upscaling of the low-resolution view, SRGAN's output, the original."""
        from kerasgan import data

        args = config.get("model_args") or {}
        low, high, _ = data.load_super_resolution_arrays(args.get("styles") or data.EMOJI_COLOUR_STYLES, self.scale, "test")
        step = max(1, len(low) // num)
        low, high = low[::step][:num], high[::step][:num]

        def preview():
            return np.concatenate([self.bicubic(low), self.upscale(low), high]), len(low)

        return preview

    # ------------------------------------------------------------ use
    def bicubic(self, images):
        """The bicubic baseline: ``images`` resized by ``scale`` (float32 in [-1, 1], clipped)."""
        from kerasgan.data import upscale_bicubic

        return upscale_bicubic(self._checked_low(images), self.scale)

    def _checked_low(self, images, scale=None):
        from kerasgan.utils.images import check_image_batch

        if scale is not None and scale != self.scale:
            raise ValueError(f"this model upscales by {self.scale}, not {scale}: use scale={self.scale} (or a model trained for x{scale})")
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(f"images must be a batch (N, h, w, {self.image_shape[-1]}), got shape {images.shape}")
        return check_image_batch(images, (images.shape[1], images.shape[2], self.image_shape[-1]), "images")

    def upscale(self, images, scale=None, batch_size=16):
        """G on low-resolution float images in [-1, 1] of any size: (N, h, w, C) -> (N, h * scale, w * scale, C).

        ``scale``, if given, must be the model's (a one-line error names the
        factor the model was trained for).
        """
        images = self._checked_low(images, scale)
        out = [keras.ops.convert_to_numpy(self.generator(images[i : i + batch_size], training=False))
               for i in range(0, len(images), batch_size)]
        if not out:
            return np.zeros((0, images.shape[1] * self.scale, images.shape[2] * self.scale, images.shape[3]), "float32")
        return np.concatenate(out)

    def get_config(self):
        config = super().get_config()
        config.pop("styles", None)
        if self.styles is not None:
            config["styles"] = list(self.styles)
        return config
