"""AC-GAN (Odena, Olah & Shlens 2017): a class-conditional G and a D with an auxiliary classifier head.

D sees images only and returns ``{"logits": real/fake, "class_logits": ...}``.
With L_S the real/fake log-likelihood and L_C = log P(C = c | X_real) +
log P(C = c | X_fake) (paper, eq. 1-2), D maximises L_S + L_C and G
maximises L_C - L_S; here G's -L_S is the non-saturating loss (or the
chosen objective) and both class terms are weighted by ``class_weight``.
"""

import keras

from kerasgan import losses
from kerasgan.models.cgan.cgan import conditional_config, conditional_generator
from kerasgan.models.dcgan.dcgan import _LAYOUTS, _check_image_shape, dcgan_discriminator
from kerasgan.models.batch import head_of
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common


def acgan_discriminator(image_shape, num_classes, width=None, kernel_size=4, norm="batch", sync_batch_norm=False,
                        head="class_logits", name="acgan_discriminator"):
    """``images -> {"logits": (batch, 1), head: (batch, num_classes)}`` on a DCGAN body.

    ``head`` names the classifier output (CAN's style head is ``"style_logits"``).
    """
    size, _ = _check_image_shape(image_shape)
    body = dcgan_discriminator(tuple(image_shape), width, kernel_size, norm, 0, sync_batch_norm)
    last = _LAYOUTS[size][1] - 1
    features_and_logit = keras.Model(
        body.input, [body.get_layer(f"conv{last}_lrelu").output, body.output], name="dcgan_discriminator_features"
    )
    images = keras.Input(tuple(image_shape), name="images")
    phi, logits = features_and_logit(images)
    flat = keras.layers.Flatten(name="class_features")(phi)
    class_logits = keras.layers.Dense(num_classes, dtype="float32", name=head)(flat)
    return keras.Model(images, {"logits": logits, head: class_logits}, name=name)


NEEDED_BY = "AC-GAN's class loss"


@register_architecture("acgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class ACGAN(GAN):
    """Auxiliary-classifier GAN (Odena et al. 2017) on DCGAN networks.

    Args:
        image_shape, num_classes, latent_dim, embedding_dim, g_width,
            d_width, kernel_size, d_norm, sync_batch_norm: as
            ``ConditionalGAN`` (G is the same label-conditioned generator).
        class_weight: weight of the class terms in both players' losses.

    Example:
    >>> gan = ACGAN(image_shape=(28, 28, 1), num_classes=10)
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("mnist", labels=True), epochs=1, steps_per_epoch=100)
    >>> gan.sample(10, seed=0, labels=range(10)).shape
    (10, 28, 28, 1)

    Reference:
        Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary
        Classifier GANs", ICML 2017 (arXiv:1610.09585).
    """

    recipe = {**GAN.recipe, "batch_size": 64}
    auxiliary_metrics = ("d_class", "g_class")

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

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
        sync_batch_norm=False,
        class_weight=1.0,
        seed=None,
        **kwargs,
    ):
        if float(class_weight) < 0:
            raise ValueError(f"class_weight must be >= 0, got {class_weight!r}")
        self.class_weight = float(class_weight)
        self._arch_config = conditional_config(
            image_shape, num_classes, latent_dim, embedding_dim, g_width, d_width, kernel_size, d_norm, sync_batch_norm
        )
        self._arch_config["class_weight"] = self.class_weight
        image_shape, num_classes = self._arch_config["image_shape"], self._arch_config["num_classes"]
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=conditional_generator(image_shape, latent_dim, num_classes, embedding_dim, g_width, kernel_size, sync_batch_norm),
            discriminator=acgan_discriminator(image_shape, num_classes, d_width, kernel_size, d_norm, sync_batch_norm),
            latent_dim=latent_dim,
            num_classes=num_classes,
            seed=seed,
            **kwargs,
        )

    def _discriminate(self, images, labels, training):
        # The class is D's output, not its input.
        return self.discriminator(images, training=training)

    def compute_auxiliary_terms(self, player, batch):
        if batch.labels is None:
            raise ValueError("AC-GAN needs labels: train it on (images, labels) batches")
        fake = losses.auxiliary_classifier_loss(head_of(batch.fake_output, "class_logits", NEEDED_BY), batch.labels)
        if player == "generator":
            return {"g_class": self.class_weight * fake}
        real = losses.auxiliary_classifier_loss(head_of(batch.real_output, "class_logits", NEEDED_BY), batch.labels)
        return {"d_class": self.class_weight * (real + fake)}

    def classify(self, images):
        """D's class probabilities for images in [-1, 1]: (N, num_classes) numpy."""
        import numpy as np

        out = self.discriminator(np.asarray(images, "float32"), training=False)
        return keras.ops.convert_to_numpy(keras.ops.softmax(out["class_logits"], axis=-1))
