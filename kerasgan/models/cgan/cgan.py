"""Class-conditional GAN (Mirza & Osindero 2014) on DCGAN networks, with a projection discriminator option.

G: the label is embedded and concatenated to z, and a DCGAN generator maps
the result to an image. D, ``"concat"`` (Mirza & Osindero): the embedded
label becomes an extra input channel of a DCGAN discriminator. D,
``"projection"`` (Miyato & Koyama 2018): logit = psi(phi(x)) + <embed(y), phi(x)>,
with phi(x) the DCGAN discriminator's last feature map averaged over space
and psi its unconditional logit.
"""

import keras

from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kerasgan.models.dcgan.dcgan import _DEFAULT_WIDTH, _LAYOUTS, _check_image_shape, _init, dcgan_discriminator, dcgan_generator
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common

D_CONDITIONING = ("projection", "concat")


G_LAYOUTS = ("dcgan", "upsample")
G_NORMS = ("batch", "conditional")


def upsample_generator(image_shape, input_dim, width=None, bn_epsilon=1e-5):
    """Nearest-neighbour upsampling + 3x3 convs instead of transposed convs (Odena, Dumoulin & Olah 2016).

    ``input_dim -> Dense(2w * s * s) -> BN -> [upsample x2, conv 3x3, BN, ReLU]
    per doubling -> conv 3x3 to C channels -> tanh``, with s the first map's
    side and 2w feature maps up to the last doubling, which has w (w = 64 by default). This is the
    generator of the widely used PyTorch-GAN conditional/AC-GAN scripts;
    their ``BatchNorm2d(c, 0.8)`` sets epsilon to 0.8, which ``bn_epsilon``
    reproduces for converted checkpoints (the first batch norm keeps 1e-5).
    """
    size, channels = _check_image_shape(image_shape)
    base, ups = _LAYOUTS[size]
    if base * 2**ups != size:
        raise ValueError(f"the upsample layout needs a power-of-two multiple of its first map, got {size}x{size}")
    width = 64 if width is None else int(width)
    filters = [2 * width] * ups + [width]  # 2w at the first map and every doubling but the last
    bn = dict(momentum=0.9)
    z = keras.Input((input_dim,), name="z")
    x = keras.layers.Dense(base * base * filters[0], name="project")(z)
    x = keras.layers.Reshape((base, base, filters[0]), name="reshape")(x)
    x = keras.layers.BatchNormalization(epsilon=1e-5, name="project_bn", **bn)(x)
    for i in range(ups):
        x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"up{i + 1}")(x)
        x = keras.layers.Conv2D(filters[i + 1], 3, padding="same", name=f"conv{i + 1}")(x)
        x = keras.layers.BatchNormalization(epsilon=bn_epsilon, name=f"conv{i + 1}_bn", **bn)(x)
        x = keras.layers.ReLU(name=f"conv{i + 1}_relu")(x)
    x = keras.layers.Conv2D(channels, 3, padding="same", name="to_image")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name="upsample_generator")


def conditional_bn_generator(image_shape, latent_dim, num_classes, width=None, kernel_size=4, sync_batch_norm=False):
    """``[z, labels] -> images``: the DCGAN generator with class-conditional batch norm.

    Every batch norm becomes a ``ConditionalBatchNormalization`` whose scale
    and offset are looked up per class; z enters alone (Miyato & Koyama
    2018 condition G only through its batch norms).
    """
    size, channels = _check_image_shape(image_shape)
    base, ups = _LAYOUTS[size]
    width = _DEFAULT_WIDTH[size] if width is None else int(width)
    filters = [width * 2 ** (ups - 1 - i) for i in range(ups)]
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")

    def cbn(name):
        return ConditionalBatchNormalization(num_classes, momentum=0.9, epsilon=1e-5, synchronized=sync_batch_norm, name=name)

    x = keras.layers.Dense(base * base * filters[0], use_bias=False, kernel_initializer=_init(), name="project")(z)
    x = keras.layers.Reshape((base, base, filters[0]), name="reshape")(x)
    x = keras.layers.ReLU(name="project_relu")(cbn("project_cbn")([x, labels]))
    for i, f in enumerate(filters[1:], start=1):
        x = keras.layers.Conv2DTranspose(
            f, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"deconv{i}"
        )(x)
        x = keras.layers.ReLU(name=f"deconv{i}_relu")(cbn(f"deconv{i}_cbn")([x, labels]))
    x = keras.layers.Conv2DTranspose(
        channels, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"deconv{ups}"
    )(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([z, labels], images, name="conditional_generator")


def conditional_generator(image_shape, latent_dim, num_classes, embedding_dim=None, width=None, kernel_size=4,
                          sync_batch_norm=False, layout="dcgan", bn_epsilon=1e-5, norm="batch"):
    """``[z, labels] -> images``: concat(z, embed(labels)) through a DCGAN (or upsample) generator.

    ``norm="conditional"`` instead conditions every batch norm on the class
    (``conditional_bn_generator``; DCGAN layout only).
    """
    if layout not in G_LAYOUTS:
        raise ValueError(f"unknown generator layout {layout!r}: choose one of {', '.join(G_LAYOUTS)}")
    if norm not in G_NORMS:
        raise ValueError(f"unknown generator norm {norm!r}: choose one of {', '.join(G_NORMS)}")
    if norm == "conditional":
        if layout != "dcgan":
            raise ValueError("g_norm='conditional' is built on the dcgan layout: drop g_layout or use g_norm='batch'")
        if embedding_dim is not None:
            raise ValueError("g_norm='conditional' looks the class up in each batch norm: drop embedding_dim")
        return conditional_bn_generator(image_shape, latent_dim, num_classes, width, kernel_size, sync_batch_norm)
    embedding_dim = num_classes if embedding_dim is None else int(embedding_dim)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    e = keras.layers.Embedding(num_classes, embedding_dim, name="label_embedding")(labels)
    h = keras.layers.Concatenate(name="z_and_label")([z, e])
    if layout == "upsample":
        body = upsample_generator(image_shape, latent_dim + embedding_dim, width, bn_epsilon)
    else:
        body = dcgan_generator(image_shape, latent_dim + embedding_dim, width, kernel_size, sync_batch_norm)
    return keras.Model([z, labels], body(h), name="conditional_generator")


def conditional_discriminator(image_shape, num_classes, conditioning="projection", width=None, kernel_size=4, norm="batch", sync_batch_norm=False):
    """``[images, labels] -> logits`` (batch, 1); ``conditioning`` is ``"projection"`` or ``"concat"``."""
    if conditioning not in D_CONDITIONING:
        raise ValueError(f"unknown conditioning {conditioning!r}: choose one of {', '.join(D_CONDITIONING)}")
    size, channels = _check_image_shape(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    if conditioning == "concat":
        # The label as a constant extra channel: embed to H*W values, reshape, concatenate.
        e = keras.layers.Embedding(num_classes, size * size, name="label_embedding")(labels)
        plane = keras.layers.Reshape((size, size, 1), name="label_plane")(e)
        x = keras.layers.Concatenate(name="image_and_label")([images, plane])
        body = dcgan_discriminator((size, size, channels), width, kernel_size, norm, 0, sync_batch_norm, extra_channels=1)
        logits = body(x)
    else:
        body = dcgan_discriminator(tuple(image_shape), width, kernel_size, norm, 0, sync_batch_norm)
        last = _LAYOUTS[size][1] - 1  # index of the last conv block
        features_and_logit = keras.Model(
            body.input, [body.get_layer(f"conv{last}_lrelu").output, body.output], name="dcgan_discriminator_features"
        )
        phi, psi = features_and_logit(images)
        pooled = keras.layers.GlobalAveragePooling2D(name="pooled_features")(phi)
        e = keras.layers.Embedding(num_classes, int(phi.shape[-1]), name="label_embedding")(labels)
        projection = keras.layers.Dot(axes=1, name="projection")([e, pooled])
        logits = keras.layers.Add(name="logits")([psi, projection])
    return keras.Model([images, labels], logits, name="conditional_discriminator")


def conditional_config(image_shape, num_classes, latent_dim, embedding_dim, g_width, d_width, kernel_size, d_norm, sync_batch_norm):
    """The checked arguments shared by the class-conditional architectures (their saved config)."""
    if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    return {
        "image_shape": tuple(int(d) for d in image_shape),
        "num_classes": int(num_classes),
        "latent_dim": int(latent_dim),
        "embedding_dim": embedding_dim,
        "g_width": g_width,
        "d_width": d_width,
        "kernel_size": int(kernel_size),
        "d_norm": d_norm,
        "sync_batch_norm": bool(sync_batch_norm),
    }


@register_architecture("cgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalGAN(GAN):
    """Class-conditional GAN on DCGAN networks (Mirza & Osindero 2014; Miyato & Koyama 2018).

    Args:
        image_shape: (H, W, C) as for ``DCGAN``.
        num_classes: number of classes; labels are ints in [0, num_classes).
        latent_dim: size of z.
        embedding_dim: size of G's label embedding (default: num_classes).
        g_width, d_width, kernel_size, d_norm, sync_batch_norm: as ``DCGAN``.
        conditioning: how D sees the label, ``"projection"`` (default;
            Miyato & Koyama 2018) or ``"concat"`` (an extra input channel;
            Mirza & Osindero 2014).
        g_layout: ``"dcgan"`` (transposed convs, default) or ``"upsample"``
            (nearest upsampling + 3x3 convs; see ``upsample_generator``).
        g_bn_epsilon: epsilon of the upsample generator's inner batch norms.
        g_norm: ``"batch"`` (default: the label enters G once, concatenated
            to z) or ``"conditional"`` (class-conditional batch norm in every
            layer of G, z alone at the input; Miyato & Koyama 2018).

    Example:
    >>> gan = ConditionalGAN(image_shape=(28, 28, 1), num_classes=10)
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("mnist", labels=True), epochs=1, steps_per_epoch=100)
    >>> gan.sample(10, seed=0, labels=range(10)).shape
    (10, 28, 28, 1)

    References:
        Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014
        (arXiv:1411.1784); Miyato & Koyama, "cGANs with Projection
        Discriminator", ICLR 2018 (arXiv:1802.05637).
    """

    recipe = {**GAN.recipe, "batch_size": 64}

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        num_classes=10,
        latent_dim=100,
        embedding_dim=None,
        g_width=None,
        d_width=None,
        kernel_size=4,
        d_norm="batch",
        conditioning="projection",
        sync_batch_norm=False,
        g_layout="dcgan",
        g_bn_epsilon=1e-5,
        g_norm="batch",
        seed=None,
        **kwargs,
    ):
        self._arch_config = conditional_config(
            image_shape, num_classes, latent_dim, embedding_dim, g_width, d_width, kernel_size, d_norm, sync_batch_norm
        )
        self._arch_config["conditioning"] = conditioning
        image_shape, num_classes = self._arch_config["image_shape"], self._arch_config["num_classes"]
        if g_layout != "dcgan":
            self._arch_config["g_layout"] = g_layout
            self._arch_config["g_bn_epsilon"] = float(g_bn_epsilon)
        if g_norm != "batch":
            self._arch_config["g_norm"] = g_norm
        common.refuse_derived(type(self), kwargs)
        kwargs.pop("num_classes", None)
        super().__init__(
            generator=conditional_generator(
                image_shape, latent_dim, num_classes, embedding_dim, g_width, kernel_size, sync_batch_norm, g_layout, g_bn_epsilon,
                g_norm,
            ),
            discriminator=conditional_discriminator(image_shape, num_classes, conditioning, d_width, kernel_size, d_norm, sync_batch_norm),
            latent_dim=latent_dim,
            num_classes=num_classes,
            seed=seed,
            **kwargs,
        )
