"""Fréchet distance between Gaussians fitted to activations (FID when the features are Inception pool3)."""

import numpy as np
from scipy import linalg


def _check_activations(act, name):
    act = np.asarray(act)
    if act.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples, features), got shape {act.shape}")
    if act.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 samples to estimate a covariance, got {act.shape[0]}")
    act = act.astype("float64")
    if not np.all(np.isfinite(act)):
        raise ValueError(f"{name} contains NaN or Inf values")
    return act


def activation_statistics(act):
    """Mean and covariance (ddof=1, float64) of activations ``(N, D)``."""
    act = _check_activations(act, "activations")
    return act.mean(axis=0), np.cov(act, rowvar=False)


class RunningStatistics:
    """Mean and covariance (ddof=1, float64) of activations seen chunk by chunk.

    Memory is one ``D x D`` matrix however many activations pass through, so
    FID over millions of samples needs no more than FID over thousands. Chunks
    are merged with the pairwise update of Chan, Golub & LeVeque (1979): each
    chunk is centred on its own mean, so the result agrees with
    ``activation_statistics`` on the concatenated activations to rounding.

    Example:
        >>> stats = RunningStatistics()
        >>> for chunk in chunks: stats.update(chunk)
        >>> mu, sigma = stats.result()
    """

    def __init__(self):
        self.count = 0
        self.mean = None
        self._m2 = None

    def update(self, act):
        act = np.asarray(act)
        if act.ndim != 2:
            raise ValueError(f"activations must be a 2-D array (samples, features), got shape {act.shape}")
        if self.count and act.shape[1] != self.mean.shape[0]:
            raise ValueError(f"activations have {act.shape[1]} features, earlier chunks had {self.mean.shape[0]}")
        if act.shape[0] == 0:
            return self
        act = act.astype("float64")
        if not np.all(np.isfinite(act)):
            raise ValueError("activations contain NaN or Inf values")
        n_b = act.shape[0]
        mean_b = act.mean(axis=0)
        centred = act - mean_b
        m2_b = centred.T @ centred
        if self.count == 0:
            self.count, self.mean, self._m2 = n_b, mean_b, m2_b
            return self
        n = self.count + n_b
        delta = mean_b - self.mean
        self._m2 = self._m2 + m2_b + np.outer(delta, delta) * (self.count * n_b / n)
        self.mean = self.mean + delta * (n_b / n)
        self.count = n
        return self

    def result(self):
        """``(mu, sigma)``; needs at least 2 activations."""
        if self.count < 2:
            raise ValueError(f"activations need at least 2 samples to estimate a covariance, got {self.count}")
        return self.mean.copy(), self._m2 / (self.count - 1)


def frechet_distance_from_stats(mu1, sigma1, mu2, sigma2):
    """``||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)``.

    ``tr((S1 S2)^1/2)`` is the sum of square roots of the eigenvalues of
    ``S1 S2``, which are those of the symmetric PSD matrix ``L^T S2 L`` for
    ``S1 = L L^T`` (Cholesky). Only eigenvalues of a symmetric matrix are
    needed, so the result is real by construction and several times faster
    than a general ``sqrtm``. When S1 is singular (fewer samples than
    dimensions) its PSD square root from ``eigh`` takes the place of L.
    Tiny negative eigenvalues from rounding are clipped to 0.

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017; Dowson & Landau, "The
        Fréchet distance between multivariate normal distributions", 1982.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, "float64")), np.atleast_1d(np.asarray(mu2, "float64"))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, "float64")), np.atleast_2d(np.asarray(sigma2, "float64"))
    d = mu1.shape[0]
    if mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"statistics do not match: mu1 {mu1.shape}, mu2 {mu2.shape}, sigma1 {sigma1.shape}, sigma2 {sigma2.shape}"
        )
    for name, arr in (("mu1", mu1), ("mu2", mu2), ("sigma1", sigma1), ("sigma2", sigma2)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or Inf values")
    sigma1 = (sigma1 + sigma1.T) / 2
    sigma2 = (sigma2 + sigma2.T) / 2
    try:
        factor = np.linalg.cholesky(sigma1)
    except np.linalg.LinAlgError:
        w1, v1 = np.linalg.eigh(sigma1)
        factor = (v1 * np.sqrt(np.clip(w1, 0, None))) @ v1.T
    middle = factor.T @ sigma2 @ factor
    eig = linalg.eigvalsh((middle + middle.T) / 2, driver="evr")
    tr_covmean = np.sum(np.sqrt(np.clip(eig, 0, None)))
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean
    return float(max(value, 0.0))


def frechet_distance(act_a, act_b):
    """Fréchet distance between Gaussians fitted to two activation sets ``(N, D)``."""
    act_a = _check_activations(act_a, "act_a")
    act_b = _check_activations(act_b, "act_b")
    if act_a.shape[1] != act_b.shape[1]:
        raise ValueError(f"feature sizes differ: {act_a.shape[1]} vs {act_b.shape[1]}")
    return frechet_distance_from_stats(*activation_statistics(act_a), *activation_statistics(act_b))
