"""The data loader on real MNIST and the local sets, on folders, npz files and arrays."""

import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import data

DATA_DIR = os.environ.get("KERASGAN_DATA_DIR", "")


def _raw_mnist():
    with np.load(os.path.join(DATA_DIR, "mnist.npz")) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


def test_real_mnist_batches_are_scaled_exactly():
    x_train, y_train, x_test, y_test = _raw_mnist()
    ds = data.load("mnist", batch_size=32, labels=True, shuffle=False)
    images, labels = next(iter(ds))
    assert images.shape == (32, 28, 28, 1) and images.dtype == tf.float32
    assert labels.dtype == tf.int32
    np.testing.assert_array_equal(images.numpy()[..., 0], x_train[:32].astype("float32") / 127.5 - 1)
    np.testing.assert_array_equal(labels.numpy(), y_train[:32])
    test = data.load_arrays("mnist", split="test", limit=100)
    assert test.shape == (100, 28, 28, 1) and test.min() == -1.0 and test.max() == 1.0
    np.testing.assert_array_equal(test[..., 0], x_test[:100].astype("float32") / 127.5 - 1)


def test_seed_gives_the_same_order_and_batches_are_full():
    a = next(iter(data.load("mnist", batch_size=16, seed=5, limit=512))).numpy()
    b = next(iter(data.load("mnist", batch_size=16, seed=5, limit=512))).numpy()
    c = next(iter(data.load("mnist", batch_size=16, seed=6, limit=512))).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    sizes = [len(batch) for batch in data.load("mnist", batch_size=100, limit=250)]
    assert sizes == [100, 100]  # drop_remainder
    repeated = data.load("mnist", batch_size=100, limit=250, repeat=True)
    assert len(list(repeated.take(7))) == 7


def test_local_sets():
    x, y = data.load_arrays("fashion_mnist_900", labels=True)
    assert x.shape == (900, 28, 28, 1) and np.bincount(y).tolist() == [90] * 10
    emoji = next(iter(data.load("noto_emoji_64", batch_size=8, seed=0)))
    assert emoji.shape == (8, 64, 64, 3) and float(tf.reduce_min(emoji)) >= -1.0
    with pytest.raises(ValueError, match="has no class labels"):
        data.load("noto_emoji_64", labels=True)


def test_folder_of_images(tmp_path):
    rng = np.random.default_rng(0)
    for i, size in enumerate([(20, 30), (40, 40), (33, 21)]):
        Image.fromarray(rng.integers(0, 256, size + (3,), dtype=np.uint8)).save(tmp_path / f"im{i}.png")
    with pytest.raises(ValueError, match="different sizes .* image_size"):
        data.load_arrays(tmp_path)
    x = data.load_arrays(tmp_path, image_size=16, crop="center")
    assert x.shape == (3, 16, 16, 3) and x.dtype == np.float32
    assert -1.0 <= x.min() and x.max() <= 1.0
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="notes.txt is not an image file"):
        data.load_arrays(tmp_path, image_size=16)
    assert data.load_arrays(tmp_path, image_size=16, skip_bad_files=True).shape == (3, 16, 16, 3)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read image .*broken.png"):
        data.load_arrays(tmp_path, image_size=16)
    assert data.load_arrays(tmp_path, image_size=16, skip_bad_files=True).shape == (3, 16, 16, 3)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="has no files"):
        data.load(empty)


def test_npz_and_arrays(tmp_path):
    x = np.random.default_rng(1).integers(0, 256, (10, 8, 8), dtype=np.uint8)
    y = np.arange(10)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=x[:4], y_test=y[:4])
    images, labels = data.load_arrays(tmp_path / "d.npz", labels=True)
    np.testing.assert_array_equal(images[..., 0], x.astype("float32") / 127.5 - 1)
    assert data.load_arrays(tmp_path / "d.npz", split="test").shape == (4, 8, 8, 1)
    batch = next(iter(data.load(x, y=y, labels=True, batch_size=5, shuffle=False)))
    np.testing.assert_array_equal(batch[1].numpy(), y[:5])
    floats = x.astype("float32") / 255.0
    np.testing.assert_allclose(data.load_arrays(floats, value_range=(0, 1))[..., 0], x / 127.5 - 1, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"source": np.zeros((4, 8), "uint8")}, ValueError, r"must be \(N, H, W\) or \(N, H, W, C\)"),
        ({"source": np.zeros((4, 8, 8, 2), "uint8")}, ValueError, "2 channels"),
        ({"source": np.zeros((0, 8, 8), "uint8")}, ValueError, "no images"),
        ({"source": np.full((4, 8, 8), 200.0, "float32")}, ValueError, r"value_range=\(0, 255\)"),
        ({"source": np.full((4, 8, 8), np.nan, "float32")}, ValueError, "NaN"),
        ({"source": np.zeros((4, 8, 8), "int32")}, ValueError, "need value_range"),
        ({"source": np.zeros((4, 8, 8), "uint8"), "labels": True}, ValueError, "has no labels"),
        ({"source": np.zeros((4, 8, 8), "uint8"), "labels": True, "y": np.arange(3)}, ValueError, "expected 4 labels"),
        ({"source": np.zeros((4, 8, 8), "uint8"), "labels": True, "y": np.array([0.5, 1, 2, 3])}, ValueError, "labels must be integers"),
        ({"source": np.zeros((4, 8, 8), "uint8"), "batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"source": np.zeros((4, 8, 8), "uint8"), "batch_size": 8}, ValueError, "larger than the 4 images"),
        ({"source": "missing/folder"}, FileNotFoundError, "no such folder"),
        ({"source": "missing.npz"}, FileNotFoundError, "no such file"),
        ({"source": 3.5}, TypeError, "source must be"),
        ({"source": "surely_not_a_tfds_dataset_name"}, ValueError, "not available locally"),
    ],
)
def test_bad_input_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.load(**kwargs)


def test_tfds_source_with_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=20):
        ds = data.load("mnist_corrupted", batch_size=4, labels=True, seed=0)
        images, labels = next(iter(ds))
    assert images.shape == (4, 28, 28, 1) and images.dtype == tf.float32
    assert float(tf.reduce_min(images)) >= -1.0 and float(tf.reduce_max(images)) <= 1.0
    assert labels.dtype == tf.int32


def test_uint8_helpers():
    x = np.array([0, 1, 127, 128, 255], np.uint8)
    np.testing.assert_array_equal(data.to_uint8(data.from_uint8(x)), x)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        data.to_uint8(np.array([1.5]))
