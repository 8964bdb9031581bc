"""Semi-supervised GAN (Salimans et al. 2016, section 5): a K-class discriminator that also tells real from fake.

D outputs K class logits l_1..l_K; with Z(x) = sum_k exp(l_k), the
probability that x is real is Z / (Z + 1) (the "K+1-th class" with its logit
fixed at 0). D's loss is the cross-entropy of the labelled examples over the
K classes plus the unsupervised GAN loss on unlabelled real and generated
images:

    -log(Z(x) / (Z(x) + 1)) = softplus(LSE(x)) - LSE(x)   for real x,
    -log(1 / (Z(G(z)) + 1)) = softplus(LSE(G(z)))         for fakes,

with LSE = log-sum-exp of the logits, i.e. the usual sigmoid GAN loss on the
logit LSE. G trains by feature matching on D's last hidden layer (section
3.1), which the paper found best for classification. Batches are dicts:
``{"images": unlabelled batch, "labeled_images": ..., "labeled_classes": ...}``
(``kerasgan.data.semi_supervised`` builds them).
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models import common
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture


def ssgan_generator(image_shape, latent_dim, units=500):
    """The paper's MNIST G: two FC-BN-softplus layers of 500, a tanh output layer."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in (1, 2):
        x = keras.layers.Dense(units, use_bias=False, name=f"fc{i}")(x)
        x = keras.layers.Activation("softplus", name=f"fc{i}_softplus")(keras.layers.BatchNormalization(momentum=0.9, name=f"fc{i}_bn")(x))
    x = keras.layers.Dense(int(np.prod(image_shape)), name="to_pixels")(x)
    images = keras.layers.Reshape(tuple(image_shape), name="images")(keras.layers.Activation("tanh", dtype="float32", name="tanh")(x))
    return keras.Model(z, images, name="ssgan_generator")


def ssgan_discriminator(image_shape, num_classes, units=(1000, 500, 250, 250, 250), input_noise=0.3, hidden_noise=0.5):
    """The paper's MNIST D: Gaussian noise on the input and every hidden layer, FC-ReLU layers, K class logits.

    The last hidden layer is named ``features`` (feature matching reads it).
    """
    images = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Flatten(name="flatten")(images)
    x = keras.layers.GaussianNoise(input_noise, name="input_noise")(x)
    for i, n in enumerate(units):
        last = i == len(units) - 1
        x = keras.layers.Dense(n, activation="relu", name="features" if last else f"fc{i + 1}")(x)
        x = keras.layers.GaussianNoise(hidden_noise, name=f"noise{i + 1}")(x)
    logits = keras.layers.Dense(num_classes, dtype="float32", name="class_logits")(x)
    return keras.Model(images, logits, name="ssgan_discriminator")


@register_architecture("ssgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class SemiSupervisedGAN(GAN):
    """A GAN whose discriminator is a K-class classifier trained on a few labels (Salimans et al. 2016).

    Args:
        image_shape: (H, W, C) (MNIST: (28, 28, 1)).
        num_classes: K.
        latent_dim: size of z, drawn U(-1, 1) (paper: 100).
        g_units: hidden units of G (paper: 500).
        d_units: hidden layer sizes of D (paper: 1000, 500, 250, 250, 250).
        input_noise, hidden_noise: std of D's Gaussian noise layers (paper: 0.3, 0.5).
        supervised_weight: weight of the labelled cross-entropy in D's loss.
        seed: seed of the latent draws.

    ``classify(images)`` returns class probabilities; ``error_count(images,
    labels)`` the paper's number of misclassified test images.

    Reference:
        Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen, "Improved
        Techniques for Training GANs", NeurIPS 2016 (arXiv:1606.03498), section 5.
    """

    # Paper code (MNIST): Adam 0.003, beta_1 0.5, batch 100, feature matching.
    recipe = {
        **GAN.recipe,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 3e-3, "beta_1": 0.5}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 3e-3, "beta_1": 0.5}},
        "feature_matching": "features",
        "batch_size": 100,
    }
    auxiliary_metrics = ("d_supervised",)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution")

    def __init__(self, image_shape=(28, 28, 1), num_classes=10, latent_dim=100, g_units=500, d_units=(1000, 500, 250, 250, 250),
                 input_noise=0.3, hidden_noise=0.5, supervised_weight=1.0, seed=None, **kwargs):
        if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        if float(supervised_weight) < 0:
            raise ValueError(f"supervised_weight must be >= 0, got {supervised_weight!r}")
        self.class_count = int(num_classes)
        self.supervised_weight = float(supervised_weight)
        d_units = tuple(int(u) for u in d_units)
        self._arch_config = {
            "image_shape": tuple(int(d) for d in image_shape), "num_classes": self.class_count, "latent_dim": int(latent_dim),
            "g_units": int(g_units), "d_units": list(d_units), "input_noise": float(input_noise),
            "hidden_noise": float(hidden_noise), "supervised_weight": self.supervised_weight,
        }
        common.refuse_derived(type(self), kwargs)
        kwargs.pop("num_classes", None)
        super().__init__(
            generator=ssgan_generator(image_shape, int(latent_dim), int(g_units)),
            discriminator=ssgan_discriminator(image_shape, self.class_count, d_units, float(input_noise), float(hidden_noise)),
            latent_dim=int(latent_dim),
            latent_distribution="uniform",
            seed=seed,
            **kwargs,
        )

    def _validate_networks(self):
        # D's output is K class logits, not one logit: check G's images reach it.
        z = tf.zeros((2, self.latent_dim))
        images = self.generator(z, training=False)
        logits = self.discriminator(images, training=False)
        if tuple(logits.shape) != (2, self.class_count):
            raise ValueError(f"the discriminator must output {self.class_count} class logits, got shape {tuple(logits.shape)}")
        return tuple(int(d) for d in images.shape[1:])

    # ------------------------------------------------------------ data
    @classmethod
    def is_conditional(cls, model_args):
        return False  # num_classes sizes D's classifier; G is unconditional

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``data.semi_supervised`` with ``config["num_labelled"]`` labels (default 100).

        The labelled subset is drawn with ``config["label_seed"]`` (default:
        the run's seed), so runs over several label draws differ only there.
        """
        from kerasgan import data

        if image_size:
            raise ValueError("a semi-supervised GAN trains on its dataset's own image size: drop image_size")
        dataset, _ = data.semi_supervised(
            config["dataset"], num_labelled=config.get("num_labelled", 100), batch_size=batch_size,
            seed=int(config.get("label_seed", seed)),
        )
        return dataset

    # ------------------------------------------------------------ losses
    @staticmethod
    def real_logit(class_logits):
        """The real/fake logit of K class logits: log-sum-exp (the K+1-th class's logit is 0)."""
        return tf.reduce_logsumexp(tf.cast(class_logits, tf.float32), axis=-1)

    def compute_discriminator_loss(self, batch):
        # The sigmoid GAN loss on LSE: -log sigmoid(LSE(x)) - log(1 - sigmoid(LSE(G(z)))).
        lse = batch.replace(real_output=self.real_logit(batch.real_logits), fake_output=self.real_logit(batch.fake_logits))
        return common.discriminator_loss(self.d_loss_fn, lse, self.label_smoothing)

    def compute_generator_loss(self, batch):
        if self._feature_model is None:  # feature matching off: the non-saturating loss on LSE
            return self.g_loss_fn(self.real_logit(batch.fake_logits))
        return super().compute_generator_loss(batch)

    def compute_auxiliary_terms(self, player, batch):
        if player != "discriminator":
            return {}
        images = batch.extras.get("labeled_images")
        classes = batch.extras.get("labeled_classes")
        if images is None or classes is None:
            raise ValueError(
                "a semi-supervised GAN trains on dict batches with 'images', 'labeled_images' and 'labeled_classes': "
                "build them with kerasgan.data.semi_supervised(...)"
            )
        logits = tf.cast(self.discriminator(images, training=True), tf.float32)
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.cast(tf.reshape(classes, [-1]), tf.int32), logits=logits)
        return {"d_supervised": self.supervised_weight * tf.nn.compute_average_loss(ce)}

    def _probabilities(self, fn, logits):
        return super()._probabilities(fn, self.real_logit(logits))

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains on a dataset of dict batches (``kerasgan.data.semi_supervised``), or on arrays.

        With arrays, ``x`` are all training images and ``y`` their classes
        with ``-1`` for the unlabelled ones (scikit-learn's convention); each
        step then draws ``batch_size`` unlabelled images and ``batch_size``
        labelled ones (the labelled set cycled). An epoch is one pass over
        ``x``.
        """
        if isinstance(x, tf.data.Dataset) or y is None:
            if y is None and not isinstance(x, tf.data.Dataset):
                raise ValueError("a semi-supervised GAN needs labels: fit(x, y) with y = -1 for unlabelled images, "
                                 "or a dataset from kerasgan.data.semi_supervised")
            return super().fit(x, batch_size=batch_size, epochs=epochs, shuffle=shuffle, **kwargs)
        x = np.asarray(x)
        self.check_images(x, "x")
        y = np.asarray(y)
        if y.shape != (len(x),) or y.dtype.kind not in "iu":
            raise ValueError(f"y must be ({len(x)},) integer classes with -1 for unlabelled images, got {y.dtype} {y.shape}")
        if y.max() >= self.class_count or y.min() < -1:
            raise ValueError(f"y must lie in [-1, {self.class_count - 1}] (-1: unlabelled), got {y.min()} to {y.max()}")
        known = np.flatnonzero(y >= 0)
        if not len(known):
            raise ValueError("y has no labelled example (all -1): label at least one image per class")
        batch_size = int(batch_size or self.recipe["batch_size"])
        seed = self.seed or 0
        unlabelled = tf.data.Dataset.from_tensor_slices(x.astype("float32"))
        if shuffle:
            unlabelled = unlabelled.shuffle(len(x), seed=seed)
        labelled = tf.data.Dataset.from_tensor_slices((x[known].astype("float32"), y[known].astype("int32")))
        labelled = labelled.shuffle(len(known), seed=seed + 1).repeat().batch(batch_size, drop_remainder=True)
        dataset = tf.data.Dataset.zip((unlabelled.repeat().batch(batch_size, drop_remainder=True), labelled)).map(
            lambda u, lab: {"images": u, "labeled_images": lab[0], "labeled_classes": lab[1]}
        )
        kwargs.setdefault("steps_per_epoch", max(1, len(x) // batch_size))
        return super().fit(dataset, epochs=epochs, shuffle=False, **kwargs)

    # ------------------------------------------------------------ use
    def classify(self, images, batch_size=500):
        """Class probabilities (N, K) of D for images in [-1, 1] (noise layers off)."""
        self.check_images(images)
        images = np.asarray(images, "float32")
        out = [
            keras.ops.convert_to_numpy(keras.ops.softmax(self.discriminator(images[i : i + batch_size], training=False), axis=-1))
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.class_count), "float32")

    def error_count(self, images, labels):
        """Misclassified images (the paper's table reports them out of the 10,000 MNIST test images)."""
        return int(np.sum(np.argmax(self.classify(images), axis=1) != np.asarray(labels)))
