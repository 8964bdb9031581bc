"""Inception Score on class probabilities."""

import numpy as np


def inception_score(probs, splits=10, eps=1e-12):
    """``exp(E_x KL(p(y|x) || p(y)))`` on ``splits`` consecutive parts; (mean, std).

    Args:
        probs: (N, C) class probabilities, rows summing to 1.
        splits: number of parts (each part uses its own marginal p(y)).

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016.
    """
    p = np.asarray(probs, dtype="float64")
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError(f"probs must be a non-empty (N, classes) array, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < 0 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs rows must be probability distributions (non-negative, summing to 1)")
    splits = int(splits)
    if not 1 <= splits <= p.shape[0]:
        raise ValueError(f"splits must be in [1, {p.shape[0]}], got {splits}")
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + eps) - np.log(marginal + eps)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
