"""StyleGAN2 (Karras et al. 2020): modulated/demodulated convolutions, a skip generator, a residual discriminator,
lazy R1 and path-length regularisation.

G = synthesis(map_styles(z)) with StyleGAN's mapping network and style mixing
(``kerasgan.models.stylegan``). Synthesis ("skip" architecture): a learned 4x4
constant; per resolution, blurred 2x upsampling, two 3x3 ``ModulatedConv2D``
layers (each followed by noise, a bias and LeakyReLU(0.2)) and a 1x1 toRGB
(modulated, not demodulated) whose output is added to the upsampled image of
the resolution before. D ("resnet"): fromRGB, residual blocks of two 3x3
equalized convs and a blurred 2x downsampling with a 1x1 shortcut, summed
times sqrt(1/2); at 4x4 the minibatch standard deviation, a 3x3 conv, a dense
layer and the logit. No progressive growing. As in ``StyleGAN``, a tanh keeps
images in [-1, 1]. Recipe: non-saturating loss, lazy R1 (gamma 10 every 16 D
steps), path-length regularisation (weight 2 every 4 G steps, mean decay 0.01),
Adam(2e-3, beta_1=0, beta_2=0.99).
"""

import math

import keras
import tensorflow as tf
from keras import ops

from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.modulated_conv import ModulatedConv2D
from kerasgan.layers.noise_injection import NoiseInjection
from kerasgan.layers.resample import Resample2D
from kerasgan.models import common
from kerasgan.models.options import adam_recipe
from kerasgan.models.registry import register_architecture
from kerasgan.models.sagan.sagan import _stages
from kerasgan.models.stylegan.stylegan import ConstantInput, MapStyles, PickStyle, StyleGAN, mapping_network


@keras.saving.register_keras_serializable(package="kerasgan")
class AddBias(keras.layers.Layer):
    """A learned per-channel bias (initialised to 0), scaled by ``lr_multiplier`` as StyleGAN2's biases."""

    def __init__(self, lr_multiplier=1.0, **kwargs):
        super().__init__(**kwargs)
        self.lr_multiplier = float(lr_multiplier)

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros", name="bias")
        self.built = True

    def call(self, x):
        return x + ops.cast(self.bias, x.dtype) * self.lr_multiplier

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "lr_multiplier": self.lr_multiplier}


def skip_synthesis_network(image_shape, w_dim, width=32, seed=None):
    """ws (batch, num_ws, w_dim) -> images; ``num_ws = 2 + 2 * blocks`` (each toRGB shares the next conv's style)."""
    side, channels, blocks = _stages(image_shape, "StyleGAN2")
    filters = [int(width) * 2 ** (blocks - i) for i in range(blocks + 1)]
    num_ws = 2 + 2 * blocks
    s = (lambda k: None) if seed is None else (lambda k: seed + 100 + k)
    ws = keras.Input((num_ws, w_dim), name="ws")

    def layer(x, index, filters_out, name, kernel_size=3, demodulate=True):
        w = PickStyle(index, name=f"{name}_w")(ws)
        x = ModulatedConv2D(filters_out, kernel_size, demodulate=demodulate, seed=s(2 * index + kernel_size), name=name)([x, w])
        if demodulate:  # a convolution: noise, bias, activation
            x = NoiseInjection(seed=s(500 + index), name=f"{name}_noise")(x)
            x = AddBias(name=f"{name}_bias")(x)
            return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x) * math.sqrt(2.0)
        return AddBias(name=f"{name}_bias")(x)  # toRGB: linear

    x = ConstantInput(filters[0], name="const")(ws)
    x = layer(x, 0, filters[0], "4x4_conv")
    image = layer(x, 1, channels, "4x4_torgb", kernel_size=1, demodulate=False)
    index = 1
    for i in range(blocks):
        res = 4 * 2 ** (i + 1)
        x = Resample2D(up=2, name=f"{res}x{res}_up")(x)
        x = layer(x, index, filters[i + 1], f"{res}x{res}_conv0")
        x = layer(x, index + 1, filters[i + 1], f"{res}x{res}_conv1")
        rgb = layer(x, index + 2, channels, f"{res}x{res}_torgb", kernel_size=1, demodulate=False)
        image = keras.layers.Add(name=f"{res}x{res}_image")([Resample2D(up=2, name=f"{res}x{res}_image_up")(image), rgb])
        index += 2
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(image)
    return keras.Model(ws, images, name="synthesis")


def resnet_discriminator(image_shape, width=32, mbstd_group=4, seed=None):
    """images -> logits (batch, 1): StyleGAN2's residual discriminator with minibatch stddev at 4x4."""
    side, channels, blocks = _stages(image_shape, "StyleGAN2")
    filters = [int(width) * 2**i for i in range(blocks + 1)]  # image side ... 4x4
    s = (lambda k: None) if seed is None else (lambda k: seed + 2000 + k)
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")

    def lrelu(x, name):
        return keras.layers.LeakyReLU(0.2, name=name)(x) * math.sqrt(2.0)

    x = lrelu(EqualizedConv2D(filters[0], 1, seed=s(0), name="fromrgb")(images), "fromrgb_lrelu")
    for i in range(blocks):
        res = side // 2**i
        skip = Resample2D(down=2, name=f"{res}x{res}_skip_down")(x)
        skip = EqualizedConv2D(filters[i + 1], 1, gain=1.0, use_bias=False, seed=s(10 * i + 1), name=f"{res}x{res}_skip")(skip)
        h = lrelu(EqualizedConv2D(filters[i], 3, seed=s(10 * i + 2), name=f"{res}x{res}_conv0")(x), f"{res}x{res}_conv0_lrelu")
        h = Resample2D(down=2, name=f"{res}x{res}_down")(h)
        h = lrelu(EqualizedConv2D(filters[i + 1], 3, seed=s(10 * i + 3), name=f"{res}x{res}_conv1")(h), f"{res}x{res}_conv1_lrelu")
        x = keras.layers.Add(name=f"{res}x{res}_sum")([skip, h]) * math.sqrt(0.5)
    x = MinibatchStdDev(group_size=mbstd_group, name="mbstd")(x)
    x = lrelu(EqualizedConv2D(filters[-1], 3, seed=s(900), name="4x4_conv")(x), "4x4_conv_lrelu")
    x = keras.layers.Flatten(name="flatten")(x)
    x = lrelu(EqualizedDense(filters[-1], seed=s(901), name="fc")(x), "fc_lrelu")
    logits = EqualizedDense(1, gain=1.0, seed=s(902), name="logits")(x)
    return keras.Model(images, logits, name="stylegan2_discriminator")


def path_lengths(synthesis, ws, noise=None):
    """Per-sample ``sqrt(mean_layers ||J_w^T y||^2)`` with ``y ~ N(0, I) / sqrt(H W)`` (StyleGAN2 eq. 4).

    ``noise`` (the images' shape) replaces the random ``y * sqrt(H W)``, for tests.
    """
    with tf.GradientTape() as tape:
        tape.watch(ws)
        images = tf.cast(synthesis(ws, training=True), tf.float32)
        h, w = int(images.shape[1]), int(images.shape[2])
        noise = tf.random.normal(tf.shape(images)) if noise is None else tf.cast(noise, tf.float32)
        total = tf.reduce_sum(images * noise / math.sqrt(h * w))
    grads = tape.gradient(total, ws)
    return tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(tf.cast(grads, tf.float32)), axis=2), axis=1))


def stylegan2_generator(image_shape, latent_dim, w_dim, mapping_layers, g_width, mixing_prob, seed=None):
    """z -> images: ``MapStyles`` then the skip synthesis network."""
    synthesis = skip_synthesis_network(image_shape, w_dim, g_width, seed)
    mapping = mapping_network(latent_dim, w_dim, mapping_layers, seed=seed)
    z = keras.Input((latent_dim,), name="z")
    ws = MapStyles(mapping, int(synthesis.input.shape[1]), mixing_prob, seed=None if seed is None else seed + 7, name="map_styles")(z)
    return keras.Model(z, synthesis(ws), name="stylegan2_generator")


@register_architecture("stylegan2")
@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN2(StyleGAN):
    """StyleGAN2 (Karras, Laine, Aittala, Hellsten, Lehtinen & Aila, CVPR 2020), config E/F without growing.

    Args (beyond ``StyleGAN``'s):
        pl_weight: path-length regularisation weight (paper: 2; 0 turns it off).
        pl_every: apply it every this many generator steps, scaled by it (lazy; paper: 4).
        pl_decay: decay of the running mean path length (paper: 0.01).
        mbstd_group: minibatch stddev group size of D (paper: 4).

    Same style API as ``StyleGAN`` (``mapping``, ``synthesis``, ``mix``,
    ``sample(..., truncation=psi)``). The compile options include ADA
    (``compile(augment={"name": "ada", ...})``), as for every GAN here.

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of StyleGAN",
        CVPR 2020 (arXiv:1912.04958).
    """

    recipe = adam_recipe("modified", g_lr=2e-3, d_lr=2e-3, beta_1=0.0, beta_2=0.99, batch_size=32, r1_gamma=10.0, r1_every=16)

    def __init__(self, image_shape=(64, 64, 3), latent_dim=512, w_dim=512, mapping_layers=8, g_width=32, d_width=32,
                 mixing_prob=0.9, pl_weight=2.0, pl_every=4, pl_decay=0.01, mbstd_group=4, seed=None, **kwargs):
        if not float(pl_weight) >= 0:
            raise ValueError(f"pl_weight must be >= 0 (0 turns path-length regularisation off), got {pl_weight!r}")
        if isinstance(pl_every, bool) or int(pl_every) != pl_every or pl_every < 1:
            raise ValueError(f"pl_every must be a positive integer, got {pl_every!r}")
        if not 0.0 < float(pl_decay) <= 1.0:
            raise ValueError(f"pl_decay must be in (0, 1], got {pl_decay!r}")
        if isinstance(mbstd_group, bool) or int(mbstd_group) != mbstd_group or mbstd_group < 1:
            raise ValueError(f"mbstd_group must be a positive integer, got {mbstd_group!r}")
        self.pl_weight, self.pl_every, self.pl_decay = float(pl_weight), int(pl_every), float(pl_decay)
        self.mbstd_group = int(mbstd_group)
        super().__init__(image_shape, latent_dim, w_dim, mapping_layers, g_width, d_width, mixing_prob, seed=seed, **kwargs)
        for key in ("pl_weight", "pl_every", "pl_decay", "mbstd_group"):
            self._arch_config[key] = getattr(self, key)
        with common.unlocked(self):  # state added after GAN.__init__ built the model
            self.pl_mean = keras.Variable(0.0, trainable=False, name="pl_mean", aggregation="only_first_replica")

    def _networks(self, image_shape, latent_dim, w_dim, mapping_layers, g_width, d_width, mixing_prob, seed):
        return (stylegan2_generator(image_shape, latent_dim, w_dim, mapping_layers, g_width, mixing_prob, seed),
                resnet_discriminator(image_shape, d_width, self.mbstd_group, seed))

    def compute_generator_penalty(self, batch):
        penalty = super().compute_generator_penalty(batch)
        if not self.pl_weight:
            return penalty
        mapper, synthesis = self.generator.get_layer("map_styles"), self.generator.get_layer("synthesis")

        def regularize():
            z = tf.cast(batch.latents, tf.float32)
            w = mapper.mapping(z, training=True)
            ws = tf.repeat(tf.expand_dims(w, 1), mapper.num_layers, axis=1)
            lengths = path_lengths(synthesis, ws)
            mean = self.pl_mean + self.pl_decay * (tf.reduce_mean(lengths) - self.pl_mean)
            self.pl_mean.assign(tf.stop_gradient(mean))
            term = tf.reduce_mean(tf.square(lengths - mean)) * self.pl_weight * self.pl_every
            return term / common.num_replicas()

        due = tf.equal(self.g_optimizer.iterations % self.pl_every, 0)
        return penalty + tf.cond(due, regularize, lambda: tf.constant(0.0))
