"""BiGAN / ALI (Donahue et al. 2016; Dumoulin et al. 2016): an encoder learned adversarially with the generator.

An encoder E maps images to latents. The discriminator judges joint pairs:
``(x, E(x))`` for data and ``(G(z), z)`` for generated images. D is the
usual real/fake classifier of the two kinds of pair; G and E together are
one player that makes the pairs indistinguishable, trained with inverted
labels (the paper's non-saturating form: G's pairs labelled real, E's
labelled fake). At the optimum E inverts G, so ``E(x)`` is a learned
representation of x and ``G(E(x))`` a reconstruction.
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common


def _check_shape(image_shape):
    image_shape = tuple(int(d) for d in image_shape)
    if len(image_shape) != 3 or min(image_shape) < 1:
        raise ValueError(f"image_shape must be (H, W, C), got {image_shape}")
    return image_shape


def bigan_generator(image_shape, latent_dim, units=1024):
    """``z -> images``: two FC-BN-ReLU layers and a tanh output layer (the paper's MNIST G)."""
    image_shape = _check_shape(image_shape)
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in (1, 2):
        x = keras.layers.Dense(units, use_bias=False, name=f"fc{i}")(x)
        x = keras.layers.ReLU(name=f"fc{i}_relu")(keras.layers.BatchNormalization(momentum=0.9, name=f"fc{i}_bn")(x))
    x = keras.layers.Dense(int(np.prod(image_shape)), name="to_pixels")(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    images = keras.layers.Reshape(image_shape, name="images")(x)
    return keras.Model(z, images, name="bigan_generator")


def bigan_encoder(image_shape, latent_dim, units=1024):
    """``images -> z``: FC-lReLU, FC-BN-lReLU, linear output (the paper's MNIST E, deterministic)."""
    image_shape = _check_shape(image_shape)
    images = keras.Input(image_shape, name="images")
    x = keras.layers.Flatten(name="flatten")(images)
    x = keras.layers.LeakyReLU(0.2, name="fc1_lrelu")(keras.layers.Dense(units, name="fc1")(x))
    x = keras.layers.Dense(units, use_bias=False, name="fc2")(x)
    x = keras.layers.LeakyReLU(0.2, name="fc2_lrelu")(keras.layers.BatchNormalization(momentum=0.9, name="fc2_bn")(x))
    z = keras.layers.Dense(latent_dim, dtype="float32", name="z")(x)
    return keras.Model(images, z, name="bigan_encoder")


def bigan_discriminator(image_shape, latent_dim, units=1024, dropout=0.2):
    """``[images, z] -> logit``: x through FC-lReLU, joined with z, FC-lReLU, one logit.

    Dropout on the hidden layers as in the reference code keeps D from
    memorising pairs.
    """
    image_shape = _check_shape(image_shape)
    images = keras.Input(image_shape, name="images")
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Flatten(name="flatten")(images)
    x = keras.layers.LeakyReLU(0.2, name="x_lrelu")(keras.layers.Dense(units, name="x_fc")(x))
    x = keras.layers.Dropout(dropout, name="x_dropout")(x)
    h = keras.layers.Concatenate(name="joint")([x, z])
    h = keras.layers.LeakyReLU(0.2, name="joint_lrelu")(keras.layers.Dense(units, name="joint_fc")(h))
    h = keras.layers.Dropout(dropout, name="joint_dropout")(h)
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(h)
    return keras.Model([images, z], logits, name="bigan_discriminator")


@register_architecture("bigan")
@keras.saving.register_keras_serializable(package="kerasgan")
class BiGAN(GAN):
    """Bidirectional GAN: G, an encoder E and a joint discriminator D(x, z).

    Args:
        image_shape: (H, W, C) of the images (MNIST: (28, 28, 1)).
        latent_dim: size of z (paper, MNIST: 50), drawn U(-1, 1).
        units: hidden units of every network (paper: 1024).
        d_dropout: dropout of D's hidden layers.
        seed: seed of the latent draws during training.

    ``encode(images)`` gives E(x); ``reconstruct(images)`` gives G(E(x)).
    The networks are ``generator``, ``discriminator`` and ``encoder``; the
    generator player trains G and E.

    Example:
    >>> gan = BiGAN()
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("mnist"), epochs=1, steps_per_epoch=100)
    >>> features = gan.encode(test_images)          # (N, 50)

    References:
        Donahue, Kraehenbuehl & Darrell, "Adversarial Feature Learning",
        ICLR 2017 (arXiv:1605.09782); Dumoulin et al., "Adversarially
        Learned Inference", ICLR 2017 (arXiv:1606.00704).
    """

    # Paper (MNIST): Adam 2e-4, beta_1 0.5, batch 128.
    recipe = {**GAN.recipe, "batch_size": 128}
    generator_sees_real = True

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

    def __init__(self, image_shape=(28, 28, 1), latent_dim=50, units=1024, d_dropout=0.2, seed=None, **kwargs):
        image_shape = _check_shape(image_shape)
        if int(latent_dim) < 1 or int(units) < 1 or not 0.0 <= float(d_dropout) < 1.0:
            raise ValueError(f"need latent_dim >= 1, units >= 1 and 0 <= d_dropout < 1; got {latent_dim}, {units}, {d_dropout}")
        self._arch_config = {"image_shape": image_shape, "latent_dim": int(latent_dim), "units": int(units), "d_dropout": float(d_dropout)}
        self.encoder = bigan_encoder(image_shape, int(latent_dim), int(units))
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=bigan_generator(image_shape, int(latent_dim), int(units)),
            discriminator=bigan_discriminator(image_shape, int(latent_dim), int(units), float(d_dropout)),
            latent_dim=int(latent_dim),
            latent_distribution="uniform",
            seed=seed,
            **kwargs,
        )

    @property
    def networks(self):
        return {**super().networks, "encoder": self.encoder}

    def player_variables(self, player):
        variables = super().player_variables(player)
        if player == "generator":
            return variables + self.encoder.trainable_variables
        return variables

    # D sees (x, E(x)) for data and (G(z), z) for generated images.
    def _discriminate(self, images, labels, training):
        images = tf.convert_to_tensor(images)
        return self.discriminator([images, self.encoder(images, training=training)], training=training)

    def discriminate_step(self, images, labels, latents, real, training=True):
        if real:
            return self._discriminate(images, labels, training)
        return self.discriminator([tf.convert_to_tensor(images), tf.convert_to_tensor(latents)], training=training)

    def compute_generator_loss(self, batch):
        """G and E with inverted labels: G's pairs should read as data, E's pairs as generated."""
        # -log D(G(z), z) - log(1 - D(x, E(x))): the generator loss on the fake
        # pairs plus the same loss on the negated logits of the real pairs.
        return self.g_loss_fn(batch.fake_logits) + self.g_loss_fn(-batch.real_logits)

    def compile(self, *args, **kwargs):
        for key in ("gradient_penalty", "r1_gamma", "feature_matching"):
            if kwargs.get(key):
                raise ValueError(f"BiGAN does not support {key}: its discriminator judges (image, latent) pairs")
        return super().compile(*args, **kwargs)

    # ------------------------------------------------------------ use
    def encode(self, images, batch_size=256):
        """E(x) for images in [-1, 1]: float32 numpy (N, latent_dim)."""
        self.check_images(images)
        images = np.asarray(images, "float32")
        out = [keras.ops.convert_to_numpy(self.encoder(images[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.latent_dim), "float32")

    def reconstruct(self, images, batch_size=256):
        """G(E(x)): images in [-1, 1] (the EMA generator when the model keeps one)."""
        return self.generate(self.encode(images, batch_size), batch_size=batch_size)

    def serving_endpoints(self):
        """The latent -> image endpoints plus ``encode``: float images -> latents ``z``."""
        spec = super().serving_endpoints()
        encoder = self.encoder

        def encode_fn(images):
            return {"z": tf.cast(encoder(images, training=False), tf.float32)}

        spec["track"].append(encoder)
        spec["endpoints"]["encode"] = (encode_fn, [tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")])
        return spec
