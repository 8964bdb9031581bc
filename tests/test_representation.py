"""Representation metrics: nearest-neighbour and linear-probe accuracy on hand-made features."""

import numpy as np
import pytest

from kerasgan.metrics.representation import linear_probe_accuracy, nearest_neighbour_accuracy


def test_one_nearest_neighbour_by_hand():
    train = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    train_y = np.array([0, 1, 2])
    test = np.array([[1.0, 1.0], [9.0, 1.0], [1.0, 6.0], [6.0, 5.0]])
    # nearest: 0, 1, 2, and (6, 5) is at squared distances 61, 41, 61 -> class 1.
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 2, 1])) == 1.0
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 0, 0])) == 0.5
    # chunking does not change the answer
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 2, 1]), chunk=1) == 1.0


def test_cosine_ignores_length_and_k_votes():
    train = np.array([[10.0, 0.0], [100.0, 1.0], [0.0, 1.0]])
    train_y = np.array([0, 0, 1])
    test = np.array([[0.5, 0.2]])  # euclidean-nearest is [0, 1] (0.89 vs 90.3); by angle it is [10, 0]
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([1])) == 1.0
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0]), metric="cosine") == 1.0
    assert nearest_neighbour_accuracy(train, train_y, np.array([[0.1, 1.0]]), np.array([0]), k=3) == 1.0  # 2 votes for 0


def test_linear_probe_separates_separable_classes_and_not_noise():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 5)) * 4
    y = rng.integers(0, 3, 600)
    x = centres[y] + rng.normal(size=(600, 5))
    assert linear_probe_accuracy(x[:400], y[:400], x[400:], y[400:]) > 0.97
    noise = rng.normal(size=(600, 5))
    assert linear_probe_accuracy(noise[:400], y[:400], noise[400:], y[400:]) < 0.5


def test_bad_features_are_one_line_errors():
    with pytest.raises(ValueError, match=r"train labels must have shape \(3,\)"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(2, int), np.zeros((1, 2)), np.zeros(1, int))
    with pytest.raises(ValueError, match="train and test features differ in size: 2 vs 3"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(3, int), np.zeros((1, 3)), np.zeros(1, int))
    with pytest.raises(TypeError, match="labels must be integer classes"):
        linear_probe_accuracy(np.zeros((3, 2)), np.zeros(3), np.zeros((1, 2)), np.zeros(1, int))
    with pytest.raises(ValueError, match="test features contain NaN"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(3, int), np.full((1, 2), np.nan), np.zeros(1, int))
