"""CAN (Elgammal et al. 2017): a GAN pushed away from the styles it learned.

D has two heads on one DCGAN trunk: real/fake, and a K-way classifier over
known styles, trained on the real images' styles. G is unconditional; beside
fooling D's real/fake head it is penalised when D can tell which style a
sample belongs to (the style-ambiguity loss, cross-entropy to the uniform
distribution over styles). Samples should look like the data ("art") without
following any one known style ("creative").

Data: ``(images, styles)`` batches, ``styles`` the int index of each real
image's style. ``kerasgan train can --dataset emoji_styles_64`` trains on the
four drawing styles of the emoji set (Noto, Twemoji, OpenMoji colour,
OpenMoji line-art), their train split by code point.
"""

import numpy as np
import tensorflow as tf

import keras

from kerasgan import losses
from kerasgan.models import common
from kerasgan.models.acgan.acgan import acgan_discriminator
from kerasgan.models.batch import head_of
from kerasgan.models.dcgan.dcgan import dcgan_generator
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture

AMBIGUITY_FORMS = ("cross_entropy", "binary")


@register_architecture("can")
@keras.saving.register_keras_serializable(package="kerasgan")
class CAN(GAN):
    """Creative Adversarial Network on DCGAN networks with a style head on D.

    Args:
        image_shape: (H, W, C), H = W in {28, 32, 64} (DCGAN layouts).
        num_styles: K, the known styles D learns to classify.
        style_names: optional names of the K styles (kept in the config;
            ``kerasgan train`` on ``emoji_styles_64`` loads these styles,
            default all four ``kerasgan.data.EMOJI_STYLES``).
        latent_dim, g_width, d_width, kernel_size, d_norm: as ``DCGAN``.
        style_weight: weight of D's style cross-entropy on real images.
        ambiguity_weight: weight of G's style-ambiguity loss; 0 gives a plain
            GAN on the same networks (the paper's baseline), whose D still
            learns the styles.
        ambiguity: ``"cross_entropy"`` (to the uniform distribution over
            styles) or ``"binary"`` (the paper's eq. 3 as printed: K binary
            cross-entropies against 1/K); see ``losses.style_ambiguity_loss``.

    Example:
    >>> gan = CAN(image_shape=(64, 64, 3), num_styles=4)
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load_domains(kerasgan.data.EMOJI_STYLES, labelled=True, batch_size=64), epochs=1)
    >>> gan.style_probabilities(gan.sample(16, seed=0)).shape
    (16, 4)

    Reference:
        Elgammal, Liu, Elhoseiny & Mazzone, "CAN: Creative Adversarial
        Networks, Generating 'Art' by Learning About Styles and Deviating
        from Style Norms", ICCC 2017 (arXiv:1706.07068).
    """

    recipe = {**GAN.recipe, "batch_size": 64}
    auxiliary_metrics = ("d_style", "g_ambiguity")
    #: Key of the style labels in a dict batch; tuple batches ``(images, styles)`` are read as such.
    STYLE_KEY = "styles"

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

    def __init__(
        self,
        image_shape=(64, 64, 3),
        num_styles=4,
        style_names=None,
        latent_dim=100,
        g_width=None,
        d_width=None,
        kernel_size=4,
        d_norm="batch",
        style_weight=1.0,
        ambiguity_weight=1.0,
        ambiguity="cross_entropy",
        seed=None,
        **kwargs,
    ):
        if isinstance(num_styles, bool) or int(num_styles) != num_styles or num_styles < 2:
            raise ValueError(f"num_styles must be an integer >= 2, got {num_styles!r}")
        num_styles = int(num_styles)
        if style_names is not None:
            style_names = [str(n) for n in style_names]
            if len(style_names) != num_styles or len(set(style_names)) != num_styles:
                raise ValueError(f"style_names must be {num_styles} distinct names (num_styles), got {style_names!r}")
        for what, value in (("style_weight", style_weight), ("ambiguity_weight", ambiguity_weight)):
            if not np.isfinite(float(value)) or float(value) < 0:
                raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
        if ambiguity not in AMBIGUITY_FORMS:
            raise ValueError(f"ambiguity must be one of {', '.join(AMBIGUITY_FORMS)}, got {ambiguity!r}")
        image_shape = tuple(int(d) for d in image_shape)
        self.num_styles = num_styles
        self.style_names = style_names
        self.style_weight = float(style_weight)
        self.ambiguity_weight = float(ambiguity_weight)
        self.ambiguity = ambiguity
        self._arch_config = {
            "image_shape": image_shape, "num_styles": num_styles, "style_names": style_names,
            "latent_dim": int(latent_dim), "g_width": g_width, "d_width": d_width, "kernel_size": int(kernel_size),
            "d_norm": d_norm, "style_weight": self.style_weight, "ambiguity_weight": self.ambiguity_weight,
            "ambiguity": ambiguity,
        }
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=dcgan_generator(image_shape, int(latent_dim), g_width, int(kernel_size)),
            discriminator=acgan_discriminator(image_shape, num_styles, d_width, int(kernel_size), d_norm,
                                              head="style_logits", name="can_discriminator"),
            latent_dim=int(latent_dim),
            seed=seed,
            **kwargs,
        )

    # ------------------------------------------------------------ data
    @classmethod
    def is_conditional(cls, model_args):
        return False  # num_styles sizes D's style head; G is unconditional

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``(images, style)`` batches.

        ``emoji_styles_64``: the train split of the styles named by
        ``model_args["style_names"]`` (default all four), labelled by style.
        Any other source: its images with their labels as the styles.
        """
        from kerasgan import data

        args = config.get("model_args") or {}
        if str(config["dataset"]).startswith("emoji_styles_64"):
            if image_size:
                raise ValueError("the emoji styles are 64x64: drop image_size")
            names = args.get("style_names") or list(data.EMOJI_STYLES)
            if len(names) != int(args.get("num_styles", 4)):
                raise ValueError(f"model_args: num_styles={args.get('num_styles', 4)} but {len(names)} style names: "
                                 f"pass style_names with one name per style")
            return data.load_domains(names, batch_size=batch_size, seed=seed, repeat=repeat, labelled=True)
        return common.load_run_dataset(config, batch_size, seed, repeat, image_size, labels=True)

    def _extras(self, data):
        # (images, styles) tuples carry the styles where a conditional GAN's labels would be.
        if isinstance(data, (tuple, list)) and len(data) > 1:
            return {self.STYLE_KEY: data[1]}
        return super()._extras(data)

    def _as_dataset(self, x, y, batch_size, shuffle):
        if x is not None and not isinstance(x, tf.data.Dataset):
            if y is None:
                raise ValueError("CAN needs the style of each training image: fit(images, styles)")
            y = np.asarray(y)
            if y.shape != (len(x),) or y.dtype.kind not in "iu":
                raise ValueError(f"styles must be ({len(x)},) integers, got {y.dtype} {y.shape}")
            if len(y) and (y.min() < 0 or y.max() >= self.num_styles):
                raise ValueError(f"styles must lie in [0, {self.num_styles - 1}] (num_styles={self.num_styles}), "
                                 f"got {y.min()} to {y.max()}")
            y = y.astype("int32")
        return super()._as_dataset(x, y, batch_size, shuffle)

    # ------------------------------------------------------------ losses
    def compute_auxiliary_terms(self, player, batch):
        if player == "generator":
            style_logits = head_of(batch.fake_output, "style_logits", "CAN's style-ambiguity loss")
            ambiguity = losses.style_ambiguity_loss(style_logits, self.ambiguity)
            return {"g_ambiguity": self.ambiguity_weight * ambiguity}
        styles = batch.extras.get(self.STYLE_KEY)
        if styles is None:
            raise ValueError(
                "CAN needs the style of each real image: train it on (images, styles) batches, e.g. "
                "kerasgan.data.load_domains(styles, labelled=True) or fit(images, styles)"
            )
        ce = losses.auxiliary_classifier_loss(head_of(batch.real_output, "style_logits", "CAN's style loss"), styles)
        return {"d_style": self.style_weight * ce}

    # ------------------------------------------------------------ use
    def style_probabilities(self, images, batch_size=256):
        """D's style posterior (N, num_styles) for images in [-1, 1], as numpy."""
        self.check_images(images)
        images = np.asarray(images, "float32")
        out = [
            keras.ops.convert_to_numpy(
                keras.ops.softmax(self.discriminator(images[i : i + batch_size], training=False)["style_logits"], axis=-1)
            )
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(out) if out else np.zeros((0, self.num_styles), "float32")
