"""Fréchet distance against closed forms and a float64 scipy sqrtm reference."""

import numpy as np
import pytest
from scipy import linalg

from kerasgan.metrics.frechet import activation_statistics, frechet_distance, frechet_distance_from_stats


def scipy_reference(mu1, s1, mu2, s2):
    covmean = linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))


def test_identical_sets_give_zero():
    act = np.random.default_rng(0).normal(size=(500, 16))
    assert frechet_distance(act, act) == pytest.approx(0.0, abs=1e-8)


def test_diagonal_gaussians_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert frechet_distance_from_stats(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("d", [8, 64])
def test_matches_scipy_sqrtm_on_full_covariances(d):
    rng = np.random.default_rng(d)
    a, b = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    s1, s2 = a @ a.T + 0.1 * np.eye(d), b @ b.T + 0.1 * np.eye(d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    ours = frechet_distance_from_stats(mu1, s1, mu2, s2)
    assert ours == pytest.approx(scipy_reference(mu1, s1, mu2, s2), rel=1e-6)


def test_singular_covariances_give_a_finite_real_value():
    rng = np.random.default_rng(1)
    act_a, act_b = rng.normal(size=(10, 50)), rng.normal(size=(10, 50)) + 0.5
    value = frechet_distance(act_a, act_b)
    assert np.isfinite(value) and value > 0
    mu1, s1 = activation_statistics(act_a)
    mu2, s2 = activation_statistics(act_b)
    assert value == pytest.approx(scipy_reference(mu1, s1, mu2, s2), rel=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="2-D"):
        frechet_distance(np.zeros(5), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(np.zeros((1, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="feature sizes differ"):
        frechet_distance(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.full((3, 2), np.nan), np.zeros((3, 2)))


def test_running_statistics_equal_the_statistics_of_all_chunks():
    from kerasgan.metrics.frechet import RunningStatistics, activation_statistics

    rng = np.random.default_rng(0)
    act = rng.normal(3.0, 2.0, size=(257, 6)) + np.linspace(0, 50, 6)
    stats = RunningStatistics()
    for chunk in (act[:1], act[1:100], act[100:100], act[100:]):
        stats.update(chunk)
    mu, sigma = stats.result()
    mu_ref, sigma_ref = activation_statistics(act)
    np.testing.assert_allclose(mu, mu_ref, rtol=1e-12)
    np.testing.assert_allclose(sigma, sigma_ref, rtol=1e-10, atol=1e-12)
    assert stats.count == 257
    with pytest.raises(ValueError, match="at least 2 samples"):
        RunningStatistics().update(act[:1]).result()
    with pytest.raises(ValueError, match="5 features, earlier chunks had 6"):
        stats.update(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="NaN"):
        RunningStatistics().update(np.full((2, 2), np.nan))
