"""Scores of how far samples depart from what the model was trained on (CAN's card), as numpy maths.

* ``prediction_entropy`` -- how evenly a style classifier spreads each sample
  over the known styles: the mean Shannon entropy of its predictions, also as a
  share of the largest possible (``log K``). Elgammal et al. 2017 want art a
  style classifier cannot place ("style ambiguity"): a high entropy.
* ``nearest_neighbours`` -- each query's nearest row of a pool (L2).
* ``novelty`` -- how far samples lie from the training set, in units of how far
  real images *not* in the training set lie from it: a generator that copies
  its training images scores well below 1, one that draws as new real
  drawings would be, about 1; farther than that is "novel" in CAN's sense, or
  simply off the data. Read it beside FID and the grids.

Reference:
    Elgammal, Liu, Elhoseiny & Mazzone, "CAN: Creative Adversarial Networks,
    Generating 'Art' by Learning About Styles and Deviating from Style Norms",
    ICCC 2017, arXiv:1706.07068.
"""

import numpy as np

from kerasgan.metrics._checks import features_2d, same_dims


def prediction_entropy(probabilities):
    """``{"mean", "normalized", "histogram"}``: mean entropy (nats) of the rows of ``probabilities`` (N, K).

    ``normalized`` divides by ``log K`` (1 = every sample equally likely to be
    any class); ``histogram`` is the share of samples whose top class is each class.

    Raises:
        ValueError: not (N, K) with N >= 1 and K >= 2, non-finite, negative, or rows not summing to 1.
    """
    p = features_2d(probabilities, "probabilities")
    if p.shape[1] < 2:
        raise ValueError(f"probabilities need at least 2 classes, got shape {p.shape}")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probabilities must be non-negative with rows summing to 1 (apply softmax first)")
    entropy = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
    histogram = np.bincount(np.argmax(p, axis=1), minlength=p.shape[1]) / len(p)
    mean = float(np.mean(entropy))
    return {"mean": mean, "normalized": mean / float(np.log(p.shape[1])), "histogram": histogram.tolist()}


def nearest_neighbours(queries, pool, exclude_self=False, batch=256):
    """Index and L2 distance of each query's nearest row of ``pool`` (rows flattened).

    ``exclude_self``: ``queries`` is ``pool`` itself; row i may not match itself.
    """
    q = np.asarray(queries, "float64").reshape(len(queries), -1)
    p = np.asarray(pool, "float64").reshape(len(pool), -1)
    if not len(p):
        raise ValueError("the pool of neighbours is empty")
    if q.shape[1] != p.shape[1]:
        raise ValueError(f"queries and pool differ in size per row: {q.shape[1]} vs {p.shape[1]}")
    p_sq = np.sum(p**2, axis=1)
    index, dist = np.zeros(len(q), int), np.zeros(len(q))
    for start in range(0, len(q), batch):
        block = q[start : start + batch]
        d2 = np.sum(block**2, axis=1)[:, None] + p_sq[None, :] - 2 * block @ p.T
        if exclude_self:
            rows = np.arange(len(block))
            d2[rows, start + rows] = np.inf
        index[start : start + len(block)] = np.argmin(d2, axis=1)
        dist[start : start + len(block)] = np.sqrt(np.maximum(d2.min(axis=1), 0))
    return index, dist


def novelty(samples, training, heldout, near_quantile=0.05):
    """How far samples lie from the training set, against held-out real data.

    Args:
        samples, training, heldout: (N, D) features (or flattened pixels) of
            generated images, the training images and real images the model
            never saw.
        near_quantile: a sample closer to the training set than this quantile of
            the held-out images' distances counts as a near copy.

    Returns:
        ``{"sample_median", "heldout_median", "ratio", "near_copy_share"}``:
        medians of the nearest-training-image distances, their ratio
        (samples / held-out), and the share of samples nearer than the
        held-out ``near_quantile``.
    """
    samples = features_2d(samples, "samples")
    training = features_2d(training, "training")
    heldout = features_2d(heldout, "heldout")
    same_dims(samples, training, "samples", "training")
    same_dims(heldout, training, "heldout", "training")
    if not 0 < near_quantile < 1:
        raise ValueError(f"near_quantile must lie in (0, 1), got {near_quantile}")
    _, d_samples = nearest_neighbours(samples, training)
    _, d_heldout = nearest_neighbours(heldout, training)
    heldout_median = float(np.median(d_heldout))
    if heldout_median == 0:
        raise ValueError("the held-out images are copies of training images: give real images that are not in the training set")
    return {
        "sample_median": float(np.median(d_samples)),
        "heldout_median": heldout_median,
        "ratio": float(np.median(d_samples)) / heldout_median,
        "near_copy_share": float(np.mean(d_samples < np.quantile(d_heldout, near_quantile))),
    }
