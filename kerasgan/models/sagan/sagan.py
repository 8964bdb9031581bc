"""SAGAN (Zhang et al. 2019): residual generator and discriminator with self-attention and spectral norm.

G: z -> spectrally normalized dense to a 4x4 map -> residual up-blocks
(BN or class-conditional BN, ReLU, nearest 2x upsampling, 3x3 convs, a 1x1
shortcut) doubling the side up to the image, with a self-attention block
after the block that reaches ``attention_resolution`` -> BN, ReLU, 3x3 conv,
tanh. D: residual down-blocks (3x3 convs, ReLU, 2x2 average pooling, 1x1
shortcut) halving the side to 4x4, self-attention after the block that
reaches ``attention_resolution``, ReLU, global sum pooling, a linear logit;
class-conditional D adds the projection <embed(y), h> (Miyato & Koyama
2018). Every convolution and dense layer of both networks is spectrally
normalized, as in the paper (section 5.1: spectral norm in G too), and the
recipe is the paper's: hinge loss, Adam(beta_1=0, beta_2=0.9) with the
two-timescale update rule (G 1e-4, D 4e-4).
"""

import math

import keras

from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kerasgan.layers.self_attention import SelfAttention2D
from kerasgan.layers.spectral_normalization import SNConv2D, SNDense
from kerasgan.models.gan import GAN
from kerasgan.models.options import adam_recipe
from kerasgan.models.registry import register_architecture
from kerasgan.models import common


def _stages(image_shape, model="SAGAN"):
    """(side, channels, number of 2x up/down blocks between 4x4 and the image side); errors name ``model``."""
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (H, W, C), got {tuple(image_shape)}")
    side, width, channels = (int(d) for d in image_shape)
    blocks = math.log2(side / 4) if side >= 8 else -1
    if side != width or blocks != int(blocks) or blocks < 1:
        raise ValueError(
            f"{model} builds square images whose side is 4 times a power of two (8, 16, 32, 64, 128...), got {side}x{width}"
        )
    if channels not in (1, 3):
        raise ValueError(f"{model} images have 1 or 3 channels, got {channels}")
    return side, channels, int(blocks)


def _check_attention(resolution, side):
    if resolution is None:
        return None
    sides = [4 * 2**i for i in range(1, int(math.log2(side // 4)) + 1)]
    if isinstance(resolution, bool) or resolution not in sides:
        raise ValueError(
            f"attention_resolution must be one of the feature-map sides {sides} (or None for no attention), got {resolution!r}"
        )
    return int(resolution)


def _check_attention_width(maps, network, width_name):
    if maps < 8:
        raise ValueError(
            f"SAGAN's self-attention needs at least 8 maps (queries and keys have maps / 8), but {network} has {maps} "
            f"at attention_resolution: raise {width_name} or attend at a side with more maps"
        )


def _norm(num_classes, name):
    """BN, or class-conditional BN (gain/bias per class, gain from 1) when conditional: a callable on (x, labels)."""
    if num_classes is None:
        layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
        return lambda x, labels: layer(x)
    layer = ConditionalBatchNormalization(num_classes, momentum=0.9, epsilon=1e-5, name=name)
    return lambda x, labels: layer([x, labels])


def sagan_generator(image_shape, latent_dim, num_classes=None, width=64, attention_resolution=32, seed=None):
    """``z`` (or ``[z, labels]``) -> images in [-1, 1]; channels ``width * 2**k`` from 4x4 down to ``width`` at the image."""
    side, channels, blocks = _stages(image_shape)
    attention_resolution = _check_attention(attention_resolution, side)
    width = int(width)
    filters = [width * 2 ** (blocks - i) for i in range(blocks + 1)]  # 4x4 ... image side
    s = (lambda k: None) if seed is None else (lambda k: seed + k)
    z = keras.Input((latent_dim,), name="z")
    labels = None if num_classes is None else keras.Input((), dtype="int32", name="labels")
    x = SNDense(4 * 4 * filters[0], seed=s(0), name="project")(z)
    x = keras.layers.Reshape((4, 4, filters[0]), name="reshape")(x)
    for i in range(blocks):
        x = residual_up_block(x, filters[i + 1], i + 1, lambda t, name: _norm(num_classes, name)(t, labels), s)
        if 4 * 2 ** (i + 1) == attention_resolution:
            _check_attention_width(filters[i + 1], "G", "g_width")
            x = SelfAttention2D(spectral_norm=True, seed=s(100), name="attention")(x)
    images = image_head(x, channels, s)
    inputs = z if labels is None else [z, labels]
    return keras.Model(inputs, images, name="sagan_generator")


def residual_up_block(x, filters, index, norm, seed_of):
    """BigGAN/SAGAN G block ``index``: norm, ReLU, 2x upsampling, 3x3 SN conv, norm, ReLU, 3x3 SN conv, plus a 1x1 shortcut.

    ``norm(tensor, name)`` is the block's batch norm (plain, per-class or vector-conditioned);
    ``seed_of(k)`` gives layer seeds.
    """
    i = index - 1
    h = keras.layers.ReLU(name=f"block{index}_relu1")(norm(x, f"block{index}_bn1"))
    h = keras.layers.UpSampling2D(2, name=f"block{index}_up")(h)
    h = SNConv2D(filters, 3, padding="same", seed=seed_of(10 * i + 1), name=f"block{index}_conv1")(h)
    h = keras.layers.ReLU(name=f"block{index}_relu2")(norm(h, f"block{index}_bn2"))
    h = SNConv2D(filters, 3, padding="same", seed=seed_of(10 * i + 2), name=f"block{index}_conv2")(h)
    shortcut = keras.layers.UpSampling2D(2, name=f"block{index}_shortcut_up")(x)
    shortcut = SNConv2D(filters, 1, seed=seed_of(10 * i + 3), name=f"block{index}_shortcut")(shortcut)
    return keras.layers.Add(name=f"block{index}")([h, shortcut])


def image_head(x, channels, seed_of):
    """BN, ReLU, a 3x3 SN conv to the image's channels, tanh (float32 output)."""
    x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="out_bn")(x)
    x = keras.layers.ReLU(name="out_relu")(x)
    x = SNConv2D(channels, 3, padding="same", seed=seed_of(200), name="to_image")(x)
    return keras.layers.Activation("tanh", dtype="float32", name="images")(x)


def sagan_discriminator(image_shape, num_classes=None, width=64, attention_resolution=32, seed=None):
    """``images`` (or ``[images, labels]``) -> logits (batch, 1); channels ``width * 2**k`` from the image side down to 4x4."""
    side, channels, blocks = _stages(image_shape)
    attention_resolution = _check_attention(attention_resolution, side)
    width = int(width)
    s = (lambda k: None) if seed is None else (lambda k: seed + 1000 + k)
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")
    labels = None if num_classes is None else keras.Input((), dtype="int32", name="labels")
    x = images
    for i in range(blocks):
        out, res = width * 2**i, side // 2 ** (i + 1)
        # pre-activation residual block; the first has no ReLU on the raw image
        h = x if i == 0 else keras.layers.ReLU(name=f"block{i + 1}_relu1")(x)
        h = SNConv2D(out, 3, padding="same", seed=s(10 * i + 1), name=f"block{i + 1}_conv1")(h)
        h = keras.layers.ReLU(name=f"block{i + 1}_relu2")(h)
        h = SNConv2D(out, 3, padding="same", seed=s(10 * i + 2), name=f"block{i + 1}_conv2")(h)
        h = keras.layers.AveragePooling2D(2, name=f"block{i + 1}_pool")(h)
        shortcut = SNConv2D(out, 1, seed=s(10 * i + 3), name=f"block{i + 1}_shortcut")(x)
        shortcut = keras.layers.AveragePooling2D(2, name=f"block{i + 1}_shortcut_pool")(shortcut)
        x = keras.layers.Add(name=f"block{i + 1}")([h, shortcut])
        if res == attention_resolution:
            _check_attention_width(out, "D", "d_width")
            x = SelfAttention2D(spectral_norm=True, seed=s(100), name="attention")(x)
    x = keras.layers.ReLU(name="out_relu")(x)
    # global sum pooling over the final 4x4 map: the mean times its 16 positions
    features = keras.layers.GlobalAveragePooling2D(name="mean_pool")(x)
    features = keras.layers.Rescaling(16.0, name="sum_pool")(features)
    logits = SNDense(1, seed=s(200), name="logit")(features)
    if labels is not None:
        embedded = keras.layers.Embedding(num_classes, int(features.shape[-1]), name="label_embedding")(labels)
        projection = keras.layers.Dot(axes=1, name="projection")([embedded, features])
        logits = keras.layers.Add(name="logits")([logits, projection])
    inputs = images if labels is None else [images, labels]
    return keras.Model(inputs, logits, name="sagan_discriminator")


@register_architecture("sagan")
@keras.saving.register_keras_serializable(package="kerasgan")
class SAGAN(GAN):
    """Self-Attention GAN (Zhang, Goodfellow, Metaxas & Odena, ICML 2019).

    Args:
        image_shape: (S, S, C) with S = 4 * 2**k (k >= 1) and C in (1, 3).
        num_classes: None (unconditional) or the classes of a class-conditional
            model: conditional batch norm in G, projection D (the paper's
            ImageNet setting).
        latent_dim: size of z (paper: 128).
        g_width, d_width: base channel counts (paper: 64); G has
            ``g_width * 2**k`` maps k doublings before the image, D
            ``d_width * 2**k`` after k halvings.
        attention_resolution: feature-map side of the self-attention block in
            both networks (the paper found 32 best for 128x128 ImageNet), or
            None.

    The recipe (``SAGAN.recipe``, used by ``compile()`` without arguments):
    hinge loss, Adam(beta_1=0, beta_2=0.9), G 1e-4 and D 4e-4 (TTUR), batch 64.

    Example:
    >>> gan = SAGAN(image_shape=(32, 32, 3), g_width=16, d_width=16, attention_resolution=16)
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("noto_emoji_64", image_size=32), epochs=1, steps_per_epoch=100)

    Reference:
        Zhang, Goodfellow, Metaxas & Odena, "Self-Attention Generative
        Adversarial Networks", ICML 2019 (arXiv:1805.08318).
    """

    recipe = adam_recipe("hinge", g_lr=1e-4, d_lr=4e-4, beta_1=0.0, beta_2=0.9, batch_size=64)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution")

    def __init__(self, image_shape=(64, 64, 3), num_classes=None, latent_dim=128, g_width=64, d_width=64,
                 attention_resolution=32, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if num_classes is not None and (isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 2):
            raise ValueError(f"num_classes must be an integer >= 2 (or None for an unconditional SAGAN), got {num_classes!r}")
        for name, value in (("g_width", g_width), ("d_width", d_width), ("latent_dim", latent_dim)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self._arch_config = {
            "image_shape": image_shape,
            "num_classes": None if num_classes is None else int(num_classes),
            "latent_dim": int(latent_dim),
            "g_width": int(g_width),
            "d_width": int(d_width),
            "attention_resolution": attention_resolution,
        }
        common.refuse_derived(type(self), kwargs)
        num_classes = self._arch_config["num_classes"]
        super().__init__(
            generator=sagan_generator(image_shape, int(latent_dim), num_classes, g_width, attention_resolution, seed),
            discriminator=sagan_discriminator(image_shape, num_classes, d_width, attention_resolution, seed),
            latent_dim=int(latent_dim),
            num_classes=num_classes,
            seed=seed,
            **kwargs,
        )
