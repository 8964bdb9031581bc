"""Input pipelines: float32 images in [-1, 1] as batched, shuffled ``tf.data`` datasets.

``load(source)`` accepts ``"mnist"``, ``"fashion_mnist"``, the local sets
``"fashion_mnist_900"`` and ``"noto_emoji_64"``, any TFDS name prepared on
this machine, a folder of images, an ``.npz`` file, or a numpy array.

MNIST is looked up in ``$KERASGAN_DATA_DIR/mnist.npz`` (the
``keras.datasets`` layout), then the Keras cache ``~/.keras/datasets``, then
TFDS; ``download=True`` allows the sha256-checked download as a last resort.
"""

import os
import pathlib

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# Local sets: file name in $KERASGAN_DATA_DIR, image key, label key.
LOCAL_SETS = {
    "fashion_mnist_900": ("fashion_mnist_900.npz", "x", "y"),
    "noto_emoji_64": ("noto_emoji_64.npz", "x", None),
}


# ----------------------------------------------------------------- helpers
def _data_dirs():
    dirs = []
    if os.environ.get("KERASGAN_DATA_DIR"):
        dirs.append(pathlib.Path(os.environ["KERASGAN_DATA_DIR"]))
    dirs.append(pathlib.Path(os.path.expanduser("~/.keras/datasets")))
    return dirs


def _find(filename):
    for folder in _data_dirs():
        if (folder / filename).is_file():
            return folder / filename
    return None


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def to_uint8(images):
    """[-1, 1] floats -> uint8 by rounding (x + 1) * 127.5; out-of-range input is an error."""
    images = np.asarray(images, dtype="float64")
    if images.size and (not np.all(np.isfinite(images)) or images.min() < -1 or images.max() > 1):
        raise ValueError("to_uint8 needs finite float images in [-1, 1]")
    return np.round((images + 1.0) * 127.5).astype(np.uint8)


def from_uint8(images):
    """uint8 -> float32 in [-1, 1] (x / 127.5 - 1)."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"from_uint8 needs uint8 images, got {images.dtype}")
    return (images.astype("float32") / 127.5 - 1.0).astype("float32")


def _check_images(x, channels, what):
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(f"{what}: images must be (N, H, W) or (N, H, W, C), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{what}: no images found")
    allowed = (channels,) if channels else (1, 3)
    if x.shape[-1] not in allowed:
        raise ValueError(
            f"{what}: images have {x.shape[-1]} channels, expected {' or '.join(map(str, allowed))} "
            f"(shape {x.shape}); convert to grey or RGB first"
        )
    return x


def _scale(x, value_range, what):
    """Images of any numeric dtype -> float32 in [-1, 1]; never clips."""
    if x.dtype == np.bool_ or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{what}: images must be numeric, got dtype {x.dtype}")
    if value_range is None:
        if x.dtype == np.uint8:
            value_range = (0, 255)
        elif np.issubdtype(x.dtype, np.floating):
            value_range = (-1.0, 1.0)
        else:
            raise ValueError(
                f"{what}: integer images of dtype {x.dtype} need value_range=(lo, hi), e.g. (0, 255)"
            )
    lo, hi = (float(v) for v in value_range)
    if not hi > lo:
        raise ValueError(f"{what}: value_range must be (lo, hi) with hi > lo, got {value_range}")
    values = x.astype("float64")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what}: images contain NaN or Inf values: clean the data first")
    vmin, vmax = float(values.min()), float(values.max())
    if vmin < lo or vmax > hi:
        hint = " (looks like [0, 255] data: pass value_range=(0, 255))" if vmax > 1.5 else ""
        raise ValueError(
            f"{what}: values span [{vmin:g}, {vmax:g}], outside value_range ({lo:g}, {hi:g}){hint}"
        )
    if (lo, hi) == (0.0, 255.0):
        return x.astype("float32") / np.float32(127.5) - np.float32(1.0)  # exactly x / 127.5 - 1
    if (lo, hi) == (-1.0, 1.0):
        return x.astype("float32")
    return ((values - lo) / (hi - lo) * 2.0 - 1.0).astype("float32")


def _check_labels(y, n, what):
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"{what}: expected {n} labels (one per image), got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype("int64")
        else:
            raise ValueError(f"{what}: labels must be integers, got dtype {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError(f"{what}: labels must be >= 0, got {int(y.min())}")
    return y.astype("int32")


# ----------------------------------------------------------------- sources
def _npz(path, split, labels):
    path = pathlib.Path(path)
    try:
        with np.load(path, allow_pickle=False) as f:
            keys = set(f.files)
            if f"x_{split}" in keys:
                x = f[f"x_{split}"]
                y = f[f"y_{split}"] if f"y_{split}" in keys else None
            elif "x" in keys:
                x = f["x"]
                y = f["y"] if "y" in keys else None
            else:
                raise ValueError(
                    f"{path} has no 'x' or 'x_{split}' array (it has {', '.join(sorted(keys)) or 'none'})"
                )
    except (OSError, EOFError) as err:
        raise ValueError(f"cannot read {path} as an .npz file: {err}") from None
    return x, (y if labels else None)


def _mnist_file(download):
    path = _find("mnist.npz")
    if path is not None:
        return path
    if download:
        import keras

        return pathlib.Path(
            keras.utils.get_file("mnist.npz", MNIST_URL, file_hash=MNIST_SHA256, hash_algorithm="sha256")
        )
    return None


def _folder(path, image_size, channels, crop, skip_bad_files):
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in pathlib.Path(path).rglob("*") if p.is_file())
    if not files:
        raise ValueError(f"folder {path} has no files: point to a folder of images")
    images = []
    for f in files:
        if f.suffix.lower() not in IMAGE_EXTENSIONS:
            if skip_bad_files:
                continue
            raise ValueError(f"{f} is not an image file ({', '.join(IMAGE_EXTENSIONS)}): remove it or pass skip_bad_files=True")
        try:
            with Image.open(f) as im:
                im.load()
                mode = "L" if channels == 1 else "RGB"
                im = im.convert(mode)
                if crop == "center":
                    side = min(im.size)
                    left, top = (im.size[0] - side) // 2, (im.size[1] - side) // 2
                    im = im.crop((left, top, left + side, top + side))
                if image_size is not None:
                    im = im.resize((image_size, image_size), Image.BICUBIC)
                images.append(np.asarray(im))
        except (UnidentifiedImageError, OSError) as err:
            if skip_bad_files:
                continue
            raise ValueError(f"cannot read image {f}: {err}; remove it or pass skip_bad_files=True") from None
    if not images:
        raise ValueError(f"folder {path} has no readable images")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ValueError(
            f"images in {path} have different sizes ({len(shapes)} shapes): pass image_size=N to resize them"
        )
    return np.stack(images), None


def _resolve(source, split, labels, image_size, channels, crop, skip_bad_files, download, y):
    """Returns (images, labels) numpy arrays, or None for TFDS sources."""
    if isinstance(source, np.ndarray) or (isinstance(source, (list, tuple)) and not isinstance(source, str)):
        x = np.asarray(source)
        return x, (None if y is None else np.asarray(y))
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a dataset name, a path or a numpy array, got {type(source).__name__}")
    if y is not None:
        raise ValueError("y= is only for numpy array sources; other sources carry their own labels")
    text = os.fspath(source)
    if os.path.isdir(text):
        return _folder(text, image_size, channels, crop, skip_bad_files)
    if text.endswith(".npz"):
        if not os.path.isfile(text):
            raise FileNotFoundError(f"no such file: {text}")
        return _npz(text, split, labels)
    if text == "mnist":
        path = _mnist_file(download)
        if path is not None:
            return _npz(path, split, labels)
        return None
    if text == "fashion_mnist":
        path = _find("fashion_mnist.npz")
        if path is not None:
            return _npz(path, split, labels)
        return None
    if text in LOCAL_SETS:
        filename, _, label_key = LOCAL_SETS[text]
        path = _find(filename)
        if path is None:
            raise FileNotFoundError(
                f"{filename} not found: set KERASGAN_DATA_DIR to the folder that holds it"
            )
        if labels and label_key is None:
            raise ValueError(f"{text} has no class labels: use labels=False")
        return _npz(path, split, labels)
    if os.path.sep in text or text.startswith("."):
        raise FileNotFoundError(f"no such folder or file: {text}")
    return None


def _tfds(name, split, labels, download):
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise ImportError("tensorflow-datasets is needed for TFDS sources: pip install tensorflow-datasets") from None
    try:
        ds = tfds.load(name, split=split, download=download, shuffle_files=False)
    except Exception as err:  # noqa: BLE001 - TFDS raises many types; report one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        hint = "set KERASGAN_DATA_DIR to a folder with mnist.npz, " if name == "mnist" else ""
        raise ValueError(
            f"dataset {name!r} ({split}) is not available locally: {hint}prepare it with TFDS "
            f"(or pass download=True where the network is reachable) [{first[:200]}]"
        ) from None
    if labels and "label" not in ds.element_spec:
        raise ValueError(f"TFDS dataset {name!r} has no 'label' feature: use labels=False")
    return ds


# ----------------------------------------------------------------- public
def load_arrays(
    source,
    split="train",
    labels=False,
    limit=None,
    image_size=None,
    channels=None,
    crop=None,
    value_range=None,
    skip_bad_files=False,
    download=False,
    y=None,
):
    """Images as float32 numpy in [-1, 1], ``(N, H, W, C)``, plus labels when asked.

    Same sources and checks as ``load``. TFDS sources are read in full.

    Returns:
        ``images`` or ``(images, labels)`` when ``labels=True``.
    """
    if limit is not None:
        limit = _positive(limit, "limit")
    what = f"source {source!r}" if isinstance(source, (str, os.PathLike)) else "array source"
    resolved = _resolve(source, split, labels, image_size, channels, crop, skip_bad_files, download, y)
    if resolved is None:
        import tensorflow_datasets as tfds

        ds = _tfds(os.fspath(source), split, labels, download)
        if limit is not None:
            ds = ds.take(limit)
        items = list(tfds.as_numpy(ds))
        x = np.stack([item["image"] for item in items]) if items else np.zeros((0, 1, 1, 1), np.uint8)
        y_arr = np.array([item["label"] for item in items]) if labels and items else None
    else:
        x, y_arr = resolved
    x = _check_images(np.asarray(x), channels, what)
    if limit is not None:
        x = x[:limit]
        y_arr = None if y_arr is None else np.asarray(y_arr)[:limit]
    if image_size is not None and x.shape[1:3] != (image_size, image_size):
        x = _resize(x, image_size)
    images = _scale(x, value_range, what)
    if labels:
        if y_arr is None:
            raise ValueError(f"{what} has no labels: pass labels=False (or y= for arrays)")
        return images, _check_labels(y_arr, len(images), what)
    return images


def _resize(x, size):
    import tensorflow as tf

    if x.shape[1] != x.shape[2]:
        side = min(x.shape[1], x.shape[2])
        top, left = (x.shape[1] - side) // 2, (x.shape[2] - side) // 2
        x = x[:, top : top + side, left : left + side]
    out = tf.image.resize(x.astype("float32"), (size, size), method="bicubic", antialias=True).numpy()
    if x.dtype == np.uint8:
        out = np.round(np.clip(out, 0, 255)).astype(np.uint8)  # resampling overshoot only
    return out


def load(
    source,
    split="train",
    batch_size=64,
    labels=False,
    image_size=None,
    channels=None,
    shuffle=True,
    seed=None,
    cache=True,
    drop_remainder=True,
    repeat=False,
    limit=None,
    crop=None,
    value_range=None,
    skip_bad_files=False,
    download=False,
    y=None,
):
    """A ``tf.data.Dataset`` of float32 image batches in [-1, 1].

    Args:
        source: ``"mnist"``, ``"fashion_mnist"``, ``"fashion_mnist_900"``,
            ``"noto_emoji_64"``, a TFDS name, a folder of images, an ``.npz``
            file (``x``/``y`` or ``x_train``/``y_train``...) or a numpy array.
        split: ``"train"`` or ``"test"`` (TFDS split strings for TFDS).
        batch_size: images per batch.
        labels: yield ``(images, labels)`` with int32 labels.
        image_size: resize (center-cropped to a square first) to this size.
        channels: required channel count (default: 1 or 3 accepted).
        shuffle, seed: shuffle every epoch; the same seed gives the same order.
        cache: keep the decoded images in memory.
        drop_remainder: drop the last partial batch (GAN steps want full batches).
        repeat: repeat forever.
        limit: use only the first ``limit`` images.
        crop: ``"center"`` to center-crop folder images to squares.
        value_range: ``(lo, hi)`` of float/int inputs (uint8 is (0, 255)).
        skip_bad_files: skip unreadable files in folders instead of failing.
        download: allow downloads (MNIST via keras.utils.get_file with
            sha256, or TFDS) where the network is reachable.
        y: labels for numpy array sources.

    Example:
    >>> ds = load("mnist", batch_size=128, seed=0)
    >>> images = next(iter(ds))          # (128, 28, 28, 1) float32 in [-1, 1]
    """
    import tensorflow as tf

    batch_size = _positive(batch_size, "batch_size")
    if image_size is not None:
        image_size = _positive(image_size, "image_size")
    resolved = _resolve(source, split, labels, image_size, channels, crop, skip_bad_files, download, y)
    if resolved is None:
        ds = _tfds_pipeline(os.fspath(source), split, labels, image_size, channels, download, limit)
        cardinality = None
    else:
        arrays = load_arrays(
            resolved[0], labels=labels, limit=limit, image_size=image_size, channels=channels,
            value_range=value_range, y=resolved[1],
        )
        images, targets = arrays if labels else (arrays, None)
        cardinality = len(images)
        if batch_size > cardinality and drop_remainder:
            raise ValueError(
                f"batch_size {batch_size} is larger than the {cardinality} images: use a smaller batch_size"
            )
        ds = tf.data.Dataset.from_tensor_slices(images if targets is None else (images, targets))
    if cache:
        ds = ds.cache()
    if shuffle:
        buffer = cardinality if cardinality is not None else 10_000
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    return ds.prefetch(tf.data.AUTOTUNE)


def _tfds_pipeline(name, split, labels, image_size, channels, download, limit):
    import tensorflow as tf

    ds = _tfds(name, split, labels, download)
    if limit is not None:
        ds = ds.take(_positive(limit, "limit"))
    spec = ds.element_spec["image"]
    if spec.dtype != tf.uint8:
        raise ValueError(f"TFDS dataset {name!r} has {spec.dtype.name} images; kerasgan expects uint8 images")
    if image_size is None and (spec.shape[0] is None or spec.shape[1] is None):
        raise ValueError(f"TFDS dataset {name!r} has images of varying size: pass image_size=N")

    def convert(item):
        x = item["image"]
        if channels == 1 and x.shape[-1] == 3:
            x = tf.image.rgb_to_grayscale(x)
        if image_size is not None:
            side = tf.minimum(tf.shape(x)[0], tf.shape(x)[1])
            x = tf.image.resize_with_crop_or_pad(x, side, side)
            x = tf.image.resize(tf.cast(x, tf.float32), (image_size, image_size), "bicubic", antialias=True)
            x = tf.clip_by_value(tf.round(x), 0.0, 255.0)  # resampling overshoot only
        x = tf.cast(x, tf.float32) / 127.5 - 1.0
        if labels:
            return x, tf.cast(item["label"], tf.int32)
        return x

    return ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)
