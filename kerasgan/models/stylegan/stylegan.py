"""StyleGAN (Karras, Laine & Aila 2019): a mapping network, a learned constant, AdaIN styles and per-pixel noise.

G = synthesis(map_styles(z)). ``mapping_network``: pixel-normalised z through
equalized dense layers (learning-rate multiplier 0.01) with LeakyReLU to w.
``MapStyles`` broadcasts w to one style per synthesis layer, tracks the
average w during training (for truncation) and applies style-mixing
regularisation in training. ``synthesis_network``: a learned 4x4 constant,
then per resolution two layers of [3x3 equalized conv (after a blurred 2x
upsampling when the side doubles), noise, LeakyReLU(0.2), AdaIN(w_i)], and a
1x1 conv to the image. Deviations, for this package's conventions and CPU
budget: no progressive growing (the networks train at full size, as in
StyleGAN2), a tanh on the image (samples stay in [-1, 1]), and a DCGAN-like
channel schedule set by ``g_width``. D is ``sagan_discriminator`` without
attention (a residual D, spectrally normalized); the recipe is the paper's
FFHQ one: non-saturating loss, R1 (gamma 10), Adam(1e-3, beta_1=0, beta_2=0.99).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.layers.adaptive_instance_normalization import AdaptiveInstanceNormalization
from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.noise_injection import NoiseInjection
from kerasgan.layers.pixel_normalization import PixelNormalization
from kerasgan.layers.resample import Resample2D
from kerasgan.models.gan import GAN, stateless_latents
from kerasgan.models.options import adam_recipe
from kerasgan.models.registry import register_architecture
from kerasgan.models.sagan.sagan import _stages, sagan_discriminator
from kerasgan.models import common


def mapping_network(latent_dim, w_dim, layers=8, lr_multiplier=0.01, seed=None):
    """z -> w: pixel norm, then ``layers`` equalized dense layers with LeakyReLU(0.2)."""
    z = keras.Input((latent_dim,), name="z")
    x = PixelNormalization(name="normalize_z")(z)
    for i in range(int(layers)):
        x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, seed=None if seed is None else seed + i, name=f"fc{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"fc{i}_lrelu")(x)
    return keras.Model(z, x, name="mapping")


@keras.saving.register_keras_serializable(package="kerasgan")
class ConstantInput(keras.layers.Layer):
    """A learned (size, size, channels) tensor repeated over the batch (StyleGAN's synthesis input, initialised to 1)."""

    def __init__(self, channels, size=4, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.size = int(size)

    def build(self, input_shape):
        self.constant = self.add_weight(shape=(1, self.size, self.size, self.channels), initializer="ones", name="constant")
        self.built = True

    def call(self, like):
        return ops.tile(ops.cast(self.constant, self.compute_dtype), (ops.shape(like)[0], 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}


@keras.saving.register_keras_serializable(package="kerasgan")
class PickStyle(keras.layers.Layer):
    """``ws[:, index]``: the style of one synthesis layer from (batch, num_layers, w_dim)."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, ws):
        return ws[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


def synthesis_network(image_shape, w_dim, width=32, seed=None):
    """ws (batch, num_layers, w_dim) -> images; two styled layers per resolution from 4x4 to the image side."""
    side, channels, blocks = _stages(image_shape, "StyleGAN")
    filters = [int(width) * 2 ** (blocks - i) for i in range(blocks + 1)]
    num_layers = 2 * (blocks + 1)
    s = (lambda k: None) if seed is None else (lambda k: seed + 100 + k)
    ws = keras.Input((num_layers, w_dim), name="ws")
    x = ConstantInput(filters[0], name="const")(ws)
    index = 0

    def styled(x, name):
        nonlocal index
        x = NoiseInjection(seed=s(index), name=f"{name}_noise")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
        w = PickStyle(index, name=f"{name}_w")(ws)
        x = AdaptiveInstanceNormalization(seed=s(50 + index), name=f"{name}_adain")([x, w])
        index += 1
        return x

    x = styled(x, "4x4_const")
    x = EqualizedConv2D(filters[0], 3, seed=s(200), name="4x4_conv")(x)
    x = styled(x, "4x4_conv")
    for i in range(blocks):
        res = 4 * 2 ** (i + 1)
        x = Resample2D(up=2, name=f"{res}x{res}_up")(x)
        x = EqualizedConv2D(filters[i + 1], 3, seed=s(210 + 2 * i), name=f"{res}x{res}_conv0")(x)
        x = styled(x, f"{res}x{res}_conv0")
        x = EqualizedConv2D(filters[i + 1], 3, seed=s(211 + 2 * i), name=f"{res}x{res}_conv1")(x)
        x = styled(x, f"{res}x{res}_conv1")
    x = EqualizedConv2D(channels, 1, gain=1.0, seed=s(300), name="to_image")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(ws, images, name="synthesis")


@keras.saving.register_keras_serializable(package="kerasgan")
class MapStyles(keras.layers.Layer):
    """z -> ws (batch, num_layers, w_dim) through the mapping network; tracks the average w; mixes styles in training.

    Training calls update ``w_avg`` (``w_avg = mean(w) + decay * (w_avg - mean(w))``)
    and, with probability ``mixing_prob`` per batch, switch every sample to
    the w of a second random z from a random crossover layer on (style-mixing
    regularisation, section 3.1).
    """

    def __init__(self, mapping, num_layers, mixing_prob=0.9, w_avg_decay=0.995, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.mapping = mapping if isinstance(mapping, keras.Model) else keras.saving.deserialize_keras_object(mapping)
        self.num_layers = int(num_layers)
        self.mixing_prob = float(mixing_prob)
        self.w_avg_decay = float(w_avg_decay)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.w_dim = int(self.mapping.output.shape[-1])
        self.w_avg = self.add_weight(shape=(self.w_dim,), initializer="zeros", trainable=False, name="w_avg")
        self.built = True

    def call(self, z, training=None):
        w = self.mapping(z, training=training)
        ws = ops.repeat(ops.expand_dims(w, 1), self.num_layers, axis=1)
        if not training:
            return ws
        mean = ops.mean(ops.cast(w, "float32"), axis=0)
        self.w_avg.assign(mean + self.w_avg_decay * (self.w_avg - mean))
        if self.mixing_prob <= 0 or self.num_layers < 2:
            return ws
        w2 = self.mapping(keras.random.normal(ops.shape(z), seed=self.seed_generator, dtype=z.dtype), training=training)
        cross = keras.random.randint((), 1, self.num_layers, seed=self.seed_generator)
        mix = keras.random.uniform((), seed=self.seed_generator) < self.mixing_prob
        cross = ops.where(mix, cross, self.num_layers)
        second = ops.reshape(ops.arange(self.num_layers) >= cross, (1, self.num_layers, 1))
        return ops.where(second, ops.expand_dims(w2, 1), ws)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_layers, int(self.mapping.output.shape[-1]))

    def get_config(self):
        return {**super().get_config(), "mapping": keras.saving.serialize_keras_object(self.mapping),
                "num_layers": self.num_layers, "mixing_prob": self.mixing_prob, "w_avg_decay": self.w_avg_decay, "seed": self.seed}


def stylegan_generator(image_shape, latent_dim, w_dim, mapping_layers, g_width, mixing_prob, seed=None):
    """z -> images: ``MapStyles`` (mapping, average w, mixing) then the synthesis network."""
    synthesis = synthesis_network(image_shape, w_dim, g_width, seed)
    num_layers = int(synthesis.input.shape[1])
    mapping = mapping_network(latent_dim, w_dim, mapping_layers, seed=seed)
    z = keras.Input((latent_dim,), name="z")
    ws = MapStyles(mapping, num_layers, mixing_prob, seed=None if seed is None else seed + 7, name="map_styles")(z)
    return keras.Model(z, synthesis(ws), name="stylegan_generator")


@register_architecture("stylegan")
@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN(GAN):
    """StyleGAN (Karras, Laine & Aila, CVPR 2019) without progressive growing.

    Args:
        image_shape: (S, S, C), S = 4 * 2**k (k >= 1), C in (1, 3).
        latent_dim: size of z (paper: 512).
        w_dim: size of w (paper: 512).
        mapping_layers: dense layers of the mapping network (paper: 8).
        g_width: channels at the image side, doubling per halving of the side.
        d_width: base channels of the residual discriminator.
        mixing_prob: probability of style mixing per training batch (paper: 0.9).

    API beyond ``GAN``: ``mapping(z)`` -> w, ``synthesis(w)`` (w of shape
    (N, w_dim), or one style per layer (N, num_layers, w_dim)) -> images,
    ``sample(num, seed, truncation=psi)`` (W-space truncation towards the
    tracked average w, psi in (0, 1]), ``mix(z1, z2, crossover)``.

    Reference:
        Karras, Laine & Aila, "A Style-Based Generator Architecture for
        Generative Adversarial Networks", CVPR 2019 (arXiv:1812.04948).
    """

    recipe = adam_recipe("modified", g_lr=1e-3, d_lr=1e-3, beta_1=0.0, beta_2=0.99, batch_size=32, r1_gamma=10.0)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

    def __init__(self, image_shape=(64, 64, 3), latent_dim=512, w_dim=512, mapping_layers=8, g_width=32, d_width=32,
                 mixing_prob=0.9, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        for name, value in (("latent_dim", latent_dim), ("w_dim", w_dim), ("mapping_layers", mapping_layers),
                            ("g_width", g_width), ("d_width", d_width)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0.0 <= float(mixing_prob) <= 1.0:
            raise ValueError(f"mixing_prob must be in [0, 1], got {mixing_prob!r}")
        self._arch_config = {
            "image_shape": image_shape, "latent_dim": int(latent_dim), "w_dim": int(w_dim),
            "mapping_layers": int(mapping_layers), "g_width": int(g_width), "d_width": int(d_width),
            "mixing_prob": float(mixing_prob),
        }
        common.refuse_derived(type(self), kwargs)
        generator, discriminator = self._networks(image_shape, int(latent_dim), int(w_dim), int(mapping_layers), int(g_width),
                                                  int(d_width), float(mixing_prob), seed)
        super().__init__(generator=generator, discriminator=discriminator, latent_dim=int(latent_dim), seed=seed, **kwargs)

    def _networks(self, image_shape, latent_dim, w_dim, mapping_layers, g_width, d_width, mixing_prob, seed):
        """(G, D) of this architecture (StyleGAN2 overrides it)."""
        return (stylegan_generator(image_shape, latent_dim, w_dim, mapping_layers, g_width, mixing_prob, seed),
                sagan_discriminator(image_shape, None, d_width, None, seed))

    # ------------------------------------------------------------ style API
    def _parts(self, ema=True):
        generator = self.serving_generator() if ema else self.generator
        return generator.get_layer("map_styles"), generator.get_layer("synthesis")

    @property
    def num_layers(self):
        """Synthesis layers that each take a style (two per resolution)."""
        return self._parts()[0].num_layers

    def mapping(self, z):
        """w (N, w_dim) for latents z (N, latent_dim), numpy."""
        return ops.convert_to_numpy(self._parts()[0].mapping(np.asarray(z, "float32"), training=False))

    def synthesis(self, w):
        """Images in [-1, 1] for w (N, w_dim) or per-layer styles (N, num_layers, w_dim), numpy."""
        w = np.asarray(w, "float32")
        if w.ndim == 2:
            w = np.repeat(w[:, None], self.num_layers, axis=1)
        if w.ndim != 3 or w.shape[1] != self.num_layers:
            raise ValueError(f"synthesis takes w of shape (N, w_dim) or (N, {self.num_layers}, w_dim), got {w.shape}")
        return ops.convert_to_numpy(self._parts()[1](w, training=False))

    @property
    def w_avg(self):
        """The average w tracked during training (the centre of W-space truncation)."""
        return ops.convert_to_numpy(self._parts()[0].w_avg)

    def truncate_latents(self, raw, truncation=None):
        # Truncation happens in W (iter_samples); here only the check.
        if truncation is not None and (
            isinstance(truncation, bool) or not isinstance(truncation, (int, float, np.integer, np.floating))
            or not 0.0 < float(truncation) <= 1.0
        ):
            raise ValueError(f"StyleGAN's truncation psi must be in (0, 1] (1: none; 0.7 is common), got {truncation!r}")
        return raw

    def iter_samples(self, num, seed=None, batch_size=256, labels=None, truncation=None, ema=True):
        if truncation is None or float(truncation) == 1.0:
            self.truncate_latents(None, truncation)
            yield from super().iter_samples(num, seed, batch_size=batch_size, labels=labels, ema=ema)
            return
        self.truncate_latents(None, truncation)
        num = int(num)
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        mapper, synthesis = self._parts(ema)
        psi = float(truncation)
        for start in range(0, num, batch_size):
            z = stateless_latents(self.latent_dim, "normal", min(batch_size, num - start), int(seed), start=start)
            w = mapper.mapping(z, training=False)
            w = mapper.w_avg + psi * (w - mapper.w_avg)
            ws = tf.repeat(tf.expand_dims(w, 1), mapper.num_layers, axis=1)
            yield tf.cast(synthesis(ws, training=False), tf.float32).numpy()

    def serving_endpoints(self):
        """GAN's endpoints plus ``mapping`` (z -> w), ``synthesis`` (ws (N, num_layers, w_dim) -> images)
        and ``sample_truncated`` (``num``, ``seed``, ``truncation`` psi -> uint8 images, as
        ``sample(num, seed, truncation=psi)``; psi outside (0, 1] fails an assertion)."""
        from kerasgan import export as export_lib

        spec = super().serving_endpoints()
        mapper, synthesis = self._parts()
        num_layers, w_dim, latent_dim = mapper.num_layers, int(mapper.mapping.output.shape[-1]), self.latent_dim

        def mapping_fn(z):
            return {"w": tf.cast(mapper.mapping(z, training=False), tf.float32)}

        def synthesis_fn(ws):
            return {"images": tf.cast(synthesis(ws, training=False), tf.float32)}

        def truncated_fn(num, seed, truncation):
            checks = [tf.debugging.assert_positive(truncation, message="truncation psi must be in (0, 1]"),
                      tf.debugging.assert_less_equal(truncation, 1.0, message="truncation psi must be in (0, 1]")]
            with tf.control_dependencies(checks):
                w = mapper.mapping(stateless_latents(latent_dim, "normal", num, seed), training=False)
                w = mapper.w_avg + truncation * (w - mapper.w_avg)
                ws = tf.repeat(tf.expand_dims(w, 1), num_layers, axis=1)
                return {"images": export_lib.to_uint8(synthesis(ws, training=False))}

        spec["endpoints"].update({
            "mapping": (mapping_fn, [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]),
            "synthesis": (synthesis_fn, [tf.TensorSpec([None, num_layers, w_dim], tf.float32, name="ws")]),
            "sample_truncated": (truncated_fn, [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int64, name="seed"),
                                                tf.TensorSpec([], tf.float32, name="truncation")]),
        })
        return spec

    def mix(self, z1, z2, crossover):
        """Images with the styles of ``z1`` in layers ``[0, crossover)`` and of ``z2`` from ``crossover`` on."""
        if isinstance(crossover, bool) or not isinstance(crossover, (int, np.integer)) or not 0 <= crossover <= self.num_layers:
            raise ValueError(f"crossover must be a layer index in [0, {self.num_layers}] (the synthesis has {self.num_layers} styled layers), got {crossover!r}")
        w1, w2 = self.mapping(z1), self.mapping(z2)
        if w1.shape != w2.shape:
            raise ValueError(f"z1 and z2 must have the same shape, got {np.shape(z1)} and {np.shape(z2)}")
        ws = np.repeat(w1[:, None], self.num_layers, axis=1)
        ws[:, crossover:] = w2[:, None]
        return self.synthesis(ws)
