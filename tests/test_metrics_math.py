"""KID, Inception Score, precision/recall, density/coverage and Parzen on hand-computable cases."""

import numpy as np
import pytest
from scipy.special import logsumexp

from kerasgan.metrics.inception_score import inception_score
from kerasgan.metrics.kid import kernel_distance
from kerasgan.metrics.parzen import parzen_log_likelihood, parzen_log_likelihoods
from kerasgan.metrics.precision_recall import density_coverage, precision_recall


def test_kid_two_points_by_hand():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 0.0]])
    k = lambda a, b: (a @ b / 2 + 1) ** 3  # noqa: E731
    expected = (2 * k(x[0], x[1])) / 2 + (2 * k(y[0], y[1])) / 2 - 2 * np.mean([k(a, b) for a in x for b in y])
    mean, std = kernel_distance(x, y, subsets=3, subset_size=2)
    assert mean == pytest.approx(expected, rel=1e-12) and std == pytest.approx(0.0, abs=1e-12)


def test_kid_near_zero_for_the_same_distribution_and_positive_when_shifted():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    same, same_std = kernel_distance(a, b, subsets=20, subset_size=200)
    shifted, _ = kernel_distance(a, b + 1.0, subsets=20, subset_size=200)
    assert abs(same) < 3 * same_std  # unbiased: zero within noise
    assert shifted > 100 * same_std
    assert kernel_distance(a, b, subsets=5, subset_size=100, seed=1) == kernel_distance(a, b, subsets=5, subset_size=100, seed=1)


def test_inception_score_known_values():
    c = 5
    one_hot = np.eye(c)[np.arange(100) % c]
    assert inception_score(one_hot, splits=1)[0] == pytest.approx(c, rel=1e-6)
    same = np.tile(np.array([[0.2, 0.3, 0.5]]), (30, 1))
    assert inception_score(same, splits=3)[0] == pytest.approx(1.0, rel=1e-9)
    with pytest.raises(ValueError, match="probability distributions"):
        inception_score(np.ones((4, 3)))


def test_precision_recall_and_density_coverage():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    pr = precision_recall(real, real.copy(), k=3)
    assert pr == {"precision": 1.0, "recall": 1.0}
    far = precision_recall(real, real + 100.0, k=3)
    assert far == {"precision": 0.0, "recall": 0.0}
    dc = density_coverage(real, real.copy(), k=5)
    assert dc["coverage"] == 1.0 and dc["density"] >= 1.0
    assert density_coverage(real, real + 100.0, k=5) == {"density": 0.0, "coverage": 0.0}


def test_precision_recall_one_dimensional_by_hand():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])  # k=1 radii: 1 each
    fake = np.array([[0.5], [10.0]])  # radii with k=1: 9.5 each
    pr = precision_recall(real, fake, k=1)
    # fake 0.5 is within 1 of real 0 or 1, fake 10 is not -> precision 1/2
    # every real point is within 9.5 of fake 0.5 -> recall 1
    assert pr == {"precision": 0.5, "recall": 1.0}
    dc = density_coverage(real, fake, k=1)
    # fake 0.5 lies in the balls of real 0 and 1 -> density (2 + 0) / (1 * 2) = 1; coverage: reals 0, 1 covered
    assert dc == {"density": 1.0, "coverage": 0.5}


def test_parzen_one_dimensional_by_hand_and_batching():
    samples = np.array([[0.0], [1.0], [3.0]])
    test = np.array([[0.5], [2.0]])
    sigma = 0.7
    expected = [
        logsumexp([-((x - s) ** 2) / (2 * sigma**2) for s in samples[:, 0]]) - np.log(3) - 0.5 * np.log(2 * np.pi * sigma**2)
        for x in test[:, 0]
    ]
    got = parzen_log_likelihoods(samples, test, [sigma], batch_size=1, sample_batch=2)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(50, 6)), rng.normal(size=(20, 6))
    np.testing.assert_allclose(
        parzen_log_likelihoods(s, t, [0.3, 1.0], batch_size=7, sample_batch=9),
        parzen_log_likelihoods(s, t, [0.3, 1.0], batch_size=1000, sample_batch=1000),
        rtol=1e-12,
    )


def test_parzen_sigma_selection_maximises_the_validation_curve():
    rng = np.random.default_rng(1)
    samples, validation, test = rng.normal(size=(300, 2)), rng.normal(size=(100, 2)), rng.normal(size=(100, 2))
    result = parzen_log_likelihood(samples, test, validation=validation, sigmas=[0.05, 0.2, 0.5, 2.0])
    curve = dict(result["validation_curve"])
    assert result["sigma"] == max(curve, key=curve.get)
    assert result["num_samples"] == 300 and result["std_error"] > 0
    with pytest.raises(ValueError, match="validation"):
        parzen_log_likelihood(samples, test)
