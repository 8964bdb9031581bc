"""DCGAN (Radford, Metz & Chintala 2015) for 28x28, 32x32 and 64x64 images."""

import keras

from kerasgan.layers.minibatch_discrimination import MinibatchDiscrimination
from kerasgan.layers.spectral_normalization import SNConv2D, SNDense
from kerasgan.layers.virtual_batch_normalization import VirtualBatchNormalization
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common

# Spatial size of the first feature map and number of stride-2 upsamplings
# for each supported image size. 64x64 is the paper's LSUN network:
# 4x4 -> 8 -> 16 -> 32 -> 64 with 8w, 4w, 2w, w feature maps (w=128 gives
# the paper's 1024 -> 512 -> 256 -> 128).
_LAYOUTS = {28: (7, 2), 32: (4, 3), 64: (4, 4)}
_DEFAULT_WIDTH = {28: 64, 32: 64, 64: 128}


def _init():
    # "All weights were initialized from a zero-centered Normal distribution
    # with standard deviation 0.02" (Radford et al. 2015, section 4).
    return keras.initializers.RandomNormal(0.0, 0.02)


def _batch_norm(name, synchronized=False):
    # momentum/epsilon equal to PyTorch's BatchNorm2d defaults (0.1 / 1e-5),
    # so converted reference checkpoints behave identically.
    return keras.layers.BatchNormalization(
        synchronized=synchronized,
        momentum=0.9,
        epsilon=1e-5,
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        name=name,
    )


G_NORMS = ("batch", "virtual")


def _g_norm(norm, name, synchronized=False):
    if norm == "virtual":
        # Salimans et al. 2016, 3.4: statistics of a fixed reference batch and the example itself.
        return VirtualBatchNormalization(
            epsilon=1e-5, gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02), name=name.replace("_bn", "_vbn")
        )
    return _batch_norm(name, synchronized)


def _check_image_shape(image_shape):
    if len(tuple(image_shape)) != 3:
        raise ValueError(f"image_shape must be (H, W, C), got {tuple(image_shape)}")
    h, w, c = (int(d) for d in image_shape)
    if h != w or h not in _LAYOUTS:
        raise ValueError(
            f"DCGAN supports square 28x28, 32x32 and 64x64 images, got {h}x{w}: "
            f"resize the data to one of these sizes"
        )
    if c not in (1, 3):
        raise ValueError(f"DCGAN supports 1 or 3 channels, got {c}")
    return h, c


def dcgan_generator(image_shape=(28, 28, 1), latent_dim=100, width=None, kernel_size=4, sync_batch_norm=False, norm="batch"):
    """The DCGAN generator: project-and-reshape, then stride-2 transposed convs.

    Batch norm and ReLU after every layer but the last, which is ``tanh``
    (Radford et al. 2015, section 3).

    Args:
        image_shape: (H, W, C) with H = W in {28, 32, 64} and C in {1, 3}.
        latent_dim: size of z.
        width: feature maps of the last hidden layer (w); the first has
            ``w * 2**(n-1)``. Default 64, or 128 (the paper's) at 64x64.
        kernel_size: transposed-conv kernel (4 as in the reference code).
        norm: ``"batch"`` (the paper's) or ``"virtual"`` (virtual batch
            normalization, Salimans et al. 2016; ``kerasgan.models.GAN``
            refreshes its reference batch every training step).
    """
    if norm not in G_NORMS:
        raise ValueError(f"unknown generator norm {norm!r}: choose one of {', '.join(G_NORMS)}")
    size, channels = _check_image_shape(image_shape)
    base, ups = _LAYOUTS[size]
    width = _DEFAULT_WIDTH[size] if width is None else int(width)
    filters = [width * 2 ** (ups - 1 - i) for i in range(ups)]
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(base * base * filters[0], use_bias=False, kernel_initializer=_init(), name="project")(z)
    x = keras.layers.Reshape((base, base, filters[0]), name="reshape")(x)
    x = _g_norm(norm, "project_bn", sync_batch_norm)(x)
    x = keras.layers.ReLU(name="project_relu")(x)
    for i, f in enumerate(filters[1:], start=1):
        x = keras.layers.Conv2DTranspose(
            f, kernel_size, strides=2, padding="same", use_bias=False,
            kernel_initializer=_init(), name=f"deconv{i}",
        )(x)
        x = _g_norm(norm, f"deconv{i}_bn", sync_batch_norm)(x)
        x = keras.layers.ReLU(name=f"deconv{i}_relu")(x)
    x = keras.layers.Conv2DTranspose(
        channels, kernel_size, strides=2, padding="same", use_bias=False,
        kernel_initializer=_init(), name=f"deconv{ups}",
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name="dcgan_generator")


D_NORMS = ("batch", "layer", "spectral", "none")


def dcgan_discriminator(image_shape=(28, 28, 1), width=None, kernel_size=4, norm="batch", minibatch_kernels=0, sync_batch_norm=False, extra_channels=0):
    """The DCGAN discriminator: stride-2 convs with LeakyReLU(0.2), no pooling.

    Batch norm on every layer but the first; the last conv maps the final
    feature map to a single logit (no hidden fully connected layer, no
    sigmoid: the losses take logits).

    Args:
        norm: normalization of the hidden layers. ``"batch"`` (the paper's),
            ``"layer"`` (a WGAN-GP critic: the gradient penalty is per
            sample, so no batch norm; Gulrajani et al. 2017, section 4),
            ``"spectral"`` (SNGAN: every conv spectrally normalized, no other
            normalization; Miyato et al. 2018) or ``"none"``. Layers without
            batch norm get biases.
        minibatch_kernels: > 0 adds a minibatch-discrimination layer with
            that many kernels before the logit (Salimans et al. 2016, 3.2).
        extra_channels: input channels beyond the image's (e.g. a label
            plane of a conditional discriminator).
    """
    if norm not in D_NORMS:
        raise ValueError(f"unknown discriminator norm {norm!r}: choose one of {', '.join(D_NORMS)}")
    size, channels = _check_image_shape(image_shape)
    base, ups = _LAYOUTS[size]
    width = _DEFAULT_WIDTH[size] if width is None else int(width)
    filters = [width * 2**i for i in range(ups)]
    bias = norm != "batch"

    def conv(f, k, strides, padding, name):
        if norm == "spectral":
            return SNConv2D(f, k, strides=strides, padding=padding, use_bias=bias, kernel_initializer=_init(), name=name)
        return keras.layers.Conv2D(
            f, k, strides=strides, padding=padding, use_bias=bias, kernel_initializer=_init(), name=name
        )

    images = keras.Input((size, size, channels + int(extra_channels)), name="images")
    x = images
    for i, f in enumerate(filters):
        x = conv(f, kernel_size, 2, "same", f"conv{i}")(x)
        if i > 0 and norm == "batch":
            x = _batch_norm(f"conv{i}_bn", sync_batch_norm)(x)
        elif i > 0 and norm == "layer":
            x = keras.layers.LayerNormalization(axis=(1, 2, 3), epsilon=1e-5, name=f"conv{i}_ln")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    if minibatch_kernels:
        x = keras.layers.Flatten(name="features")(x)
        x = MinibatchDiscrimination(int(minibatch_kernels), name="minibatch")(x)
        dense = SNDense if norm == "spectral" else keras.layers.Dense
        x = dense(1, kernel_initializer=_init(), name="logit_dense")(x)
    else:
        x = conv(1, base, 1, "valid", "logit_conv")(x)
    logits = keras.layers.Flatten(dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="dcgan_discriminator")


@register_architecture("dcgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford et al. 2015).

    Args:
        image_shape: (H, W, C); H = W in {28, 32, 64}, C in {1, 3}. 64x64 is
            the paper's LSUN architecture.
        latent_dim: size of z (paper: 100).
        g_width, d_width: feature maps of the outermost G / D layer.
            Defaults: 64, or 128 for G at 64x64 (1024 -> 512 -> 256 -> 128
            feature maps as in the paper).
        kernel_size: conv kernel (4, as in the reference implementation).
        d_norm: discriminator normalization, ``"batch"`` (the paper's),
            ``"layer"`` (WGAN-GP critic), ``"spectral"`` (SNGAN) or ``"none"``.
        d_minibatch_kernels: > 0 adds minibatch discrimination to D.
        g_norm: generator normalization, ``"batch"`` (the paper's) or
            ``"virtual"`` (virtual batch normalization, Salimans et al. 2016,
            3.4: each sample is normalized with a fixed reference batch's
            statistics and its own, never its batch-mates').
        latent_distribution: ``"normal"`` (z ~ N(0, I), the default) or
            ``"uniform"`` (z ~ U(-1, 1), the paper's).
        sync_batch_norm: batch-norm statistics over the global batch under a
            ``tf.distribute`` strategy (``BatchNormalization(synchronized=True)``),
            so N replicas train as one device on the same batch.
        seed: seed of the latent draws during training.

    Example:
    >>> gan = DCGAN(image_shape=(64, 64, 3))
    >>> gan.compile()  # Adam(2e-4, beta_1=0.5), non-saturating loss
    >>> gan.sample(4, seed=0).shape
    (4, 64, 64, 3)

    Reference:
        Radford, Metz & Chintala, "Unsupervised Representation Learning with
        Deep Convolutional Generative Adversarial Networks", ICLR 2016.
    """

    # The paper's recipe: Adam(2e-4, beta_1=0.5), non-saturating loss. Batch
    # 64 (the pytorch/examples default; the paper used 128) halves the step
    # time on a CPU and trains as well on MNIST.
    recipe = {**GAN.recipe, "batch_size": 64}

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        g_width=None,
        d_width=None,
        kernel_size=4,
        d_norm="batch",
        d_minibatch_kernels=0,
        sync_batch_norm=False,
        g_norm="batch",
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(int(d) for d in image_shape)
        self._arch_config = {
            "image_shape": image_shape,
            "latent_dim": int(latent_dim),
            "g_width": g_width,
            "d_width": d_width,
            "kernel_size": int(kernel_size),
            "d_norm": d_norm,
            "d_minibatch_kernels": int(d_minibatch_kernels),
            "sync_batch_norm": bool(sync_batch_norm),
        }
        if g_norm != "batch":  # configs of batch-norm models stay as they were
            self._arch_config["g_norm"] = g_norm
        if latent_distribution != "normal":  # likewise
            self._arch_config["latent_distribution"] = latent_distribution
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=dcgan_generator(image_shape, latent_dim, g_width, kernel_size, sync_batch_norm, g_norm),
            discriminator=dcgan_discriminator(
                image_shape, d_width, kernel_size, d_norm, d_minibatch_kernels, sync_batch_norm
            ),
            latent_dim=latent_dim,
            latent_distribution=latent_distribution,
            seed=seed,
            **kwargs,
        )
