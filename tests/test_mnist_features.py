"""Tests of the shipped MNIST classifier and its scores (kerasgan.metrics.mnist_features).

The accuracy and coverage tests use real MNIST (``$KERASGAN_DATA_DIR/mnist.npz``,
which conftest points at ``../shared/data``) and are skipped without it.
"""

import math
import os
import pathlib

import numpy as np
import pytest

from kerasgan.metrics import mnist_features as mf
from kerasgan.metrics.mnist_features import MNISTClassifier, classifier_score, mode_coverage, preprocess

MNIST = pathlib.Path(os.environ.get("KERASGAN_DATA_DIR", "")) / "mnist.npz"
needs_mnist = pytest.mark.skipif(not MNIST.is_file(), reason="mnist.npz not found")
N_TEST = 2000


@pytest.fixture(scope="module")
def classifier():
    return MNISTClassifier()


@pytest.fixture(scope="module")
def mnist_test():
    if not MNIST.is_file():
        pytest.skip("mnist.npz not found")
    with np.load(MNIST) as data:
        return data["x_test"][:N_TEST], data["y_test"][:N_TEST]


@pytest.fixture(scope="module")
def test_outputs(classifier, mnist_test):
    return classifier.features_and_probabilities(mnist_test[0])


# --------------------------------------------------------------------------- weights


def test_shipped_weights_verify_and_are_small():
    path = mf.default_weights_path()
    assert path.is_file()
    assert path.stat().st_size < 1_000_000
    assert mf.sha256(path) == mf.WEIGHTS_SHA256


def test_corrupt_weights_file_raises_one_line_error(tmp_path):
    data = bytearray(mf.default_weights_path().read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    bad = tmp_path / "mnist_classifier.weights.h5"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError) as info:
        MNISTClassifier(weights=bad)
    message = str(info.value)
    assert "\n" not in message
    assert str(bad) in message and mf.WEIGHTS_SHA256 in message and mf.sha256(bad) in message


def test_missing_weights_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        MNISTClassifier(weights=tmp_path / "absent.weights.h5")


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        MNISTClassifier(batch_size=0)


# --------------------------------------------------------------------------- network


@needs_mnist
def test_accuracy_on_real_test_images(classifier, mnist_test, test_outputs):
    # The first 2,000 test images are harder than the rest: 99.15% here, 99.36% on all 10,000.
    accuracy = np.mean(np.argmax(test_outputs[1], axis=1) == mnist_test[1])
    assert accuracy >= 0.99


@needs_mnist
def test_outputs_shape_dtype_and_batching(mnist_test, test_outputs):
    features, probs = test_outputs
    assert features.shape == (N_TEST, mf.FEATURE_DIM) and features.dtype == np.float32
    assert probs.shape == (N_TEST, mf.NUM_CLASSES) and probs.dtype == np.float32
    assert np.all(features >= 0)  # ReLU layer
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    small_batches = MNISTClassifier(batch_size=7)
    np.testing.assert_allclose(small_batches.features(mnist_test[0][:20]), features[:20], atol=1e-5)


@needs_mnist
def test_uint8_equals_float_conversion(classifier, mnist_test):
    pixels = mnist_test[0][:16]
    scaled = pixels.astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(classifier.features(pixels), classifier.features(scaled[..., None]), atol=1e-5)
    np.testing.assert_array_equal(classifier.predict(pixels), classifier.predict(scaled))


@needs_mnist
def test_real_digits_cover_all_classes(test_outputs):
    coverage = mode_coverage(test_outputs[1])
    assert coverage["classes_covered"] == 10
    assert coverage["kl_to_uniform"] < 0.01
    assert coverage["num_samples"] == N_TEST and sum(coverage["histogram"]) == N_TEST


@needs_mnist
def test_one_repeated_digit_covers_one_class(classifier, mnist_test):
    images, labels = mnist_test
    seven = images[np.flatnonzero(labels == 7)[0]]
    coverage = mode_coverage(classifier.probabilities(np.repeat(seven[None], 50, axis=0)))
    assert coverage["classes_covered"] == 1
    assert coverage["histogram"][7] == 50
    assert coverage["kl_to_uniform"] == pytest.approx(math.log(10))


def test_empty_batch(classifier):
    features, probs = classifier.features_and_probabilities(np.zeros((0, 28, 28), np.uint8))
    assert features.shape == (0, 128) and probs.shape == (0, 10)


# --------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("shape", [(28, 28), (2, 28, 28, 3), (2, 32, 32, 1), (2, 784)])
def test_wrong_shape(shape):
    with pytest.raises(ValueError, match="shape"):
        preprocess(np.zeros(shape, np.float32))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite(bad):
    images = np.zeros((2, 28, 28, 1), np.float32)
    images[1, 3, 4, 0] = bad
    with pytest.raises(ValueError, match="non-finite"):
        preprocess(images)


@pytest.mark.parametrize("value", [1.01, -1.5, 255.0])
def test_out_of_range_floats(value):
    images = np.zeros((2, 28, 28), np.float32)
    images[0, 0, 0] = value
    with pytest.raises(ValueError, match=r"\[-1, 1\]") as info:
        preprocess(images)
    assert "\n" not in str(info.value)


def test_other_integer_dtypes_are_refused():
    with pytest.raises(ValueError, match="dtype"):
        preprocess(np.zeros((1, 28, 28), np.int64))


def test_rounding_slack_is_clipped():
    images = np.full((1, 28, 28), 1.0 + mf.RANGE_TOLERANCE / 2, np.float64)
    x = preprocess(images)
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0


def test_uint8_scaling():
    pixels = np.zeros((1, 28, 28), np.uint8)
    pixels[0, 0, :3] = [0, 255, 51]
    x = preprocess(pixels)
    np.testing.assert_allclose(x[0, 0, :3, 0], [-1.0, 1.0, -0.6], atol=1e-6)


# --------------------------------------------------------------------------- mode_coverage


def test_mode_coverage_uniform():
    coverage = mode_coverage(np.arange(100) % 10)
    assert coverage == dict(histogram=[10] * 10, kl_to_uniform=0.0, classes_covered=10, min_count=1,
                            num_samples=100)


def test_mode_coverage_single_class():
    coverage = mode_coverage(np.full(40, 3))
    assert coverage["histogram"] == [0, 0, 0, 40, 0, 0, 0, 0, 0, 0]
    assert coverage["kl_to_uniform"] == pytest.approx(math.log(10))
    assert coverage["classes_covered"] == 1


def test_mode_coverage_two_classes_and_threshold():
    # 3/4 in class 0, 1/4 in class 1 of 4 classes:
    # KL = 3/4 log(3/4 * 4) + 1/4 log(1/4 * 4) = 3/4 log 3.
    labels = np.array([0] * 300 + [1] * 100)
    coverage = mode_coverage(labels, num_classes=4)
    assert coverage["kl_to_uniform"] == pytest.approx(0.75 * math.log(3))
    assert coverage["min_count"] == 10  # 0.1 * 400 / 4
    assert coverage["classes_covered"] == 2
    # A class with fewer samples than min_count is not covered unless threshold is 0.
    labels = np.array([0] * 991 + [1] * 9)
    assert mode_coverage(labels)["classes_covered"] == 1  # min_count = 10
    assert mode_coverage(labels, threshold=0)["classes_covered"] == 2


def test_mode_coverage_takes_argmax_of_probabilities():
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.0, 0.6, 0.4]])
    coverage = mode_coverage(probs, num_classes=3)
    assert coverage["histogram"] == [1, 2, 1]
    expected = 0.25 * math.log(0.75) * 2 + 0.5 * math.log(1.5)
    assert coverage["kl_to_uniform"] == pytest.approx(expected)


@pytest.mark.parametrize(
    "values, match",
    [
        (np.zeros((3, 4)), "columns"),
        (np.array([0, 10]), "labels"),
        (np.array([-1, 2]), "labels"),
        (np.array([0.0, 1.0]), "integer"),
        (np.array([], np.int64), "at least one"),
        (np.full((2, 10), np.nan), "non-finite"),
    ],
)
def test_mode_coverage_bad_inputs(values, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(values)


# --------------------------------------------------------------------------- classifier_score


def test_classifier_score_hand_computed():
    confident = np.eye(10)[np.arange(100) % 10]
    assert classifier_score(confident, splits=1) == pytest.approx((10.0, 0.0))
    assert classifier_score(confident, splits=10)[0] == pytest.approx(10.0)
    identical = np.tile(np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum(), (50, 1))
    assert classifier_score(identical, splits=5) == pytest.approx((1.0, 0.0))
    # Two confident classes, half each: exp(log 2) = 2.
    assert classifier_score(np.eye(10)[[0, 1] * 8], splits=2)[0] == pytest.approx(2.0)


@needs_mnist
def test_classifier_score_of_real_digits_is_near_ten(test_outputs):
    mean, std = classifier_score(test_outputs[1], splits=10)
    assert 9.0 < mean <= 10.0 and std < 0.5


@pytest.mark.parametrize("probs, splits", [(np.eye(10)[:5], 6), (np.eye(10)[:5], 0), (np.ones((3, 10)), 1)])
def test_classifier_score_bad_inputs(probs, splits):
    with pytest.raises(ValueError):
        classifier_score(probs, splits=splits)


# --------------------------------------------------------------------------- MNIST FID and the tool


@needs_mnist
def test_mnist_fid_separates_real_from_collapsed(classifier, mnist_test, test_outputs):
    from kerasgan.metrics.frechet import frechet_distance

    features = test_outputs[0].astype(np.float64)
    real_vs_real = frechet_distance(features[:1000], features[1000:])
    images, labels = mnist_test
    ones = classifier.features(images[labels == 1][:200])
    real_vs_ones = frechet_distance(features[:1000], ones)
    assert real_vs_real < 0.1 * real_vs_ones


def _tool():
    import importlib.util

    path = pathlib.Path(__file__).resolve().parents[1] / "tools" / "train_mnist_classifier.py"
    spec = importlib.util.spec_from_file_location("train_mnist_classifier", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Keras's own save_weights converts TF variables with np.array(copy=False), which numpy 2 flags.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_tool_writes_loadable_weights_atomically(tmp_path):
    import keras

    tool = _tool()
    assert tool.build_classifier is mf.build_classifier  # one architecture, shared
    model = mf.build_classifier()
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    out = tmp_path / "sub" / "trained.weights.h5"
    tool.save_atomically(model, out)
    assert [p.name for p in out.parent.iterdir()] == ["trained.weights.h5"]  # no temp file left
    assert out.stat().st_size < 1_000_000  # the optimizer state is not saved
    images = np.linspace(-1, 1, 3 * 28 * 28, dtype=np.float32).reshape(3, 28, 28, 1)
    loaded = MNISTClassifier(weights=out, sha256=None)
    np.testing.assert_allclose(loaded.probabilities(images), model.predict(images, verbose=0), atol=1e-5)
    with pytest.raises(ValueError, match="sha256"):
        MNISTClassifier(weights=out)
