"""Maths of the application cards' scores (CAN, text -> image), by hand-computed values."""

import numpy as np
import pytest

from kerasgan.metrics.creativity import nearest_neighbours, novelty, prediction_entropy
from kerasgan.metrics.retrieval import r_precision


# ------------------------------------------------------------ prediction entropy
def test_entropy_by_hand():
    probs = np.array([[0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    result = prediction_entropy(probs)
    expected = (np.log(2) + 0.0 + np.log(4)) / 3
    assert result["mean"] == pytest.approx(expected)
    assert result["normalized"] == pytest.approx(expected / np.log(4))
    # top class: row 0 ties -> 0 (argmax takes the first), row 1 -> 0, row 2 -> 0
    assert result["histogram"] == pytest.approx([1.0, 0.0, 0.0, 0.0])


def test_entropy_extremes_and_histogram():
    assert prediction_entropy(np.full((5, 3), 1 / 3))["normalized"] == pytest.approx(1.0)
    one_hot = np.eye(3)[[0, 1, 1, 2]]
    result = prediction_entropy(one_hot)
    assert result["mean"] == 0.0
    assert result["histogram"] == pytest.approx([0.25, 0.5, 0.25])


@pytest.mark.parametrize(
    "probs, match",
    [
        (np.array([[0.5, 0.6]]), "summing to 1"),
        (np.array([[1.5, -0.5]]), "non-negative"),
        (np.array([[1.0]]), "at least 2 classes"),
        (np.array([[np.nan, 1.0]]), "NaN"),
        (np.array([0.5, 0.5]), "2-D"),
    ],
)
def test_entropy_rejects_bad_probabilities(probs, match):
    with pytest.raises(ValueError, match=match):
        prediction_entropy(probs)


# ------------------------------------------------------------ nearest neighbours and novelty
def test_nearest_neighbours_by_hand():
    pool = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    index, dist = nearest_neighbours(np.array([[1.0, 0.0], [0.0, 3.0]]), pool)
    assert index.tolist() == [0, 2]
    np.testing.assert_allclose(dist, [1.0, 1.0])
    index, dist = nearest_neighbours(pool, pool, exclude_self=True)
    assert index.tolist() == [1, 0, 0]
    np.testing.assert_allclose(dist, [3.0, 3.0, 4.0])


def test_novelty_in_units_of_heldout_distance():
    training = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    heldout = training[:3] + [1.0, 0.0]  # real images 1 away from the training set
    samples = training + [0.0, 2.0]  # samples 2 away
    result = novelty(samples, training, heldout)
    assert result["sample_median"] == pytest.approx(2.0)
    assert result["heldout_median"] == pytest.approx(1.0)
    assert result["ratio"] == pytest.approx(2.0)
    assert result["near_copy_share"] == 0.0
    copies = novelty(training.copy(), training, heldout)  # a generator that copies
    assert copies["ratio"] == 0.0 and copies["near_copy_share"] == 1.0


def test_novelty_errors():
    training = np.zeros((4, 2))
    with pytest.raises(ValueError, match="copies of training images"):
        novelty(np.ones((3, 2)), training, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="different feature sizes"):
        novelty(np.ones((3, 3)), training, np.ones((2, 2)))
    with pytest.raises(ValueError, match="near_quantile"):
        novelty(np.ones((3, 2)), training, np.ones((2, 2)), near_quantile=1.5)


# ------------------------------------------------------------ retrieval
def test_r_precision_perfect_and_chance_free_cases():
    rng = np.random.default_rng(0)
    embeddings = np.linalg.qr(rng.normal(size=(20, 20)))[0]  # orthonormal rows
    assert r_precision(embeddings, embeddings, candidates=10) == 1.0
    # Each image's own caption is its neighbour's embedding: orthogonal to it (cosine 0), never above a distractor.
    basis = np.eye(20)
    assert r_precision(basis, np.roll(basis, 1, axis=0), candidates=10) == 0.0


def test_r_precision_by_hand_with_one_distractor():
    images = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    texts = np.array([[1.0, 0.1], [0.0, 1.0], [0.0, 1.0]])
    # candidates=2 with items: image 0 vs text 2 (item 1's other drawings excluded): 1.0 > 0.0 -> hit;
    # image 2 (item 1) vs text 0: 1.0 > 0.0995 -> hit. Image 1 belongs to item 1 too.
    items = np.array([0, 1, 1])
    # image 1's only distractor is text 0: cos(image 1, text 1) = 0 < cos(image 1, text 0) -> miss.
    assert r_precision(images, texts, items=items, candidates=2) == pytest.approx(2 / 3)


def test_r_precision_ties_count_as_misses_and_errors():
    same = np.ones((3, 2))
    assert r_precision(same, same, candidates=2) == 0.0
    with pytest.raises(ValueError, match="one caption per image"):
        r_precision(np.ones((3, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="lower candidates"):
        r_precision(np.eye(3), np.eye(3), candidates=5)
    with pytest.raises(ValueError, match="candidates must be"):
        r_precision(np.eye(3), np.eye(3), candidates=1)
