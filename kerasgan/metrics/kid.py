"""Kernel Inception Distance: unbiased MMD^2 with a cubic polynomial kernel."""

import numpy as np

from kerasgan.metrics._checks import features_2d, same_dims


def _polynomial_mmd2(x, y, degree, gamma, coef0):
    m = x.shape[0]
    k_xx = (gamma * (x @ x.T) + coef0) ** degree
    k_yy = (gamma * (y @ y.T) + coef0) ** degree
    k_xy = (gamma * (x @ y.T) + coef0) ** degree
    sum_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    sum_yy = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return sum_xx + sum_yy - 2.0 * k_xy.mean()


def kernel_distance(act_a, act_b, subsets=100, subset_size=1000, degree=3, gamma=None, coef0=1.0, seed=0):
    """KID: mean and std over random subsets of the unbiased MMD^2 estimate.

    Kernel ``k(x, y) = (gamma * x.y + coef0) ** degree`` with ``gamma = 1 / d``
    by default. ``subset_size`` is capped at the smaller set's size; subsets
    are drawn without replacement with ``numpy.random.default_rng(seed)``.
    The std is the spread over subsets: when both sets are no larger than
    ``subset_size`` every subset is the whole set and the std is 0, which
    says nothing about the estimate's sampling error.

    Returns:
        ``(mean, std)`` as floats.

    Reference:
        Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.
    """
    a = features_2d(act_a, "act_a", min_rows=2)
    b = features_2d(act_b, "act_b", min_rows=2)
    same_dims(a, b, "act_a", "act_b")
    if int(subsets) < 1:
        raise ValueError(f"subsets must be >= 1, got {subsets}")
    m = min(int(subset_size), a.shape[0], b.shape[0])
    if m < 2:
        raise ValueError(f"subset_size must be >= 2, got {subset_size}")
    gamma = 1.0 / a.shape[1] if gamma is None else float(gamma)
    rng = np.random.default_rng(seed)
    values = [
        _polynomial_mmd2(a[rng.choice(a.shape[0], m, replace=False)], b[rng.choice(b.shape[0], m, replace=False)], degree, gamma, coef0)
        for _ in range(int(subsets))
    ]
    return float(np.mean(values)), float(np.std(values))
