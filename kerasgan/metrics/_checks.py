"""Input checks shared by the metric functions."""

import numpy as np


def features_2d(x, name, min_rows=1):
    """float64 (N, D) array with finite values and at least ``min_rows`` rows."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples, features), got shape {x.shape}")
    if x.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} samples, got {x.shape[0]}")
    x = x.astype("float64")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or Inf values")
    return x


def same_dims(a, b, name_a, name_b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{name_a} and {name_b} have different feature sizes: {a.shape[1]} vs {b.shape[1]}")


def pairwise_sq_dists(a, b):
    """Squared Euclidean distances ``(len(a), len(b))``, clipped at 0 against rounding."""
    d2 = np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d2, 0.0)
