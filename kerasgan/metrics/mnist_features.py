"""A small MNIST classifier as the feature network for 28x28 data.

Inception features mean little on 28x28 greyscale digits, so GAN papers on
MNIST measure "MNIST FID" and an MNIST "classifier score" with a classifier
trained on MNIST itself (as TF-GAN's MNIST evaluation does). This module ships
such a classifier, trained by ``tools/train_mnist_classifier.py``:

* ``build_classifier`` -- the architecture, shared with the training tool:
  conv32-pool-conv64-pool-conv128-pool (each conv followed by batch norm and
  ReLU), a 128-unit ReLU layer named ``"features"`` (the embedding used for
  FID-like scores), dropout, softmax 10;
* ``MNISTClassifier`` -- loads the shipped, sha256-checked weights and turns
  images in [-1, 1] (the range of kerasgan generators) or uint8 into features,
  class probabilities or labels;
* ``mode_coverage`` -- the class histogram of samples, its KL divergence to
  uniform and the number of classes covered (mode collapse on MNIST);
* ``classifier_score`` -- the Inception-Score formula applied to this classifier.

The shipped weights (``weights/mnist_classifier.weights.h5``, 689 KB, 160 k
parameters) were trained on the 60,000 MNIST training images (3 epochs, batch
128, Adam 2e-3 cosine-decayed to 0, seed 0, op determinism on: the same command
gives the same file on one machine). They score 99.36% on the 10,000 test images
(``TEST_ACCURACY``; 99.15% on the first 2,000, which are harder). The weights
are ours, released with kerasgan; MNIST: LeCun, Cortes and Burges, CC BY-SA 3.0.

Reference:
    LeCun et al., "Gradient-Based Learning Applied to Document Recognition", 1998.
    Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016
    (the Inception Score, whose formula ``classifier_score`` uses).
    Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a
    Local Nash Equilibrium", NeurIPS 2017 (FID).
"""

import math
import pathlib

import numpy as np
from kerasgan.utils.files import checked_weights, sha256

__all__ = [
    "FEATURE_DIM",
    "FEATURE_LAYER",
    "IMAGE_SHAPE",
    "MNISTClassifier",
    "NUM_CLASSES",
    "TEST_ACCURACY",
    "WEIGHTS_FILENAME",
    "WEIGHTS_SHA256",
    "build_classifier",
    "classifier_score",
    "default_weights_path",
    "mode_coverage",
    "preprocess",
]

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
FEATURE_DIM = 128
FEATURE_LAYER = "features"
WEIGHTS_FILENAME = "mnist_classifier.weights.h5"
WEIGHTS_SHA256 = "90d83fd1b5f4656e8f97366dfa8251476e0ed9b34b72da90b891f1adbd6e931c"
TEST_ACCURACY = 0.9936  # on the 10,000 MNIST test images, as printed by the training tool
RANGE_TOLERANCE = 1e-4  # float inputs may exceed [-1, 1] by this much (rounding); they are clipped


# --------------------------------------------------------------------------- network


def build_classifier(dropout=0.25):
    """The classifier: float32 (N, 28, 28, 1) in [-1, 1] -> softmax over 10 digits.

    The layer named ``FEATURE_LAYER`` ("features", 128 ReLU units) is the
    embedding. Layer names are fixed so that weight files stay loadable.
    """
    import keras
    from keras import layers

    inputs = keras.Input(IMAGE_SHAPE, dtype="float32", name="images")
    x = inputs
    for i, filters in enumerate((32, 64, 128)):
        # 28 -> 14 -> 7 with "same" convolutions, then a "valid" one: 7 -> 5 -> 2.
        padding = "valid" if i == 2 else "same"
        x = layers.Conv2D(filters, 3, padding=padding, use_bias=False, dtype="float32", name=f"conv{i}")(x)
        x = layers.BatchNormalization(dtype="float32", name=f"conv{i}_bn")(x)
        x = layers.ReLU(dtype="float32", name=f"conv{i}_relu")(x)
        x = layers.MaxPooling2D(2, dtype="float32", name=f"pool{i}")(x)
    x = layers.Flatten(dtype="float32", name="flatten")(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", dtype="float32", name=FEATURE_LAYER)(x)
    x = layers.Dropout(dropout, dtype="float32", name="dropout")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_classifier")


# --------------------------------------------------------------------------- weights


def default_weights_path():
    """Where the shipped weights live: ``kerasgan/metrics/weights/`` beside this module."""
    return pathlib.Path(__file__).resolve().parent / "weights" / WEIGHTS_FILENAME


def _resolve(weights, sha256):
    return checked_weights(default_weights_path() if weights is None else weights, sha256, "MNIST classifier")


# --------------------------------------------------------------------------- inputs


def preprocess(images):
    """Checks ``images`` and returns the network input: float32 (N, 28, 28, 1) in [-1, 1].

    Args:
        images: (N, 28, 28) or (N, 28, 28, 1); uint8 in [0, 255] (scaled as
            ``x / 127.5 - 1``) or floats in [-1, 1] (the range of kerasgan
            generator outputs; up to ``RANGE_TOLERANCE`` outside is clipped).

    Raises:
        ValueError: another shape or dtype, non-finite values, or floats out of range.
    """
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
        raise ValueError(f"images must have shape (N, 28, 28) or (N, 28, 28, 1), got {np.shape(images)}")
    if x.dtype == np.uint8:
        return x.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"images must be uint8 in [0, 255] or floats in [-1, 1], got dtype {x.dtype}")
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"images contain {int(np.sum(~np.isfinite(x)))} non-finite values (NaN or inf)")
    if x.size and (x.min() < -1 - RANGE_TOLERANCE or x.max() > 1 + RANGE_TOLERANCE):
        raise ValueError(
            f"float images must lie in [-1, 1], got values in [{x.min():.6g}, {x.max():.6g}] "
            "(pass uint8 for [0, 255] pixels)"
        )
    return np.clip(x, -1.0, 1.0)


# --------------------------------------------------------------------------- classifier


class MNISTClassifier:
    """The shipped MNIST classifier: 128-d features, class probabilities, labels.

    Args:
        weights: ``None`` for the shipped ``kerasgan/metrics/weights/mnist_classifier.weights.h5``,
            or a path to a weights file of ``build_classifier()``.
        sha256: the sha256 the file must have (default ``WEIGHTS_SHA256``, the
            shipped file); ``None`` skips the check (weights you trained yourself).
        batch_size: images per network call.

    Raises:
        FileNotFoundError: the weights file does not exist.
        ValueError: the file's sha256 differs from ``sha256``.

    Example:
        >>> classifier = MNISTClassifier()
        >>> fake = generator.predict(noise)               # (N, 28, 28, 1) in [-1, 1]
        >>> classifier.features(fake).shape
        (N, 128)
        >>> mode_coverage(classifier.probabilities(fake))["classes_covered"]
        10
        >>> from kerasgan.metrics.frechet import frechet_distance          # "MNIST FID"
        >>> frechet_distance(classifier.features(real_uint8), classifier.features(fake))
    """

    def __init__(self, weights=None, sha256=WEIGHTS_SHA256, batch_size=500):
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        import keras

        self.weights_path = _resolve(weights, sha256)
        self.batch_size = int(batch_size)
        self.model = build_classifier()
        self.model.load_weights(self.weights_path)
        self._both = keras.Model(
            self.model.input, [self.model.get_layer(FEATURE_LAYER).output, self.model.output]
        )
        self._forward = None

    def _run(self, batch):
        if self._forward is None:
            import tensorflow as tf

            spec = tf.TensorSpec((None,) + IMAGE_SHAPE, tf.float32)
            self._forward = tf.function(lambda x: self._both(x, training=False), input_signature=[spec])
        features, probs = self._forward(batch)
        return features.numpy(), probs.numpy()

    def features_and_probabilities(self, images):
        """Both outputs in one pass: float32 (N, 128) features and (N, 10) probabilities."""
        x = preprocess(images)
        features = np.zeros((len(x), FEATURE_DIM), np.float32)
        probs = np.zeros((len(x), NUM_CLASSES), np.float32)
        for start in range(0, len(x), self.batch_size):
            stop = start + self.batch_size
            features[start:stop], probs[start:stop] = self._run(x[start:stop])
        return features, probs

    def features(self, images):
        """float32 numpy (N, 128): the ``"features"`` layer (the embedding for MNIST FID)."""
        return self.features_and_probabilities(images)[0]

    def probabilities(self, images):
        """float32 numpy (N, 10): p(digit | image), each row summing to 1."""
        return self.features_and_probabilities(images)[1]

    def predict(self, images):
        """int64 numpy (N,): the most probable digit of each image."""
        return np.argmax(self.probabilities(images), axis=1)


# --------------------------------------------------------------------------- scores


def _labels(probs_or_labels, num_classes):
    values = np.asarray(probs_or_labels)
    if values.ndim == 2:
        if values.shape[1] != num_classes:
            raise ValueError(f"probabilities must have {num_classes} columns, got shape {values.shape}")
        if not np.all(np.isfinite(values)):
            raise ValueError("probabilities contain non-finite values (NaN or inf)")
        return np.argmax(values, axis=1)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(
            "expected probabilities of shape (N, num_classes) or integer labels of shape (N,), "
            f"got {values.dtype} of shape {values.shape}"
        )
    if values.size and (values.min() < 0 or values.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got [{values.min()}, {values.max()}]")
    return values


def mode_coverage(probs_or_labels, num_classes=NUM_CLASSES, threshold=0.1):
    """How evenly samples cover the classes (mode collapse shows as few classes, high KL).

    Each sample counts for its most probable class. A class is *covered* when it
    holds at least ``min_count = max(1, ceil(threshold * N / num_classes))``
    samples: with the default ``threshold=0.1``, a tenth of its share under a
    uniform spread, i.e. 1% of the samples for 10 classes. A collapsed generator
    whose few stray samples a classifier misreads thus does not cover the rare
    classes it lands in; ``threshold=0`` counts every class with any sample.

    Args:
        probs_or_labels: (N, num_classes) class probabilities, or (N,) integer labels.
        num_classes: number of classes.
        threshold: the fraction of the uniform share N / num_classes a class needs.

    Returns:
        dict with ``histogram`` (list of num_classes counts), ``kl_to_uniform``
        (KL(histogram / N || uniform) in nats: 0 for a uniform spread,
        log(num_classes) for a single class), ``classes_covered``, ``min_count``
        and ``num_samples``.
    """
    if isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not 0 <= threshold <= num_classes:
        raise ValueError(f"threshold must lie in [0, num_classes], got {threshold!r}")
    num_classes = int(num_classes)
    labels = _labels(probs_or_labels, num_classes)
    n = len(labels)
    if n == 0:
        raise ValueError("mode_coverage needs at least one sample")
    histogram = np.bincount(labels, minlength=num_classes)
    p = histogram / n
    nonzero = p > 0
    kl = float(np.sum(p[nonzero] * np.log(p[nonzero] * num_classes)))
    min_count = max(1, math.ceil(threshold * n / num_classes - 1e-9))
    return dict(
        histogram=[int(c) for c in histogram],
        kl_to_uniform=max(kl, 0.0),
        classes_covered=int(np.sum(histogram >= min_count)),
        min_count=int(min_count),
        num_samples=int(n),
    )


def confident_share(probs, threshold=0.9):
    """How many samples the classifier reads as a digit with confidence, and which digits.

    A sample is *confident* when its most probable class has probability
    above ``threshold``. Real MNIST test images: about 0.99 with the shipped
    classifier at 0.9; a generator whose samples are malformed or ambiguous
    scores lower. ``class_shares`` is the share of all samples whose most
    probable class is each digit (uniform = 0.1 each).

    Args:
        probs: (N, num_classes) class probabilities.
        threshold: probability a sample's top class must exceed.

    Returns:
        dict with ``share`` (fraction of confident samples), ``threshold``,
        ``class_shares`` (list) and ``num_samples``.
    """
    probs = np.asarray(probs, dtype="float64")
    if probs.ndim != 2 or probs.shape[0] == 0:
        raise ValueError(f"confident_share needs (N, num_classes) probabilities with N >= 1, got shape {probs.shape}")
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"threshold must lie in [0, 1), got {threshold!r}")
    top = probs.max(axis=1)
    labels = probs.argmax(axis=1)
    shares = np.bincount(labels, minlength=probs.shape[1]) / len(labels)
    return {
        "share": float(np.mean(top > threshold)),
        "threshold": float(threshold),
        "class_shares": [float(x) for x in shares],
        "num_samples": int(len(labels)),
    }


def classifier_score(probs, splits=10):
    """The Inception-Score formula with this classifier: exp(E_x KL(p(y|x) || p(y))).

    The samples are cut into ``splits`` near-equal parts (``np.array_split``,
    in order); each part gets exp of the mean KL to its own marginal p(y).
    The score is 1 when every sample has the same p(y|x) and num_classes when
    samples are confident and spread evenly over the classes.

    Args:
        probs: (N, num_classes) class probabilities, rows summing to 1.
        splits: number of parts, 1 <= splits <= N.

    Returns:
        (mean, std) over the parts, as Python floats.
    """
    from kerasgan.metrics.inception_score import inception_score

    return inception_score(probs, splits=splits)
