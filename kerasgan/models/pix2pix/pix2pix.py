"""pix2pix (Isola et al. 2017): a U-Net generator and a PatchGAN discriminator on (input, output) pairs.

G is an encoder-decoder with skip connections between mirrored layers
(U-Net); its only noise is dropout, kept on at test time as in the paper
(section 2.1: "we provide noise only in the form of dropout, applied on
several layers of our generator at both training and test time"). D sees the
input and an output side by side and classifies each N x N patch as real or
fake. G minimises the cGAN loss plus lambda * L1 to the true output (lambda = 100).
"""

import keras

from kerasgan.models.registry import register_architecture
from kerasgan.models.translation import TranslationGAN
from kerasgan.models import common


@keras.saving.register_keras_serializable(package="kerasgan")
class InferenceDropout(keras.layers.Dropout):
    """Dropout that stays on at inference: pix2pix's only source of noise (Isola et al. 2017, 2.1)."""

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


def _init():
    # "Weights were initialized from a Gaussian distribution with mean 0 and standard deviation 0.02" (section 6.2).
    return keras.initializers.RandomNormal(0.0, 0.02)


def _bn(name):
    return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)


def unet_generator(image_shape=(64, 64, 3), out_channels=None, width=64, max_width=512, dropout=0.5, dropout_layers=3,
                   test_time_dropout=True):
    """The pix2pix U-Net: Ck (4x4 conv stride 2, BN, leaky ReLU 0.2) down to 1x1, then CDk/Ck up with skips.

    Down: C64-C128-C256-C512-C512-... (no BN on the first), one layer per
    halving until 1x1 (6 for 64x64). Up: mirrored transposed convs with ReLU,
    each concatenated with the encoder layer of the same size; the first
    ``dropout_layers`` of them use dropout 0.5 (the paper's CD512 layers).
    The output layer maps to ``out_channels`` with tanh. With
    ``test_time_dropout`` (the paper's choice) dropout stays on when
    translating, so outputs vary from call to call.
    """
    h, w, c = (int(d) for d in image_shape)
    if h != w or h & (h - 1) or h < 4:
        raise ValueError(f"the U-Net needs square power-of-two images (>= 4), got {h}x{w}")
    out_channels = c if out_channels is None else int(out_channels)
    depth = h.bit_length() - 1  # halvings to 1x1
    filters = [min(width * 2**i, max_width) for i in range(depth)]
    images = keras.Input((h, w, c), name="images")
    x, skips = images, []
    for i, f in enumerate(filters):
        x = keras.layers.Conv2D(f, 4, strides=2, padding="same", use_bias=i == 0, kernel_initializer=_init(), name=f"down{i}")(x)
        if 0 < i < depth - 1:
            x = _bn(f"down{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down{i}_lrelu")(x)
        skips.append(x)
    for j, f in enumerate(reversed(filters[:-1])):
        x = keras.layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"up{j}")(x)
        x = _bn(f"up{j}_bn")(x)
        if j < dropout_layers and dropout:
            drop = InferenceDropout if test_time_dropout else keras.layers.Dropout
            x = drop(dropout, name=f"up{j}_dropout")(x)
        x = keras.layers.ReLU(name=f"up{j}_relu")(x)
        x = keras.layers.Concatenate(name=f"up{j}_skip")([x, skips[depth - 2 - j]])
    x = keras.layers.Conv2DTranspose(out_channels, 4, strides=2, padding="same", kernel_initializer=_init(), name="to_image")(x)
    return keras.Model(images, keras.layers.Activation("tanh", dtype="float32", name="output")(x), name="unet_generator")


def patch_discriminator(image_shape=(64, 64, 3), out_channels=None, width=64, layers=2):
    """PatchGAN on ``[input, output]``: C64 (no BN), then ``layers`` - 1 more stride-2 Ck, a stride-1 Ck, a 1-channel conv.

    With 4x4 kernels the receptive field of one output logit is 70x70 for
    ``layers=3`` (the paper's 256x256 default) and 34x34 for ``layers=2``,
    about half of a 64x64 image (this package's default at that size).
    """
    h, w, c = (int(d) for d in image_shape)
    out_channels = c if out_channels is None else int(out_channels)
    source = keras.Input((h, w, c), name="source")
    output = keras.Input((h, w, out_channels), name="output")
    x = keras.layers.Concatenate(name="pair")([source, output])
    for i in range(layers):
        x = keras.layers.Conv2D(width * 2**i, 4, strides=2, padding="same", use_bias=i == 0, kernel_initializer=_init(), name=f"conv{i}")(x)
        if i:
            x = _bn(f"conv{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.Conv2D(width * 2**layers, 4, strides=1, padding="same", use_bias=False, kernel_initializer=_init(), name="conv_s1")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv_s1_lrelu")(_bn("conv_s1_bn")(x))
    logits = keras.layers.Conv2D(1, 4, strides=1, padding="same", dtype="float32", kernel_initializer=_init(), name="patch_logits")(x)
    return keras.Model([source, output], logits, name="patch_discriminator")


@register_architecture("pix2pix")
@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(TranslationGAN):
    """pix2pix: paired image-to-image translation with a U-Net G, a PatchGAN D and an L1 term.

    Args:
        image_shape: (H, W, C) of the input images (square, power of two).
        out_channels: channels of the output (default: as the input).
        g_width, d_width: feature maps of the first G / D layer (paper: 64).
        d_layers: stride-2 layers of the PatchGAN (receptive field 34 for 2, 70 for 3).
        l1_weight: lambda (paper: 100).
        dropout: G's dropout rate (paper: 0.5).
        test_time_dropout: keep dropout on when translating (the paper's
            noise source; outputs vary per call); False makes translation
            deterministic.
        adversarial_weight: 0 gives the paper's "L1 only" ablation (same U-Net, no GAN loss).
        seed: seed of the model's random draws.

    Example:
    >>> model = Pix2Pix(image_shape=(64, 64, 3))
    >>> model.compile()
    >>> model.fit(kerasgan.data.load_pairs("openmoji_black", "openmoji"), epochs=1)
    >>> colour = model.translate(line_art)          # float32 in [-1, 1]

    Reference:
        Isola, Zhu, Zhou & Efros, "Image-to-Image Translation with
        Conditional Adversarial Networks", CVPR 2017 (arXiv:1611.07004).
    """

    # Paper: Adam 2e-4, beta_1 0.5, minibatch 1-10; batch 16 here for CPU throughput.
    recipe = {**TranslationGAN.recipe, "batch_size": 16}

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "d_sees_source", "num_domains")

    def __init__(self, image_shape=(64, 64, 3), out_channels=None, g_width=64, d_width=64, d_layers=2, l1_weight=100.0,
                 dropout=0.5, test_time_dropout=True, adversarial_weight=1.0, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        self._arch_config = {
            "image_shape": image_shape, "out_channels": out_channels, "g_width": int(g_width), "d_width": int(d_width),
            "d_layers": int(d_layers), "l1_weight": float(l1_weight), "dropout": float(dropout),
            "test_time_dropout": bool(test_time_dropout),
        }
        if adversarial_weight != 1.0:
            self._arch_config["adversarial_weight"] = float(adversarial_weight)
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=unet_generator(image_shape, out_channels, int(g_width), dropout=float(dropout),
                                     test_time_dropout=bool(test_time_dropout)),
            discriminator=patch_discriminator(image_shape, out_channels, int(d_width), int(d_layers)),
            image_shape=image_shape,
            l1_weight=float(l1_weight),
            d_sees_source=True,
            adversarial_weight=adversarial_weight,
            seed=seed,
            **kwargs,
        )
