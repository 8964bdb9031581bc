"""Evaluation metrics: maths on activations, apart from the feature networks.

- ``frechet``, ``kid``, ``inception_score``, ``precision_recall``, ``parzen``:
  numpy maths on activations / probabilities / samples;
- ``inception``: the 2015-12-05 FID Inception network in Keras;
- ``mnist_features``: the shipped MNIST classifier (features, mode coverage, classifier score);
- ``emoji_features``: the shipped emoji classifier (drawing style and Unicode category of 64x64 emoji);
- ``paired``: L1 / PSNR / SSIM of translations against their true targets;
- ``creativity``, ``retrieval``: prediction entropy, nearest-neighbour novelty, R-precision (application cards);
- ``evaluate``: scores with an explicit, recorded protocol (``evaluate_translation`` for image -> image models,
  ``evaluate_super_resolution``, ``evaluate_styles`` and ``evaluate_text`` for the application models).

Heavy modules load TensorFlow only when used.
"""

from kerasgan.metrics.creativity import nearest_neighbours, novelty, prediction_entropy
from kerasgan.metrics.emoji_features import EmojiClassifier
from kerasgan.metrics.evaluate import evaluate, evaluate_styles, evaluate_super_resolution, evaluate_text, evaluate_translation
from kerasgan.metrics.frechet import activation_statistics, frechet_distance, frechet_distance_from_stats
from kerasgan.metrics.inception import InceptionFeatures, resize_images
from kerasgan.metrics.inception_score import inception_score
from kerasgan.metrics.kid import kernel_distance
from kerasgan.metrics.mnist_features import MNISTClassifier, classifier_score, mode_coverage
from kerasgan.metrics.paired import paired_scores
from kerasgan.metrics.parzen import parzen_log_likelihood
from kerasgan.metrics.precision_recall import density_coverage, precision_recall
from kerasgan.metrics.retrieval import r_precision

__all__ = [
    "EmojiClassifier",
    "InceptionFeatures",
    "MNISTClassifier",
    "activation_statistics",
    "classifier_score",
    "density_coverage",
    "evaluate",
    "evaluate_styles",
    "evaluate_super_resolution",
    "evaluate_text",
    "evaluate_translation",
    "nearest_neighbours",
    "novelty",
    "prediction_entropy",
    "r_precision",
    "inception_score",
    "kernel_distance",
    "paired_scores",
    "parzen_log_likelihood",
    "precision_recall",
    "frechet_distance",
    "frechet_distance_from_stats",
    "mode_coverage",
    "resize_images",
]
