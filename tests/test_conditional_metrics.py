"""Conditional-generation scores: conditional accuracy, per-class coverage, intra-class FID."""

import numpy as np
import pytest

from kerasgan import data
from kerasgan.metrics.conditional import ClassStatistics, class_coverage, conditional_accuracy, intra_class_fid
from kerasgan.metrics.evaluate import evaluate
from kerasgan.metrics.frechet import frechet_distance


def test_conditional_accuracy_by_hand():
    assert conditional_accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
    assert conditional_accuracy(probs, [0, 2, 2]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="got 3 predictions for 2 requested labels"):
        conditional_accuracy([0, 1, 2], [0, 1])
    with pytest.raises(TypeError, match="must be integer class labels"):
        conditional_accuracy([0, 1], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"requested labels must lie in \[0, 2\]"):
        conditional_accuracy(probs, [0, 1, 3])


def test_class_coverage_by_hand():
    shares = class_coverage([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], num_classes=4)
    np.testing.assert_allclose(shares[:3], [0.5, 0.5, 1.0])
    assert np.isnan(shares[3])  # class 3 never requested


def test_intra_class_fid_by_hand():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(500, 2)), rng.normal(size=(400, 2)) * 2.0
    real = (np.concatenate([a, b]), np.array([0] * 500 + [1] * 400))
    # Class 0 shifted by (3, 4) with the same covariance: FID 25; class 1 identical: FID 0.
    fake = (np.concatenate([a + [3.0, 4.0], b]), real[1])
    result = intra_class_fid(real, fake)
    assert result["classes"] == [0, 1]
    np.testing.assert_allclose(result["per_class"], [25.0, 0.0], atol=1e-6)
    assert result["mean"] == pytest.approx(12.5, abs=1e-6)
    # Statistics gathered chunk by chunk give the same answer.
    stats = ClassStatistics()
    for start in range(0, 900, 128):
        stats.update(fake[0][start:start + 128], fake[1][start:start + 128])
    assert intra_class_fid(real, stats)["mean"] == pytest.approx(12.5, abs=1e-6)
    with pytest.raises(ValueError, match="class 1 has 400 real and 1 generated samples"):
        intra_class_fid(real, (fake[0][:501], fake[1][:501]))


@pytest.fixture(scope="module")
def mnist_test():
    return data.load_arrays("mnist", split="test", labels=True, limit=3000)


def test_evaluate_scores_real_digits_against_their_labels(mnist_test, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    from kerasgan.metrics.mnist_features import MNISTClassifier

    x, y = mnist_test
    clf = MNISTClassifier()
    scores = evaluate(x, ["conditional_accuracy", "class_coverage", "intra_fid"], num=3000, labels=y)
    predicted = clf.predict(x)
    assert scores["conditional_accuracy"] == pytest.approx(np.mean(predicted == y))
    assert scores["conditional_accuracy"] > 0.98
    np.testing.assert_allclose(scores["class_coverage"], [np.mean(predicted[y == k] == k) for k in range(10)])
    # Intra-FID by hand: per class, FID of these images' features vs the 10,000 test images of that class.
    real_x, real_y = data.load_arrays("mnist", split="test", labels=True)
    real_f, fake_f = clf.features(real_x), clf.features(x)
    by_hand = [frechet_distance(fake_f[y == k], real_f[real_y == k]) for k in range(10)]
    np.testing.assert_allclose(scores["intra_fid"]["per_class"], by_hand, rtol=1e-6)
    assert scores["protocol"]["generated_per_class"] == {k: int(np.sum(y == k)) for k in range(10)}
    # The same images asked for the wrong classes: accuracy near chance, intra-FID far higher.
    wrong = (y + 1 + np.random.default_rng(0).integers(0, 9, size=len(y))) % 10
    bad = evaluate(x, ["conditional_accuracy", "intra_fid"], num=3000, labels=wrong)
    assert bad["conditional_accuracy"] < 0.02
    assert bad["intra_fid"]["mean"] > 10 * scores["intra_fid"]["mean"]


def test_evaluate_conditional_metrics_need_labels(mnist_test):
    x, y = mnist_test
    with pytest.raises(ValueError, match="need the label each image was generated for: pass labels="):
        evaluate(x, ["conditional_accuracy"], num=100)
    with pytest.raises(ValueError, match="got 10 labels for 3000 images"):
        evaluate(x, ["intra_fid"], num=100, labels=y[:10])
    with pytest.raises(ValueError, match="need features='mnist'"):
        evaluate(x, ["conditional_accuracy"], num=100, labels=y, features="inception")

    class Unconditional:
        def sample(self, num, seed=0):
            return x[:num]

    with pytest.raises(ValueError, match="this GAN generates without labels"):
        evaluate(Unconditional(), ["conditional_accuracy"], num=100)
