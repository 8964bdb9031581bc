"""The data loader on real MNIST and the local sets, on folders, npz files, arrays and TFDS."""

import gzip
import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import data

DATA_DIR = os.environ.get("KERASGAN_DATA_DIR", "")
needs_data = pytest.mark.skipif(
    not os.path.isfile(os.path.join(DATA_DIR, "mnist.npz")), reason="needs $KERASGAN_DATA_DIR/mnist.npz"
)


@pytest.fixture
def no_local_data(tmp_path, monkeypatch):
    """An empty KERASGAN_DATA_DIR and Keras cache, so names fall through to TFDS."""
    monkeypatch.setenv("KERASGAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    (tmp_path / "data").mkdir()
    return tmp_path


def _raw_mnist():
    with np.load(os.path.join(DATA_DIR, "mnist.npz")) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


# ------------------------------------------------------------- real data
@needs_data
def test_real_mnist_batches_are_scaled_exactly():
    x_train, y_train, x_test, y_test = _raw_mnist()
    ds = data.load("mnist", batch_size=32, labels=True, shuffle=False)
    assert ds.element_spec[0].shape == (32, 28, 28, 1)
    images, labels = next(iter(ds))
    assert images.dtype == tf.float32 and labels.dtype == tf.int32
    np.testing.assert_array_equal(images.numpy()[..., 0], x_train[:32].astype("float32") / 127.5 - 1)
    np.testing.assert_array_equal(labels.numpy(), y_train[:32])
    test, test_labels = data.load_arrays("mnist", split="test", limit=100, labels=True)
    assert test.shape == (100, 28, 28, 1) and test.dtype == np.float32
    assert test.min() == -1.0 and test.max() == 1.0  # exactly the ends of the range
    np.testing.assert_array_equal(test[..., 0], x_test[:100].astype("float32") / 127.5 - 1)
    np.testing.assert_array_equal(test_labels, y_test[:100])


@needs_data
def test_shuffled_images_keep_their_labels():
    x_train, y_train, _, _ = _raw_mnist()
    images, labels = next(iter(data.load("mnist", batch_size=64, labels=True, seed=3, limit=1000)))
    index = {x.tobytes(): y for x, y in zip(x_train[:1000], y_train[:1000])}
    raw = data.to_uint8(images.numpy())[..., 0]
    assert [index[x.tobytes()] for x in raw] == labels.numpy().tolist()


@needs_data
def test_seed_gives_the_same_order_and_batches_are_full():
    a = next(iter(data.load("mnist", batch_size=16, seed=5, limit=512))).numpy()
    b = next(iter(data.load("mnist", batch_size=16, seed=5, limit=512))).numpy()
    c = next(iter(data.load("mnist", batch_size=16, seed=6, limit=512))).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    sizes = [len(batch) for batch in data.load("mnist", batch_size=100, limit=250)]
    assert sizes == [100, 100]  # drop_remainder
    sizes = [len(batch) for batch in data.load("mnist", batch_size=100, limit=250, drop_remainder=False)]
    assert sizes == [100, 100, 50]
    repeated = data.load("mnist", batch_size=100, limit=250, repeat=True)
    assert len(list(repeated.take(7))) == 7


@needs_data
def test_fashion_mnist_900_has_one_split():
    x, y = data.load_arrays("fashion_mnist_900", labels=True)
    assert x.shape == (900, 28, 28, 1) and y.dtype == np.int32
    assert np.bincount(y).tolist() == [90] * 10
    with pytest.raises(ValueError, match="single split .*split='train'"):
        data.load_arrays("fashion_mnist_900", split="test")
    # "fashion_mnist" falls back to the 900-image set, and says so.
    with pytest.warns(UserWarning, match="900-image limited-data set"):
        fallback = data.load_arrays("fashion_mnist")
    np.testing.assert_array_equal(fallback, x)


@needs_data
def test_noto_emoji_is_rgb_64_without_labels():
    emoji = next(iter(data.load("noto_emoji_64", batch_size=8, seed=0)))
    assert emoji.shape == (8, 64, 64, 3) and emoji.dtype == tf.float32
    assert float(tf.reduce_min(emoji)) >= -1.0 and float(tf.reduce_max(emoji)) <= 1.0
    with pytest.raises(ValueError, match="labels=True but this source has no labels"):
        data.load("noto_emoji_64", labels=True)


def test_emoji_styles_carry_their_category_labels():
    raw = np.load(os.path.join(os.environ["KERASGAN_DATA_DIR"], "emoji_styles_64.npz"))
    x, y = data.load_arrays("emoji_styles_64", labels=True)
    n = len(raw["category"])
    assert x.shape == (3 * n, 64, 64, 3) and y.shape == (3 * n,) and y.dtype == np.int32
    # Google, Twitter, OpenMoji stacked in that order, each scaled exactly; labels repeat per style.
    for i, style in enumerate(data.EMOJI_COLOUR_STYLES):
        np.testing.assert_array_equal(x[i * n:(i + 1) * n], raw[style].astype("float32") / 127.5 - 1.0)
    assert [data.EMOJI_CATEGORIES[k] for k in y[:n]] == raw["category"].tolist()
    np.testing.assert_array_equal(y[n:2 * n], y[:n])
    assert np.bincount(y[:n]).tolist() == [int(np.sum(raw["category"] == c)) for c in data.EMOJI_CATEGORIES]
    line_art, y1 = data.load_arrays("emoji_styles_64/openmoji_black", labels=True, limit=10)
    np.testing.assert_array_equal(line_art, raw["openmoji_black"][:10].astype("float32") / 127.5 - 1.0)
    np.testing.assert_array_equal(y1, y[:10])
    images, labels = next(iter(data.load("emoji_styles_64/twitter", batch_size=16, labels=True, seed=0)))
    assert images.shape == (16, 64, 64, 3) and labels.shape == (16,)
    with pytest.raises(ValueError, match="unknown emoji style 'googel': did you mean 'google'"):
        data.load_arrays("emoji_styles_64/googel")
    with pytest.raises(ValueError, match="single split: use split='train'"):
        data.load_arrays("emoji_styles_64", split="test")


def test_local_set_without_data_dir(no_local_data):
    with pytest.raises(FileNotFoundError, match="noto_emoji_64.npz not found .*set KERASGAN_DATA_DIR"):
        data.load("noto_emoji_64")
    with pytest.raises(FileNotFoundError, match="emoji_styles_64.npz not found .*set KERASGAN_DATA_DIR"):
        data.load("emoji_styles_64/google")


# ------------------------------------------------------- resolution order
def test_mnist_from_the_keras_cache(no_local_data):
    cache = no_local_data / "keras" / "datasets"
    cache.mkdir(parents=True)
    x = np.arange(6 * 28 * 28, dtype=np.uint64).reshape(6, 28, 28).astype(np.uint8)
    np.savez(cache / "mnist.npz", x_train=x, y_train=np.arange(6), x_test=x[:2], y_test=np.arange(2))
    images, labels = data.load_arrays("mnist", labels=True)
    np.testing.assert_array_equal(images[..., 0], x / np.float32(127.5) - 1)
    assert labels.tolist() == list(range(6))


def test_fashion_mnist_from_the_keras_cache_idx_files(no_local_data):
    folder = no_local_data / "keras" / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y = np.array([3, 1, 4, 1, 5], np.uint8)
    for prefix in ("train", "t10k"):
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in x.shape) + x.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(bytes([0, 0, 8, 1]) + len(y).to_bytes(4, "big") + y.tobytes())
    images, labels = data.load_arrays("fashion_mnist", split="test", labels=True)
    np.testing.assert_array_equal(images[..., 0], data.from_uint8(x))
    assert labels.tolist() == y.tolist()


def test_mnist_missing_everywhere_says_what_to_do(no_local_data):
    with pytest.raises(FileNotFoundError, match="set KERASGAN_DATA_DIR .* or pass download=True"):
        data.load("mnist", data_dir=str(no_local_data / "tfds"))


def test_mnist_download_is_the_last_resort_and_sha256_checked(no_local_data, monkeypatch):
    import hashlib

    x = np.zeros((4, 28, 28), np.uint8)
    served = no_local_data / "served" / "mnist.npz"
    served.parent.mkdir()
    np.savez(served, x_train=x, y_train=np.arange(4), x_test=x, y_test=np.arange(4))
    assert data.MNIST_SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    assert data.MNIST_URL.startswith("https://")
    monkeypatch.setattr(data, "MNIST_URL", served.as_uri())  # a local "server"
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.load_arrays("mnist", data_dir=str(no_local_data / "tfds"))
    # A file that is not the pinned one is refused and nothing is left in the cache.
    with pytest.raises(ValueError, match=f"expected {data.MNIST_SHA256}"):
        data.load_arrays("mnist", download=True, data_dir=str(no_local_data / "tfds"))
    cache = no_local_data / "keras" / "datasets"
    assert not cache.exists() or list(cache.iterdir()) == []
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(served.read_bytes()).hexdigest())
    images = data.load_arrays("mnist", download=True, data_dir=str(no_local_data / "tfds"))
    assert images.shape == (4, 28, 28, 1)
    assert sorted(p.name for p in cache.iterdir()) == ["mnist.npz"]
    served.unlink()  # found in the Keras cache from now on, without download
    assert data.load_arrays("mnist", data_dir=str(no_local_data / "tfds")).shape == (4, 28, 28, 1)


# ------------------------------------------------------------------- TFDS
def test_tfds_mnist_with_mock_data(no_local_data):
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=20):
        ds = data.load("mnist", batch_size=4, labels=True, seed=0)
        images, labels = next(iter(ds))
        again = next(iter(data.load("mnist", batch_size=4, seed=0)))
        everything, all_labels = data.load_arrays("mnist", labels=True)
        limited = data.load_arrays("mnist", limit=7, image_size=14, channels=3)
    assert images.shape == (4, 28, 28, 1) and images.dtype == tf.float32
    assert labels.shape == (4,) and labels.dtype == tf.int32
    assert float(tf.reduce_min(images)) >= -1.0 and float(tf.reduce_max(images)) <= 1.0
    np.testing.assert_array_equal(images.numpy(), again.numpy())  # the same seed, the same order
    assert everything.shape == (20, 28, 28, 1) and all_labels.shape == (20,)
    np.testing.assert_array_equal(everything, data.from_uint8(data.to_uint8(everything)))  # uint8 grid
    assert limited.shape == (7, 14, 14, 3)


def test_tfds_images_of_varying_size(no_local_data):
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=6):
        with pytest.raises(ValueError, match="vary in size: pass image_size=N"):
            data.load("lsun/bedroom")
        batch = next(iter(data.load("lsun/bedroom", batch_size=3, image_size=16, crop="center", seed=1)))
        with pytest.raises(ValueError, match="no 'label' feature"):
            data.load("lsun/bedroom", image_size=16, labels=True)
    assert batch.shape == (3, 16, 16, 3)
    assert float(tf.reduce_min(batch)) >= -1.0 and float(tf.reduce_max(batch)) <= 1.0


def test_tfds_not_prepared_and_unknown_names(tmp_path):
    with pytest.raises(FileNotFoundError, match="'cifar10' is not prepared in .*pass download=True"):
        data.load("cifar10", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="'lsun/bedroom' is not prepared"):
        data.load("lsun/bedroom", data_dir=str(tmp_path), image_size=64)
    with pytest.raises(ValueError, match="unknown dataset: not a local set"):
        data.load("surely_not_a_tfds_dataset_name")


# ----------------------------------------------------------------- folders
def _write(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_folder_of_images_exact_values(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (3, 6, 5, 3), dtype=np.uint8)
    _write(tmp_path / "a.png", x[0])
    _write(tmp_path / "sub" / "b.bmp", x[1])  # found recursively
    _write(tmp_path / "sub" / "deeper" / "c.png", x[2])
    (tmp_path / ".DS_Store").write_bytes(b"\0\1")  # hidden files are not part of the data
    images = data.load_arrays(tmp_path)
    np.testing.assert_array_equal(images, data.from_uint8(x))  # sorted by path: a, sub/b, sub/deeper/c
    batch = next(iter(data.load(tmp_path, batch_size=3, shuffle=False)))
    np.testing.assert_array_equal(batch.numpy(), data.from_uint8(x))
    with pytest.raises(ValueError, match="labels=True but this source has no labels"):
        data.load(tmp_path, labels=True)


def test_folder_of_different_sizes_and_bad_files(tmp_path):
    rng = np.random.default_rng(0)
    for i, size in enumerate([(20, 30), (40, 40), (33, 21)]):
        _write(tmp_path / f"im{i}.png", rng.integers(0, 256, size + (3,), dtype=np.uint8))
    _write(tmp_path / "grey.jpg", rng.integers(0, 256, (16, 16), dtype=np.uint8))
    with pytest.raises(ValueError, match="different sizes .*pass image_size=N"):
        data.load_arrays(tmp_path)
    x = data.load_arrays(tmp_path, image_size=16, crop="center")
    assert x.shape == (4, 16, 16, 3) and x.dtype == np.float32  # grey mixed with RGB: read as RGB
    assert -1.0 <= x.min() and x.max() <= 1.0
    assert data.load_arrays(tmp_path, image_size=8, channels=1).shape == (4, 8, 8, 1)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="notes.txt is not an image file .*skip_bad_files=True"):
        data.load_arrays(tmp_path, image_size=16)
    assert data.load_arrays(tmp_path, image_size=16, skip_bad_files=True).shape == (4, 16, 16, 3)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read image .*broken.png"):
        data.load_arrays(tmp_path, image_size=16)
    assert data.load_arrays(tmp_path, image_size=16, skip_bad_files=True).shape == (4, 16, 16, 3)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="the folder has no files"):
        data.load(empty)


# -------------------------------------------------------- npz and arrays
def test_npz_files(tmp_path):
    x = np.random.default_rng(1).integers(0, 256, (10, 8, 8), dtype=np.uint8)
    y = np.arange(10)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=x[:4], y_test=y[:4])
    images, labels = data.load_arrays(tmp_path / "d.npz", labels=True)
    np.testing.assert_array_equal(images[..., 0], x.astype("float32") / 127.5 - 1)
    assert labels.tolist() == y.tolist() and labels.dtype == np.int32
    assert data.load_arrays(str(tmp_path / "d.npz"), split="test").shape == (4, 8, 8, 1)
    np.savez(tmp_path / "one.npz", x=x)
    assert data.load_arrays(tmp_path / "one.npz").shape == (10, 8, 8, 1)
    with pytest.raises(ValueError, match="single split"):
        data.load_arrays(tmp_path / "one.npz", split="test")
    with pytest.raises(ValueError, match="labels=True but this source has no labels"):
        data.load_arrays(tmp_path / "one.npz", labels=True)
    np.savez(tmp_path / "wrong.npz", images=x)
    with pytest.raises(ValueError, match=r"no 'x' or 'x_train' array \(it has images\)"):
        data.load(tmp_path / "wrong.npz")
    (tmp_path / "broken.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="cannot read .*broken.npz as an .npz file"):
        data.load(tmp_path / "broken.npz")
    with open(tmp_path / "single.npz", "wb") as f:
        np.save(f, x)
    with pytest.raises(ValueError, match="holds a single array, not an .npz archive"):
        data.load(tmp_path / "single.npz")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="not an .npz file"):
        data.load(tmp_path / "notes.txt")


def test_numpy_arrays(tmp_path):
    x = np.random.default_rng(2).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    y = np.arange(10) % 3
    batch, labels = next(iter(data.load(x, y=y, labels=True, batch_size=5, shuffle=False)))
    np.testing.assert_array_equal(batch.numpy(), data.from_uint8(x[:5]))
    np.testing.assert_array_equal(labels.numpy(), y[:5])
    # Floats in [-1, 1] are taken as they are; other ranges need value_range.
    floats = data.from_uint8(x)
    np.testing.assert_array_equal(data.load_arrays(floats), floats)
    np.testing.assert_allclose(data.load_arrays(x / 255.0, value_range=(0, 1)), floats, atol=1e-6)
    np.testing.assert_allclose(data.load_arrays(x.astype("int16"), value_range=(0, 255)), floats, atol=1e-6)
    with pytest.warns(UserWarning, match=r"pass value_range=\(0, 1\)"):
        data.load_arrays(x / 255.0)
    # Channel conversion and resizing.
    grey = data.load_arrays(x[..., 0], channels=3)
    assert grey.shape == (10, 8, 8, 3) and np.array_equal(grey[..., 0], grey[..., 2])
    assert data.load_arrays(x, channels=1).shape == (10, 8, 8, 1)
    resized = next(iter(data.load(x, batch_size=2, image_size=4)))
    assert resized.shape == (2, 4, 4, 3) and float(tf.reduce_max(tf.abs(resized))) <= 1.0
    assert data.load_arrays(np.zeros((3, 5, 5, 4), np.uint8), channels=4).shape == (3, 5, 5, 4)
    # Labels pair with their images after shuffling.
    marked = np.repeat(np.arange(40, dtype=np.uint8), 4).reshape(40, 2, 2)
    images, targets = next(iter(data.load(marked, y=np.arange(40), labels=True, batch_size=40, seed=0)))
    assert data.to_uint8(images.numpy())[:, 0, 0, 0].tolist() == targets.numpy().tolist()
    assert targets.numpy().tolist() != list(range(40))  # it did shuffle


ARRAY = np.zeros((4, 8, 8), "uint8")


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"source": np.zeros((4, 8), "uint8")}, ValueError, r"must be \(N, H, W\) or \(N, H, W, C\), got shape \(4, 8\)"),
        ({"source": np.zeros((4, 8, 8, 2), "uint8")}, ValueError, "have 2 channels, expected 1 .* or 3"),
        ({"source": np.zeros((4, 8, 8, 4), "uint8"), "channels": 3}, ValueError, "4 channels, cannot make 3"),
        ({"source": np.zeros((0, 8, 8), "uint8")}, ValueError, "no images"),
        ({"source": np.zeros((4, 0, 8), "uint8")}, ValueError, "at least 1x1"),
        ({"source": np.full((4, 8, 8), 200.0, "float32")}, ValueError, r"outside .*value_range=\(0, 255\)"),
        ({"source": np.full((4, 8, 8), 2.0, "float32"), "value_range": (0, 1)}, ValueError, "never clipped"),
        ({"source": np.full((4, 8, 8), np.nan, "float32")}, ValueError, "NaN or Inf"),
        ({"source": np.full((4, 8, 8), np.inf, "float64"), "value_range": (0, 255)}, ValueError, "NaN or Inf"),
        ({"source": np.zeros((4, 8, 8), "int32")}, ValueError, r"int32 images need value_range"),
        ({"source": np.zeros((4, 8, 8), bool)}, TypeError, "dtype bool"),
        ({"source": np.array([["a"]])}, TypeError, "must be uint8, integer or float"),
        ({"source": ARRAY, "value_range": (1, 1)}, ValueError, "hi > lo"),
        ({"source": ARRAY, "value_range": "wide"}, TypeError, "pair of numbers"),
        ({"source": ARRAY, "labels": True}, ValueError, "labels=True but pass y="),
        ({"source": ARRAY, "y": np.arange(4)}, ValueError, "y= was given but labels=False"),
        ({"source": ARRAY, "labels": True, "y": np.arange(3)}, ValueError, "expected 4 labels .*shape \\(3,\\)"),
        ({"source": ARRAY, "labels": True, "y": np.eye(4)}, ValueError, "not one-hot"),
        ({"source": ARRAY, "labels": True, "y": np.array([0.5, 1, 2, 3])}, ValueError, "labels must be integers"),
        ({"source": ARRAY, "labels": True, "y": np.array(["a", "b", "c", "d"])}, TypeError, "labels must be integers"),
        ({"source": ARRAY, "labels": True, "y": np.array([0, -1, 2, 3])}, ValueError, "class indices"),
        ({"source": ARRAY, "batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
        ({"source": ARRAY, "batch_size": -3}, ValueError, "batch_size must be a positive integer"),
        ({"source": ARRAY, "batch_size": 2.5}, TypeError, "batch_size must be a positive integer"),
        ({"source": ARRAY, "batch_size": 8}, ValueError, "larger than the 4 images"),
        ({"source": ARRAY, "limit": 0}, ValueError, "limit must be a positive integer"),
        ({"source": ARRAY, "image_size": 0}, ValueError, "image_size must be a positive integer"),
        ({"source": ARRAY, "image_size": (8, 8)}, TypeError, "image_size must be a positive integer"),
        ({"source": ARRAY, "crop": "middle"}, ValueError, "crop must be None or 'center'"),
        ({"source": ARRAY, "seed": "7"}, TypeError, "seed must be an integer"),
        ({"source": ARRAY, "split": "test"}, ValueError, "arrays have no splits"),
        ({"source": "missing/folder/"}, FileNotFoundError, "no such folder or file"),
        ({"source": "./missing"}, FileNotFoundError, "no such folder or file"),
        ({"source": "missing.npz"}, FileNotFoundError, "no such folder or file"),
        ({"source": "mnist", "y": np.arange(4)}, ValueError, "y= is only for numpy array sources"),
        ({"source": 3.5}, TypeError, "source must be a dataset name, a path or a numpy array"),
    ],
)
def test_bad_input_errors(kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        data.load(**kwargs)
    assert "\n" not in str(info.value)  # one-line messages


def test_image_size_mismatch_in_a_folder_names_the_fix(tmp_path):
    _write(tmp_path / "a.png", np.zeros((8, 8), np.uint8))
    _write(tmp_path / "b.png", np.zeros((9, 8), np.uint8))
    with pytest.raises(ValueError, match="2 different sizes .*image_size=N"):
        data.load(tmp_path)


# ---------------------------------------------------------- uint8 helpers
def test_uint8_helpers_round_trip_every_value():
    x = np.arange(256, dtype=np.uint8)
    floats = data.from_uint8(x)
    assert floats.dtype == np.float32 and floats[0] == -1.0 and floats[-1] == 1.0
    np.testing.assert_array_equal(data.to_uint8(floats), x)
    np.testing.assert_array_equal(data.to_uint8(np.array([-1.0, -0.999, 0.0, 1.0])), [0, 0, 128, 255])
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\], got values in \[1.5, 1.5\]"):
        data.to_uint8(np.array([1.5]))
    with pytest.raises(ValueError, match="NaN or Inf"):
        data.to_uint8(np.array([np.nan]))
    with pytest.raises(TypeError, match="float images"):
        data.to_uint8(x)
    with pytest.raises(TypeError, match="needs uint8"):
        data.from_uint8(floats)


# ------------------------------------------------------------ paired emoji styles
def test_emoji_pairs_share_code_points_and_a_fixed_test_split():
    x, y, codes = data.load_pair_arrays("openmoji_black", "openmoji", split="test")
    xt, yt, codes_t = data.load_pair_arrays("openmoji_black", "openmoji", split="train")
    assert x.shape == y.shape and x.shape[1:] == (64, 64, 3) and x.dtype == np.float32
    assert len(codes) + len(codes_t) == 1906 and not set(codes) & set(codes_t)
    assert 0.08 < len(codes) / 1906 < 0.13  # about 10 %, by code point
    np.testing.assert_array_equal(data.emoji_split(codes), np.ones(len(codes), bool))
    with np.load(os.path.join(os.environ["KERASGAN_DATA_DIR"], "emoji_styles_64.npz")) as f:
        i = list(f["codepoint"]).index(codes[0])
        np.testing.assert_array_equal(data.to_uint8(x[:1])[0], f["openmoji_black"][i])
        np.testing.assert_array_equal(data.to_uint8(y[:1])[0], f["openmoji"][i])
    with pytest.raises(ValueError, match="unknown emoji style 'twiter': did you mean 'twitter'"):
        data.load_pair_arrays("google", "twiter")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.load_pair_arrays("google", "twitter", split="validation")


def test_load_pairs_jitter_and_mirror_move_both_images_together():
    plain = data.load_pairs("google", "google", split="test", batch_size=8, shuffle=False)
    a, b = next(iter(plain))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    augmented = data.load_pairs("google", "google", split="test", batch_size=8, shuffle=False, jitter=True, mirror=True, seed=3)
    a2, b2 = next(iter(augmented))
    np.testing.assert_allclose(a2.numpy(), b2.numpy(), atol=1e-6)  # the same crop and flip for both
    assert a2.shape == (8, 64, 64, 3) and float(np.abs(a2.numpy() - a.numpy()).max()) > 0.1
    assert float(a2.numpy().min()) >= -1.0 and float(a2.numpy().max()) <= 1.0


# ---------------------------------------------------------- split slices
def _numbered_npz(tmp_path, n=20):
    """An npz whose image i is filled with the value i (and labelled i % 10)."""
    x = np.repeat(np.arange(n, dtype=np.uint8)[:, None, None], 4, axis=1).repeat(4, axis=2)
    path = tmp_path / "numbered.npz"
    np.savez(path, x_train=x, y_train=np.arange(n) % 10, x_test=x[:3], y_test=np.arange(3))
    return str(path)


def _ids(images):
    return np.round((images[:, 0, 0, 0] + 1) * 127.5).astype(int).tolist()


def test_split_slices_hold_out_part_of_an_in_memory_split(tmp_path):
    path = _numbered_npz(tmp_path)
    head, head_labels = data.load_arrays(path, split="train[:15]", labels=True)
    assert _ids(head) == list(range(15)) and head_labels.tolist() == [i % 10 for i in range(15)]
    assert _ids(data.load_arrays(path, split="train[15:]")) == [15, 16, 17, 18, 19]
    assert _ids(data.load_arrays(path, split="train[-3:]")) == [17, 18, 19]
    assert _ids(data.load_arrays(path, split="train[50%:]")) == list(range(10, 20))
    assert _ids(data.load_arrays(path, split="train[:25%]")) == list(range(5))
    assert _ids(data.load_arrays(path, split="test[1:]")) == [1, 2]
    assert _ids(data.load_arrays(path, split="train[:]")) == list(range(20))
    # a training pipeline sees the slice only, every image of it once per epoch
    seen = np.concatenate([b.numpy() for b in data.load(path, split="train[:15]", batch_size=5, seed=0, repeat=False)])
    assert sorted(_ids(seen)) == list(range(15))


def test_bad_split_slices_are_one_line_errors(tmp_path):
    path = _numbered_npz(tmp_path)
    with pytest.raises(ValueError, match=r"split 'train\[5:5\]' selects no images of the 20 in the split"):
        data.load_arrays(path, split="train[5:5]")
    with pytest.raises(ValueError, match="mixes percent and item bounds"):
        data.load_arrays(path, split="train[10%:15]")
    with pytest.raises(ValueError, match=r"write a slice as 'train\[START:STOP\]'"):
        data.load_arrays(path, split="train[a:b]")
    with pytest.raises(ValueError, match="has no split 'valid'"):
        data.load_arrays(path, split="valid[:5]")


def test_tfds_reads_split_slices_itself(no_local_data, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    asked = []
    real = data._tfds_load

    def recording(name, split, *args, **kwargs):
        asked.append(split)
        return real(name, split, *args, **kwargs)

    monkeypatch.setattr(data, "_tfds_load", recording)
    with tfds.testing.mock_data(num_examples=20):  # (the mock returns every example whatever the slice)
        images = data.load_arrays("mnist", split="train[:5]")
    assert asked == ["train[:5]"]  # one tfds.load, of the slice string: not the whole split, not sliced again here
    assert images.shape[1:] == (28, 28, 1)
