"""Goodfellow et al. 2014's fully connected GAN for MNIST."""

import keras

from kerasgan.layers.maxout import Maxout
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common


def vanilla_generator(image_shape=(28, 28, 1), latent_dim=100, units=(1200, 1200), activation="relu"):
    """MLP generator: ``latent -> units... -> prod(image_shape)`` with a tanh output.

    The paper's MNIST generator has two 1200-unit ReLU layers and a sigmoid
    output; ours ends in tanh so images live in [-1, 1] like every kerasgan
    model (an affine change of the output range only).
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, n in enumerate(units):
        x = keras.layers.Dense(int(n), activation=activation, name=f"dense{i}")(x)
    size = 1
    for d in image_shape:
        size *= int(d)
    x = keras.layers.Dense(size, name=f"dense{len(units)}")(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    images = keras.layers.Reshape(tuple(image_shape), dtype="float32", name="images")(x)
    return keras.Model(z, images, name="vanilla_generator")


def vanilla_discriminator(
    image_shape=(28, 28, 1), units=(240, 240), pieces=5, dropout=0.5, input_dropout=0.2, activation="maxout"
):
    """MLP discriminator with dropout, one logit per image.

    The paper's MNIST discriminator: two maxout layers of 240 units x 5
    pieces, dropout 0.2 on the input and 0.5 on hidden layers (pylearn2
    include probabilities 0.8 / 0.5). ``activation="leaky_relu"`` gives
    plain Dense + LeakyReLU(0.2) layers instead (the layout of many later
    MLP GANs, used to import their checkpoints).
    """
    if activation not in ("maxout", "leaky_relu"):
        raise ValueError(f"d_activation must be 'maxout' or 'leaky_relu', got {activation!r}")
    images = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Flatten(name="flatten")(images)
    if input_dropout:
        x = keras.layers.Dropout(input_dropout, name="input_dropout")(x)
    for i, n in enumerate(units):
        if activation == "maxout":
            x = Maxout(int(n), pieces=int(pieces), name=f"maxout{i}")(x)
        else:
            x = keras.layers.Dense(int(n), name=f"dense{i}")(x)
            x = keras.layers.LeakyReLU(0.2, name=f"lrelu{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    logits = keras.layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name="vanilla_discriminator")


@register_architecture("vanilla_gan")
@keras.saving.register_keras_serializable(package="kerasgan")
class VanillaGAN(GAN):
    """The original GAN: fully connected generator, maxout discriminator.

    Any of the three generator losses of the paper and the 2016 tutorial is
    selectable at compile time: ``gan.compile(g_loss="minimax")`` (the
    saturating log(1 - D(G(z)))), ``"modified"`` (the non-saturating
    heuristic, the default) or ``"maximum_likelihood"``.

    Args:
        image_shape: image shape (H, W, C).
        latent_dim: size of z (paper: 100).
        g_units: hidden layer sizes of G (paper: 1200, 1200).
        g_activation: hidden activation of G (paper: ReLU).
        d_units: maxout units per hidden layer of D (paper: 240, 240).
        d_activation: "maxout" (paper) or "leaky_relu".
        maxout_pieces: linear pieces per maxout unit (paper: 5).
        d_dropout, input_dropout: dropout rates in D (paper: 0.5, 0.2).
        latent_distribution: "uniform" (paper: U(-1, 1)) or "normal".
        seed: seed of the latent draws during training.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    # The paper trained with SGD + momentum (pylearn2); this recipe uses Adam.
    # Measured on MNIST, seed 0, 2,000 steps: lr 5e-4 gives recognisable (if
    # speckled) digits of most classes, where 2e-4 still shows mostly 9s and 1s.
    recipe = {
        **GAN.recipe,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 5e-4, "beta_1": 0.5}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 5e-4, "beta_1": 0.5}},
        "batch_size": 100,
    }

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator")

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        g_units=(1200, 1200),
        g_activation="relu",
        d_units=(240, 240),
        maxout_pieces=5,
        d_activation="maxout",
        d_dropout=0.5,
        input_dropout=0.2,
        latent_distribution="uniform",
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(int(d) for d in image_shape)
        self._arch_config = {
            "image_shape": image_shape,
            "latent_dim": int(latent_dim),
            "g_units": tuple(int(u) for u in g_units),
            "g_activation": g_activation,
            "d_units": tuple(int(u) for u in d_units),
            "maxout_pieces": int(maxout_pieces),
            "d_activation": d_activation,
            "d_dropout": float(d_dropout),
            "input_dropout": float(input_dropout),
            "latent_distribution": latent_distribution,
        }
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=vanilla_generator(image_shape, latent_dim, g_units, g_activation),
            discriminator=vanilla_discriminator(
                image_shape, d_units, maxout_pieces, d_dropout, input_dropout, d_activation
            ),
            latent_dim=latent_dim,
            latent_distribution=latent_distribution,
            seed=seed,
            **kwargs,
        )
