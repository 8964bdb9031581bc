"""Evaluation metrics: maths on activations, apart from the feature networks.

- ``frechet``: Fréchet distance (FID) on any activations;
- ``inception``: the 2015-12-05 FID Inception network in Keras;
- ``mnist_features``: the shipped MNIST classifier (features, mode coverage, classifier score);
- ``evaluate``: scores with an explicit, recorded protocol.

Heavy modules load TensorFlow only when used.
"""

from kerasgan.metrics.evaluate import evaluate
from kerasgan.metrics.frechet import activation_statistics, frechet_distance, frechet_distance_from_stats
from kerasgan.metrics.inception import InceptionFeatures, resize_images
from kerasgan.metrics.mnist_features import MNISTClassifier, classifier_score, mode_coverage

__all__ = [
    "InceptionFeatures",
    "MNISTClassifier",
    "activation_statistics",
    "classifier_score",
    "evaluate",
    "frechet_distance",
    "frechet_distance_from_stats",
    "mode_coverage",
    "resize_images",
]
