"""A small emoji classifier: drawing style and Unicode category of 64x64 colour emoji.

The emoji models' cards need a judge trained on real images: CAN's samples are
scored by how evenly a style classifier spreads them over the known styles
(Elgammal et al. 2017), and a text -> image model by whether the category a
classifier reads in an image agrees with its caption's (Reed et al. 2016 use a
classifier the same way on birds and flowers). This module ships that judge,
trained by ``tools/train_emoji_classifier.py``:

* ``build_classifier`` -- the architecture, shared with the training tool: four
  conv3x3-BN-ReLU-maxpool blocks (32, 64, 128, 256 maps; 64 -> 4 pixels),
  global average pooling, a 128-unit ReLU layer named ``"features"`` and two
  softmax heads, ``"style"`` over ``kerasgan.data.EMOJI_STYLES`` (4) and
  ``"category"`` over ``kerasgan.data.EMOJI_CATEGORIES`` (9);
* ``EmojiClassifier`` -- loads the shipped, sha256-checked weights and turns
  images in [-1, 1] or uint8 into features and the two heads' probabilities.

The shipped weights (``weights/emoji_classifier.weights.h5``) were trained on
the train split of ``emoji_styles_64.npz`` (``kerasgan.data.emoji_split``: the
test code points are never seen), all four styles. ``TEST_ACCURACY`` holds what
the training tool measured on the held-out code points. The category head is
the weaker judge (an emoji's group is a convention, not always visible in the
drawing), which is why scores built on it are reported beside the same score
on real images.
"""

import pathlib

import numpy as np

from kerasgan.utils.files import checked_weights

__all__ = [
    "CATEGORY_HEAD",
    "EmojiClassifier",
    "FEATURE_DIM",
    "IMAGE_SHAPE",
    "STYLE_HEAD",
    "TEST_ACCURACY",
    "WEIGHTS_FILENAME",
    "WEIGHTS_SHA256",
    "build_classifier",
    "preprocess",
]

IMAGE_SHAPE = (64, 64, 3)
FEATURE_DIM = 128
FEATURE_LAYER = "features"
STYLE_HEAD = "style"
CATEGORY_HEAD = "category"
WEIGHTS_FILENAME = "emoji_classifier.weights.h5"
WEIGHTS_SHA256 = "3a1c01e370be6c79915159a280fdbedb6525a46c29ee747c2c1fbda6fc759f16"
TEST_ACCURACY = {"style": 0.9725, "category": 0.6938}  # on the 872 held-out drawings (218 emoji x 4 styles), as printed by the training tool


def _head_sizes():
    from kerasgan.data import EMOJI_CATEGORIES, EMOJI_STYLES

    return {STYLE_HEAD: len(EMOJI_STYLES), CATEGORY_HEAD: len(EMOJI_CATEGORIES)}


def build_classifier(dropout=0.3):
    """The classifier: float32 (N, 64, 64, 3) in [-1, 1] -> ``{"style": (N, 4), "category": (N, 9)}`` softmax.

    Layer names are fixed so that weight files stay loadable.
    """
    import keras
    from keras import layers

    inputs = keras.Input(IMAGE_SHAPE, dtype="float32", name="images")
    x = inputs
    for i, filters in enumerate((32, 64, 128, 256)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, dtype="float32", name=f"conv{i}")(x)
        x = layers.BatchNormalization(dtype="float32", name=f"conv{i}_bn")(x)
        x = layers.ReLU(dtype="float32", name=f"conv{i}_relu")(x)
        x = layers.MaxPooling2D(2, dtype="float32", name=f"pool{i}")(x)
    x = layers.GlobalAveragePooling2D(dtype="float32", name="pool")(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", dtype="float32", name=FEATURE_LAYER)(x)
    x = layers.Dropout(dropout, dtype="float32", name="dropout")(x)
    outputs = {
        head: layers.Dense(size, activation="softmax", dtype="float32", name=head)(x)
        for head, size in _head_sizes().items()
    }
    return keras.Model(inputs, outputs, name="emoji_classifier")


def default_weights_path():
    """Where the shipped weights live: ``kerasgan/metrics/weights/`` beside this module."""
    return pathlib.Path(__file__).resolve().parent / "weights" / WEIGHTS_FILENAME


def preprocess(images):
    """Checks ``images`` and returns the network input: float32 (N, 64, 64, 3) in [-1, 1].

    uint8 images are scaled as ``x / 127.5 - 1``; float images must already be
    in [-1, 1] (the range of kerasgan generators). Raises a one-line
    ValueError naming the problem otherwise.
    """
    from kerasgan.utils.images import check_image_batch

    x = np.asarray(images)
    if x.dtype == np.uint8:
        x = x.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    return np.clip(check_image_batch(x, IMAGE_SHAPE, what="emoji classifier inputs"), -1.0, 1.0)


class EmojiClassifier:
    """The shipped emoji classifier: 128-d features, style and category probabilities.

    Args:
        weights: ``None`` for the shipped ``kerasgan/metrics/weights/emoji_classifier.weights.h5``,
            or a path to a weights file of ``build_classifier()``.
        sha256: the sha256 the file must have (default ``WEIGHTS_SHA256``, the
            shipped file); ``None`` skips the check (weights you trained yourself).
        batch_size: images per network call.

    Raises:
        FileNotFoundError: the weights file does not exist.
        ValueError: the file's sha256 differs from ``sha256``.
    """

    def __init__(self, weights=None, sha256=WEIGHTS_SHA256, batch_size=250):
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        path = checked_weights(default_weights_path() if weights is None else weights, sha256, "emoji classifier",
                               " (train them with tools/train_emoji_classifier.py)")
        import keras

        self.weights_path = path
        self.batch_size = int(batch_size)
        self.model = build_classifier()
        self.model.load_weights(path)
        outputs = self.model.output
        self._all = keras.Model(self.model.input, [self.model.get_layer(FEATURE_LAYER).output, outputs[STYLE_HEAD], outputs[CATEGORY_HEAD]])
        self._forward = None

    def _run(self, batch):
        if self._forward is None:
            import tensorflow as tf

            spec = tf.TensorSpec((None,) + IMAGE_SHAPE, tf.float32)
            self._forward = tf.function(lambda x: self._all(x, training=False), input_signature=[spec])
        return [t.numpy() for t in self._forward(batch)]

    def outputs(self, images):
        """``{"features": (N, 128), "style": (N, 4), "category": (N, 9)}``, float32 numpy."""
        x = preprocess(images)
        parts = [self._run(x[start : start + self.batch_size]) for start in range(0, len(x), self.batch_size)]
        sizes = _head_sizes()
        if not parts:
            return {FEATURE_LAYER: np.zeros((0, FEATURE_DIM), np.float32), **{h: np.zeros((0, n), np.float32) for h, n in sizes.items()}}
        return {name: np.concatenate([p[k] for p in parts]) for k, name in enumerate((FEATURE_LAYER, STYLE_HEAD, CATEGORY_HEAD))}

    def features(self, images):
        """float32 (N, 128): the ``"features"`` layer."""
        return self.outputs(images)[FEATURE_LAYER]

    def style_probabilities(self, images):
        """float32 (N, 4): p(style | image) over ``kerasgan.data.EMOJI_STYLES``."""
        return self.outputs(images)[STYLE_HEAD]

    def category_probabilities(self, images):
        """float32 (N, 9): p(category | image) over ``kerasgan.data.EMOJI_CATEGORIES``."""
        return self.outputs(images)[CATEGORY_HEAD]
