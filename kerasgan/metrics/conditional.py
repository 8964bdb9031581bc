"""Scores of class-conditional generation: does a sample show the class it was asked for?

Pure numpy maths over labels, class probabilities and features; the feature
network (MNIST classifier, Inception) lives elsewhere.

- ``conditional_accuracy``: share of samples a classifier reads as the label
  they were generated for (the "classification accuracy" of conditional
  GANs, e.g. Odena et al. 2017 on ACGAN samples).
- ``class_coverage``: the same agreement per requested class.
- ``intra_class_fid``: the mean over classes of the FID between the real and
  generated features of that class (Miyato & Koyama 2018, "cGANs with
  Projection Discriminator", section 5: "intra-FID").
"""

import numpy as np

from kerasgan.metrics.frechet import RunningStatistics, frechet_distance_from_stats


def _labels(values, name, num_classes=None):
    values = np.asarray(values)
    if values.ndim == 2:  # probabilities or logits -> the most probable class
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} contain non-finite values (NaN or inf)")
        if num_classes is not None and values.shape[1] != num_classes:
            raise ValueError(f"{name} must have {num_classes} columns (one per class), got shape {values.shape}")
        return np.argmax(values, axis=1)
    if values.ndim != 1 or not (np.issubdtype(values.dtype, np.integer) or values.size == 0):
        raise TypeError(
            f"{name} must be integer class labels of shape (N,) or probabilities of shape (N, classes), "
            f"got dtype {values.dtype} and shape {values.shape}"
        )
    if num_classes is not None and values.size and (values.min() < 0 or values.max() >= num_classes):
        raise ValueError(f"{name} must lie in [0, {num_classes - 1}], got values from {values.min()} to {values.max()}")
    if values.size and values.min() < 0:
        raise ValueError(f"{name} must be non-negative class indices, got a minimum of {values.min()}")
    return values.astype("int64")


def _pair(predicted, requested, num_classes):
    requested = _labels(requested, "requested labels", num_classes)
    predicted = _labels(predicted, "predicted labels", num_classes)
    if len(predicted) != len(requested):
        raise ValueError(f"got {len(predicted)} predictions for {len(requested)} requested labels: give one per sample")
    if len(requested) == 0:
        raise ValueError("no samples given")
    return predicted, requested


def conditional_accuracy(predicted, requested):
    """Share of samples whose predicted class equals the requested one.

    Args:
        predicted: int labels ``(N,)`` or class probabilities ``(N, C)``
            from a classifier reading the samples.
        requested: int labels ``(N,)`` the samples were generated for.
    """
    num_classes = np.asarray(predicted).shape[1] if np.ndim(predicted) == 2 else None
    predicted, requested = _pair(predicted, requested, num_classes)
    return float(np.mean(predicted == requested))


def class_coverage(predicted, requested, num_classes):
    """Per requested class k, the share of its samples read as k (NaN for a class never requested).

    Returns a float64 array of length ``num_classes``.
    """
    num_classes = int(num_classes)
    predicted, requested = _pair(predicted, requested, num_classes)
    out = np.full(num_classes, np.nan)
    for k in range(num_classes):
        mask = requested == k
        if mask.any():
            out[k] = float(np.mean(predicted[mask] == k))
    return out


class ClassStatistics:
    """Running feature mean and covariance per class (memory: one D x D matrix per class)."""

    def __init__(self):
        self.by_class = {}

    def update(self, features, labels):
        features = np.asarray(features)
        labels = _labels(labels, "labels")
        if features.ndim != 2 or len(features) != len(labels):
            raise ValueError(
                f"features must be (N, D) with one label per row, got features {features.shape} and {len(labels)} labels"
            )
        for k in np.unique(labels):
            self.by_class.setdefault(int(k), RunningStatistics()).update(features[labels == k])
        return self

    def counts(self):
        return {k: s.count for k, s in sorted(self.by_class.items())}


def intra_class_fid(real, fake, classes=None):
    """Mean over classes of the per-class FID (Miyato & Koyama 2018's intra-FID).

    Args:
        real, fake: ``ClassStatistics`` (or ``(features, labels)`` pairs) of
            the reference images by their true labels and of the samples by
            the labels they were generated for.
        classes: the classes to average over (default: every class of
            ``real``). Each needs at least 2 real and 2 generated samples.

    Returns:
        dict with ``mean`` (the intra-class FID) and ``per_class`` (list of
        per-class FIDs, in the order of ``classes``) and ``classes``.
    """
    real = _as_stats(real)
    fake = _as_stats(fake)
    classes = sorted(real.by_class) if classes is None else [int(k) for k in classes]
    if not classes:
        raise ValueError("intra-class FID needs at least one class")
    per_class = []
    for k in classes:
        have_r = real.by_class.get(k).count if k in real.by_class else 0
        have_f = fake.by_class.get(k).count if k in fake.by_class else 0
        if have_r < 2 or have_f < 2:
            raise ValueError(
                f"class {k} has {have_r} real and {have_f} generated samples; intra-class FID needs at least 2 of "
                f"each per class (use more samples, or labels covering every class)"
            )
        mu_r, sigma_r = real.by_class[k].result()
        mu_f, sigma_f = fake.by_class[k].result()
        per_class.append(float(frechet_distance_from_stats(mu_f, sigma_f, mu_r, sigma_r)))
    return {"mean": float(np.mean(per_class)), "per_class": per_class, "classes": classes}


def _as_stats(value):
    if isinstance(value, ClassStatistics):
        return value
    features, labels = value
    return ClassStatistics().update(features, labels)
