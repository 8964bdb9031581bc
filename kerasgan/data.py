"""Input pipelines: float32 images in [-1, 1] as batched, shuffled ``tf.data`` datasets.

``load(source)`` returns a ``tf.data.Dataset`` of NHWC float32 batches scaled
to [-1, 1]; ``load_arrays(source)`` returns the same images as numpy arrays
(for metrics and tests). Both read the same sources with the same checks:

* ``"mnist"``: ``$KERASGAN_DATA_DIR/mnist.npz`` (the ``keras.datasets``
  layout ``x_train y_train x_test y_test``), then the Keras cache
  (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``), then TFDS ``mnist``
  prepared on this machine, then, only with ``download=True``, the
  sha256-checked download of ``mnist.npz``.
* ``"fashion_mnist"``: ``$KERASGAN_DATA_DIR/fashion_mnist.npz``, then
  ``$KERASGAN_DATA_DIR/fashion_mnist_900.npz`` (with a warning: it is the
  900-image limited-data set and has a single split, ``"train"``), then the
  Keras cache (``datasets/fashion-mnist/*.gz``), then TFDS.
* ``"fashion_mnist_900"`` and ``"noto_emoji_64"``: the local sets in
  ``$KERASGAN_DATA_DIR`` (one split each; the emoji set has no labels).
* ``"emoji_styles_64"``: ``$KERASGAN_DATA_DIR/emoji_styles_64.npz``, the
  1,906 emoji drawn by Google, Twitter and OpenMoji stacked in that order
  (5,718 colour images); ``"emoji_styles_64/STYLE"`` is one style
  (``EMOJI_STYLES``, including the line-art ``openmoji_black``). Labels are
  the emoji's category, an index into ``EMOJI_CATEGORIES``.
* Any other TFDS name (``"cifar10"``, ``"lsun/bedroom"``, ...), read with
  ``tfds.load(name, split=split, download=False, data_dir=data_dir)``.
* A folder of images (png, jpg, jpeg, bmp, gif; searched recursively).
* An ``.npz`` file with ``x`` (one split) or ``x_train``/``x_test``, and
  optionally ``y`` or ``y_train``/``y_test``.
* A numpy array ``(N, H, W)`` or ``(N, H, W, C)``, with labels in ``y=``.

Scaling: uint8 images become ``x / 127.5 - 1`` (in float32, exactly). Other
inputs need their ``value_range=(lo, hi)``, except floats already in
[-1, 1], which are taken as they are. Values are never clipped: data outside
its range is an error.

Example:
    >>> from kerasgan import data
    >>> ds = data.load("mnist", batch_size=128, seed=0)
    >>> next(iter(ds)).shape
    TensorShape([128, 28, 28, 1])
"""

import difflib
import gzip
import os
import pathlib
import re
import warnings

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# TFDS images are cached in memory when their decoded uint8 size is at most this.
CACHE_LIMIT_BYTES = 2**30
# Shuffle buffer for TFDS sources too large to cache (in-memory sources shuffle fully).
SHUFFLE_BUFFER = 10_000
# Local sets in $KERASGAN_DATA_DIR: file name and whether it has labels.
LOCAL_SETS = {
    "fashion_mnist_900": ("fashion_mnist_900.npz", True),
    "noto_emoji_64": ("noto_emoji_64.npz", False),
}
#: The four artist styles of ``emoji_styles_64.npz`` (1,906 emoji each, paired by code point).
EMOJI_STYLES = ("google", "twitter", "openmoji", "openmoji_black")
#: The colour styles, stacked by the source ``"emoji_styles_64"``.
EMOJI_COLOUR_STYLES = ("google", "twitter", "openmoji")
#: Unicode emoji groups (the set's ``category``), sorted: label k is ``EMOJI_CATEGORIES[k]``.
EMOJI_CATEGORIES = (
    "Activities", "Animals & Nature", "Flags", "Food & Drink", "Objects", "People & Body",
    "Smileys & Emotion", "Symbols", "Travel & Places",
)
_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601 weights, as PIL's "L" mode and tf.image use
_CHUNK = 4096  # images per eager resize call


class _Arrays:
    """An in-memory source: raw images, optional labels and a description."""

    def __init__(self, x, y, what, has_labels=None):
        self.x, self.y, self.what = x, y, what
        self.has_labels = y is not None if has_labels is None else has_labels


class _TFDS:
    """A TFDS source: the dataset of feature dicts and a description."""

    def __init__(self, ds, what):
        self.ds, self.what = ds, what


# ------------------------------------------------------------ small checks
def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {value!r} of type {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _check_options(crop, channels, value_range):
    if crop not in (None, "center"):
        raise ValueError(f"crop must be None or 'center', got {crop!r}")
    if channels is not None:
        channels = _positive_int(channels, "channels")
    if value_range is not None:
        try:
            lo, hi = (float(v) for v in value_range)
        except (TypeError, ValueError):
            raise TypeError(f"value_range must be a pair of numbers (lo, hi), got {value_range!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and np.float32(hi) > np.float32(lo)):
            raise ValueError(f"value_range must be finite (lo, hi) with hi > lo, got {value_range!r}")
        value_range = (lo, hi)
    return channels, value_range


def _data_dir_env():
    value = os.environ.get("KERASGAN_DATA_DIR")
    return pathlib.Path(value).expanduser() if value else None


def _keras_cache():
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return pathlib.Path(base) / "datasets"


def _in_data_dir(filename):
    folder = _data_dir_env()
    if folder is not None and (folder / filename).is_file():
        return folder / filename
    return None


def _in_keras_cache(filename):
    path = _keras_cache() / filename
    return path if path.is_file() else None


def _where_we_looked(filename):
    folder = _data_dir_env()
    env = f"{folder / filename}" if folder else "$KERASGAN_DATA_DIR (unset)"
    return f"{env}, {_keras_cache() / filename}"


# ----------------------------------------------------------- uint8 helpers
def to_uint8(images):
    """Converts float images in [-1, 1] to uint8 by rounding ``(x + 1) * 127.5``.

    Args:
        images: float array or tensor with every value in [-1, 1].

    Returns:
        A uint8 numpy array of the same shape.

    Raises:
        TypeError: the images are not floating point.
        ValueError: a value is NaN, infinite or outside [-1, 1] (never clipped).

    Example:
        >>> to_uint8(np.array([-1.0, 0.0, 1.0]))
        array([  0, 128, 255], dtype=uint8)
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"to_uint8 needs float images in [-1, 1], got dtype {images.dtype}; uint8 images need no conversion")
    values = images.astype(np.float64)
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError("images contain NaN or Inf values: check the generator's output before converting")
    if values.size and (values.min() < -1.0 or values.max() > 1.0):
        raise ValueError(
            f"float images must be in [-1, 1], got values in [{values.min():g}, {values.max():g}]: "
            "scale them (e.g. x / 127.5 - 1) first"
        )
    return np.round((values + 1.0) * 127.5).astype(np.uint8)


def from_uint8(images):
    """Converts uint8 images to float32 in [-1, 1] as ``x / 127.5 - 1``.

    Args:
        images: uint8 array or tensor.

    Returns:
        A float32 numpy array of the same shape; ``to_uint8`` inverts it.

    Raises:
        TypeError: the images are not uint8.

    Example:
        >>> from_uint8(np.array([0, 255], np.uint8))
        array([-1.,  1.], dtype=float32)
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"from_uint8 needs uint8 images, got dtype {images.dtype}; use value_range= for other dtypes")
    return images.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def _scale_to_unit(x, value_range):
    """Numbers within ``value_range`` (checked) -> float32 in [-1, 1]."""
    lo, hi = np.float32(value_range[0]), np.float32(value_range[1])
    if (lo, hi) == (-1.0, 1.0):
        return x.astype(np.float32)
    x = x.astype(np.float32)
    # (x - lo) <= (hi - lo) survives float32 rounding, so results stay in [-1, 1].
    return (x - lo) / ((hi - lo) / np.float32(2.0)) - np.float32(1.0)


# ------------------------------------------------------------ image checks
def _check_dtype(x, what):
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{what}: images must be uint8, integer or float numbers, got dtype {x.dtype}")


def _check_shape(x, what):
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4:
        raise ValueError(f"{what}: images must be (N, H, W) or (N, H, W, C), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{what}: no images (empty source): check the path, split or limit")
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise ValueError(f"{what}: images must be at least 1x1 pixels, got shape {x.shape}")
    return x


def _check_channels(count, channels, what):
    if channels is None:
        if count not in (1, 3):
            raise ValueError(
                f"{what}: images have {count} channels, expected 1 (grey) or 3 (RGB): "
                f"convert them, or pass channels={count} to accept them"
            )
    elif count != channels and {count, channels} != {1, 3}:
        raise ValueError(f"{what}: images have {count} channels, cannot make {channels}: pass channels=None or {count}")


def _value_range(x, value_range, what):
    """The checked (lo, hi) of ``x``; raises when a value lies outside it."""
    if np.issubdtype(x.dtype, np.floating) and x.size and not np.all(np.isfinite(x)):
        raise ValueError(f"{what}: images contain NaN or Inf values: clean the data first")
    if value_range is None:
        if x.dtype == np.uint8:
            return (0.0, 255.0)
        if not np.issubdtype(x.dtype, np.floating):
            raise ValueError(f"{what}: {x.dtype} images need value_range=(lo, hi), e.g. (0, 255), or convert to uint8")
        value_range = (-1.0, 1.0)
        implicit = True
    else:
        implicit = False
    vmin, vmax = float(x.min()), float(x.max())
    lo, hi = value_range
    if vmin < lo or vmax > hi:
        hint = ""
        if implicit and vmin >= 0 and vmax <= 255:
            hint = " (for [0, 255] data pass value_range=(0, 255))"
        raise ValueError(
            f"{what}: values span [{vmin:g}, {vmax:g}], outside the value range [{lo:g}, {hi:g}]: "
            f"pass the data's value_range=(lo, hi){hint}; values are never clipped"
        )
    if implicit and vmin >= 0 and vmax > 0:
        warnings.warn(
            f"{what}: float images lie in [{vmin:g}, {vmax:g}] and are read as [-1, 1] data; "
            "if they are [0, 1] data pass value_range=(0, 1)",
            stacklevel=4,
        )
    return value_range


def _check_labels(y, n, what):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n:
        hint = "; pass class indices (e.g. y.argmax(1)), not one-hot rows" if y.ndim == 2 else ""
        raise ValueError(f"{what}: expected {n} labels (one per image), got labels of shape {y.shape}{hint}")
    if y.dtype == np.bool_ or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"{what}: labels must be integers, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        if not (np.all(np.isfinite(y)) and np.all(y == np.round(y))):
            raise ValueError(f"{what}: labels must be integers, got non-integer values (dtype {y.dtype})")
    if y.size and (y.min() < 0 or y.max() > np.iinfo(np.int32).max):
        raise ValueError(f"{what}: labels must be class indices in [0, 2**31), got values in [{y.min()}, {y.max()}]")
    return y.astype(np.int32)


# --------------------------------------------------------- tf transforms
def _transform(x, image_size, crop, channels, uint8):
    """Center crop, resize and channel conversion of a batch or one image (tf ops)."""
    import tensorflow as tf

    if crop == "center":
        shape = tf.shape(x)
        side = tf.minimum(shape[-3], shape[-2])
        x = tf.image.resize_with_crop_or_pad(x, side, side)
    if image_size is not None or (channels == 1 and x.shape[-1] == 3):
        x = tf.cast(x, tf.float32)
    if image_size is not None:
        x = tf.image.resize(x, (image_size, image_size), method="bicubic", antialias=True)
    if channels == 1 and x.shape[-1] == 3:
        x = tf.reduce_sum(x * tf.constant(_LUMA, tf.float32), axis=-1, keepdims=True)
    elif channels == 3 and x.shape[-1] == 1:
        x = tf.repeat(x, 3, axis=-1)
    if x.dtype == tf.float32:
        # Bicubic resampling overshoots near edges; clamp that to the valid
        # range as PIL does. The input values themselves were range-checked.
        if uint8:
            x = tf.cast(tf.clip_by_value(tf.round(x), 0.0, 255.0), tf.uint8)
        else:
            x = tf.clip_by_value(x, -1.0, 1.0)
    return x


def _needs_transform(shape, image_size, crop, channels):
    h, w, c = shape
    if crop == "center" and h != w:
        return True
    if image_size is not None and (h, w) != (image_size, image_size):
        return True
    return channels is not None and c != channels


def _transform_arrays(x, image_size, crop, channels):
    if not _needs_transform(x.shape[1:], image_size, crop, channels):
        return x
    uint8 = x.dtype == np.uint8
    parts = [
        _transform(x[i : i + _CHUNK], image_size, crop, channels, uint8).numpy() for i in range(0, len(x), _CHUNK)
    ]
    return np.concatenate(parts)


# ----------------------------------------------------------------- sources
def _npz(path, split, what):
    path = pathlib.Path(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, EOFError, ValueError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:120]
        raise ValueError(f"{what}: cannot read {path} as an .npz file ({first}): check the file") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{what}: {path} holds a single array, not an .npz archive: save it with np.savez(path, x=...)")
    with archive as f:
        keys = set(f.files)
        if f"x_{split}" in keys:
            names = (f"x_{split}", f"y_{split}")
        elif "x" in keys:
            if split != "train":
                raise ValueError(f"{what}: {path.name} has a single split (x, y): use split='train', got split={split!r}")
            names = ("x", "y")
        elif any(k.startswith("x_") for k in keys):
            splits = sorted(k[2:] for k in keys if k.startswith("x_"))
            raise ValueError(
                f"{what}: {path.name} has no split {split!r} (it has {', '.join(splits)}): "
                f"use split={' or '.join(repr(s) for s in splits)}"
            )
        else:
            raise ValueError(
                f"{what}: {path} has no 'x' or 'x_{split}' array (it has {', '.join(sorted(keys)) or 'none'}): "
                "save images under x (or x_train/x_test)"
            )
        try:
            return f[names[0]], (f[names[1]] if names[1] in keys else None)
        except ValueError as err:  # object arrays need pickle, which is never allowed
            first = (str(err).strip().splitlines() or [""])[0][:120]
            raise ValueError(f"{what}: cannot read {names[0]} from {path} ({first}): save numeric arrays") from None


def _read_idx_gz(path):
    """Reads a gzipped IDX file (the MNIST/Fashion-MNIST distribution format)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f"{path} is not a uint8 IDX file: delete it so it can be fetched again")
    ndim = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path} is truncated: delete it so it can be fetched again")
    return data.reshape(dims)


def _fashion_from_keras_cache(split):
    folder = _keras_cache() / "fashion-mnist"
    prefix = "train" if split == "train" else "t10k"
    images = folder / f"{prefix}-images-idx3-ubyte.gz"
    labels = folder / f"{prefix}-labels-idx1-ubyte.gz"
    if split not in ("train", "test") or not (images.is_file() and labels.is_file()):
        return None
    return _read_idx_gz(images), _read_idx_gz(labels)


def _folder(path, image_size, crop, channels, skip_bad_files, what):
    from PIL import Image, UnidentifiedImageError

    root = pathlib.Path(path)
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not files:
        raise ValueError(f"{what}: the folder has no files: point to a folder of images ({', '.join(IMAGE_EXTENSIONS)})")
    images, skipped = [], 0
    for f in files:
        if f.suffix.lower() not in IMAGE_EXTENSIONS:
            if skip_bad_files:
                skipped += 1
                continue
            raise ValueError(
                f"{what}: {f} is not an image file ({', '.join(IMAGE_EXTENSIONS)}): remove it or pass skip_bad_files=True"
            )
        try:
            with Image.open(f) as im:
                im.load()
                if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                    raise ValueError(f"{what}: {f} has 16-bit or float pixels (mode {im.mode}): convert it to 8-bit")
                grey = channels == 1 or (channels is None and im.mode in ("1", "L", "LA"))
                im = im.convert("L" if grey else "RGB")
                if crop == "center":
                    side = min(im.size)
                    left, top = (im.size[0] - side) // 2, (im.size[1] - side) // 2
                    im = im.crop((left, top, left + side, top + side))
                if image_size is not None and im.size != (image_size, image_size):
                    im = im.resize((image_size, image_size), Image.BICUBIC)
                array = np.asarray(im, dtype=np.uint8)
        except (UnidentifiedImageError, OSError, SyntaxError) as err:
            if skip_bad_files:
                skipped += 1
                continue
            raise ValueError(f"{what}: cannot read image {f} ({err}): remove it or pass skip_bad_files=True") from None
        images.append(array if array.ndim == 3 else array[..., np.newaxis])
    if not images:
        raise ValueError(
            f"{what}: the folder has no readable images ({skipped} files skipped): "
            f"add image files ({', '.join(IMAGE_EXTENSIONS)}) or point to another folder"
        )
    if len({im.shape[-1] for im in images}) > 1:  # grey and colour mixed: read all as RGB
        images = [np.repeat(im, 3, axis=-1) if im.shape[-1] == 1 else im for im in images]
    sizes = {im.shape[:2] for im in images}
    if len(sizes) > 1:
        raise ValueError(
            f"{what}: the images have {len(sizes)} different sizes (e.g. {sorted(sizes)[:2]}): "
            "pass image_size=N to resize them (and crop='center' to keep their aspect ratio)"
        )
    return np.stack(images)


def _looks_like_path(text):
    return text.startswith((os.sep, ".", "~")) or text.endswith(os.sep) or (os.altsep is not None and os.altsep in text) or text.endswith(
        (".npz",) + IMAGE_EXTENSIONS
    )


def _tfds_names(tfds):
    """Registered TFDS builder names (for suggestions); empty when TFDS cannot list them."""
    try:
        return list(tfds.list_builders(with_community_datasets=False))
    except Exception:  # noqa: BLE001 - suggestions are best effort
        return []


def _tfds_load(name, split, download, data_dir, shuffle, seed, what, path_like=False):
    import tensorflow_datasets as tfds

    read_config = tfds.ReadConfig(shuffle_seed=seed) if shuffle and seed is not None else None
    try:
        return tfds.load(
            name,
            split=split,
            download=download,
            data_dir=data_dir,
            shuffle_files=bool(shuffle),
            read_config=read_config,
        )
    except tfds.core.DatasetNotFoundError:
        if path_like:
            raise FileNotFoundError(f"{what}: no such folder or file, and no TFDS dataset of that name") from None
        local = ["mnist", "fashion_mnist", *LOCAL_SETS]
        close = difflib.get_close_matches(name, list(dict.fromkeys(local + _tfds_names(tfds))), n=3, cutoff=0.75)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? It is " if close else ""
        raise ValueError(
            f"{what}: unknown dataset: {hint}not a local set ({', '.join(local)}), an existing folder or .npz file, "
            "or a TFDS name"
        ) from None
    except AssertionError:  # TFDS's "could not find data" for unprepared datasets
        where = data_dir or os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"
        raise FileNotFoundError(
            f"{what}: TFDS dataset {name!r} is not prepared in {where}: prepare it with `tfds build {name}` "
            "(or pass data_dir=), or pass download=True where the network is reachable"
        ) from None
    except ValueError as err:  # bad split strings, unparsable names and the like
        if path_like:
            raise FileNotFoundError(f"{what}: no such folder or file, and no TFDS dataset of that name") from None
        first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        raise ValueError(f"{what}: TFDS could not load split {split!r}: {first}") from None


def _mnist(split, download, data_dir, shuffle, seed, tfds_split):
    what = "source 'mnist'"
    path = _in_data_dir("mnist.npz") or _in_keras_cache("mnist.npz")
    if path is not None:
        return _Arrays(*_npz(path, split, what), what, has_labels=True)
    try:
        return _TFDS(_tfds_load("mnist", tfds_split, False, data_dir, shuffle, seed, what), what)
    except FileNotFoundError:
        if not download:
            raise FileNotFoundError(
                f"{what}: MNIST not found in {_where_we_looked('mnist.npz')} or TFDS: "
                "set KERASGAN_DATA_DIR to a folder with mnist.npz, or pass download=True"
            ) from None
    from kerasgan.utils.files import download_verified

    # Into the Keras cache, where the next call finds it; verified before it is renamed there.
    path = download_verified(MNIST_URL, _keras_cache() / "mnist.npz", MNIST_SHA256, what="MNIST")
    return _Arrays(*_npz(path, split, what), what, has_labels=True)


def _fashion_mnist(split, download, data_dir, shuffle, seed, tfds_split):
    what = "source 'fashion_mnist'"
    path = _in_data_dir("fashion_mnist.npz")
    if path is not None:
        return _Arrays(*_npz(path, split, what), what, has_labels=True)
    path = _in_data_dir("fashion_mnist_900.npz")
    if path is not None:
        warnings.warn(
            f"{what}: using {path}, the 900-image limited-data set (one split); "
            "put fashion_mnist.npz in KERASGAN_DATA_DIR for the full 70,000 images",
            stacklevel=4,
        )
        return _Arrays(*_npz(path, split, what), what, has_labels=True)
    cached = _fashion_from_keras_cache(split)
    if cached is not None:
        return _Arrays(*cached, what, has_labels=True)
    try:
        return _TFDS(_tfds_load("fashion_mnist", tfds_split, download, data_dir, shuffle, seed, what), what)
    except FileNotFoundError:
        folder = _data_dir_env()
        env = f"{folder}/fashion_mnist(_900).npz" if folder else "$KERASGAN_DATA_DIR (unset)"
        raise FileNotFoundError(
            f"{what}: Fashion-MNIST not found in {env}, {_keras_cache() / 'fashion-mnist'} or TFDS: "
            "set KERASGAN_DATA_DIR to a folder with fashion_mnist.npz, or pass download=True"
        ) from None


def _split_slice(split):
    """``"train[:50000]"`` -> ``("train", slice(None, 50000), "items")``; ``"train[80%:]"`` uses percent units.

    The TFDS slice syntax (``name[start:stop]``, bounds in items or, with a ``%``
    on every bound given, in percent of the split), so that in-memory sources
    can hold out part of a split (e.g. MNIST's last 10,000 training images as a
    validation set). A plain split name gives ``(split, None, None)``.
    """
    if not isinstance(split, str):
        raise TypeError(f"split must be a string such as 'train', 'test' or 'train[:50000]', got {type(split).__name__}")
    match = re.fullmatch(r"\s*([\w.-]+)\s*\[\s*(-?\d*)\s*(%?)\s*:\s*(-?\d*)\s*(%?)\s*\]\s*", split)
    if match is None:
        if "[" in split or "]" in split:
            raise ValueError(
                f"cannot read the split {split!r}: write a slice as 'train[START:STOP]' in images "
                "(e.g. 'train[:50000]') or percent ('train[80%:]')"
            )
        return split, None, None
    name, start, start_pct, stop, stop_pct = match.groups()
    given = [(v, pct) for v, pct in ((start, start_pct), (stop, stop_pct)) if v]
    if not given:
        return name, slice(None), "items"
    if len({pct for _, pct in given}) > 1:
        raise ValueError(f"split {split!r} mixes percent and item bounds: use one unit for both")
    unit = "percent" if given[0][1] else "items"
    bound = lambda v: int(v) if v else None  # noqa: E731
    return name, slice(bound(start), bound(stop)), unit


def _slice_arrays(src, part, unit, split):
    """The images (and labels) of ``src`` within ``part``; an empty result is an error."""
    n = len(src.x)
    if unit == "percent":
        edge = lambda v: None if v is None else (max(-100, min(100, v)) * n) // 100  # noqa: E731
        part = slice(edge(part.start), edge(part.stop))
    x = src.x[part]
    if len(x) == 0:
        raise ValueError(f"{src.what}: split {split!r} selects no images of the {n} in the split: check its bounds")
    return _Arrays(x, None if src.y is None else src.y[part], f"{src.what} ({split})", has_labels=src.has_labels)


def _resolve(source, split, skip_bad_files, download, data_dir, shuffle, seed, y, image_size, crop, channels):
    """The source as ``_Arrays`` (raw images, labels) or ``_TFDS``; in-memory sources honour a slice of a split."""
    base, part, unit = _split_slice(split)
    # In-memory sources read the whole base split and slice it here; TFDS is handed the slice string itself.
    src = _resolve_split(source, base, skip_bad_files, download, data_dir, shuffle, seed, y, image_size, crop, channels,
                         tfds_split=split)
    if part is None or isinstance(src, _TFDS):
        return src
    return _slice_arrays(src, part, unit, split)


def _resolve_split(source, split, skip_bad_files, download, data_dir, shuffle, seed, y, image_size, crop, channels,
                   tfds_split=None):
    """The source as ``_Arrays`` (of the whole ``split``) or ``_TFDS`` (reading ``tfds_split``, default ``split``)."""
    tfds_split = split if tfds_split is None else tfds_split
    if isinstance(source, (np.ndarray, list, tuple)) or hasattr(source, "__array__"):
        if split != "train":
            raise ValueError(f"arrays have no splits: pass split='train' (the default), got split={split!r}")
        return _Arrays(np.asarray(source), None if y is None else np.asarray(y), "array source")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"source must be a dataset name, a path or a numpy array, got {type(source).__name__}")
    if y is not None:
        raise ValueError("y= is only for numpy array sources: other sources carry their own labels")
    text = os.path.expanduser(os.fspath(source))
    what = f"source {os.fspath(source)!r}"
    if os.path.isdir(text):
        if split != "train":
            raise ValueError(f"{what}: an image folder has one split: pass split='train', got split={split!r}")
        return _Arrays(_folder(text, image_size, crop, channels, skip_bad_files, what), None, what)
    if os.path.isfile(text):
        if not text.lower().endswith(".npz"):
            raise ValueError(f"{what}: is a file but not an .npz file: pass a folder of images or an .npz file")
        return _Arrays(*_npz(text, split, what), what)
    if text == "mnist":
        return _mnist(split, download, data_dir, shuffle, seed, tfds_split)
    if text == "fashion_mnist":
        return _fashion_mnist(split, download, data_dir, shuffle, seed, tfds_split)
    if text == "emoji_styles_64" or text.startswith("emoji_styles_64/"):
        return _emoji_styles(text, split, what)
    if text in LOCAL_SETS:
        filename, has_labels = LOCAL_SETS[text]
        path = _in_data_dir(filename)
        if path is None:
            folder = _data_dir_env()
            state = f"it is {folder}" if folder else "it is unset"
            raise FileNotFoundError(
                f"{what}: {filename} not found ({state}): set KERASGAN_DATA_DIR to the folder that holds it"
            )
        x, labels = _npz(path, split, what)
        return _Arrays(x, labels if has_labels else None, what, has_labels=has_labels)
    if _looks_like_path(text):
        raise FileNotFoundError(f"{what}: no such folder or file: check the path")
    return _TFDS(_tfds_load(text, tfds_split, download, data_dir, shuffle, seed, what, path_like=os.sep in text), what)


def _emoji_styles(text, split, what):
    """``emoji_styles_64`` (the three colour styles stacked) or ``emoji_styles_64/STYLE``, labelled by category."""
    style = text.partition("/")[2]
    if style and style not in EMOJI_STYLES:
        close = difflib.get_close_matches(style, EMOJI_STYLES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"{what}: unknown emoji style {style!r}: {hint}choose one of {', '.join(EMOJI_STYLES)}")
    if split != "train":
        raise ValueError(f"{what}: the emoji set has a single split: use split='train', got split={split!r}")
    path = _in_data_dir("emoji_styles_64.npz")
    if path is None:
        folder = _data_dir_env()
        state = f"it is {folder}" if folder else "it is unset"
        raise FileNotFoundError(
            f"{what}: emoji_styles_64.npz not found ({state}): set KERASGAN_DATA_DIR to the folder that holds it"
        )
    styles = (style,) if style else EMOJI_COLOUR_STYLES
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in (*styles, "category") if k not in f.files]
        if missing:
            raise ValueError(f"{what}: {path} has no {', '.join(missing)} array: it is not the emoji_styles_64 set")
        x = np.concatenate([f[k] for k in styles])
        categories = f["category"]
    unknown = sorted(set(categories.tolist()) - set(EMOJI_CATEGORIES))
    if unknown:
        raise ValueError(f"{what}: {path} has categories this version does not know: {unknown}")
    index = {name: k for k, name in enumerate(EMOJI_CATEGORIES)}
    y = np.tile(np.array([index[c] for c in categories.tolist()], "int32"), len(styles))
    return _Arrays(x, y, what, has_labels=True)


# ------------------------------------------------------------ preparation
def _prepare_arrays(src, labels, limit, image_size, crop, channels, value_range):
    """Checked images (uint8, or float32 already in [-1, 1]) and int32 labels."""
    x, what = src.x, src.what
    if x.dtype == object:
        raise TypeError(f"{what}: images must be one numeric array of equal-sized images, got dtype object")
    _check_dtype(x, what)
    x = _check_shape(x, what)
    y = None
    if labels:
        if src.y is None:
            hint = "pass y= with the labels" if what == "array source" else "this source has no labels"
            raise ValueError(f"{what}: labels=True but {hint}; or use labels=False")
        y = _check_labels(src.y, len(x), what)
    elif src.y is not None and what == "array source":
        raise ValueError("y= was given but labels=False: pass labels=True to get (images, labels), or drop y=")
    if limit is not None:
        x = x[:limit]
        y = None if y is None else y[:limit]
    _check_channels(x.shape[-1], channels, what)
    value_range = _value_range(x, value_range, what)
    if x.dtype != np.uint8 or value_range != (0.0, 255.0):
        x = _scale_to_unit(x, value_range)
    return _transform_arrays(x, image_size, crop, channels), y


def _tfds_elements(src, labels, limit, image_size, crop, channels):
    """TFDS feature dicts -> uint8 images (and int32 labels), in graph ops only."""
    import tensorflow as tf

    ds, what = src.ds, src.what
    spec = ds.element_spec
    if not isinstance(spec, dict) or "image" not in spec:
        keys = ", ".join(spec) if isinstance(spec, dict) else type(spec).__name__
        raise ValueError(f"{what}: the TFDS dataset has no 'image' feature (it has {keys}): pick an image dataset")
    image = spec["image"]
    if image.dtype != tf.uint8 or image.shape.rank != 3:
        raise ValueError(f"{what}: TFDS images are {image.dtype.name} {image.shape}; kerasgan reads uint8 (H, W, C) images")
    if image.shape[-1] is None:
        raise ValueError(f"{what}: the TFDS images have an unknown channel count: pass channels=1 or 3")
    _check_channels(image.shape[-1], channels, what)
    if image_size is None and (image.shape[0] is None or image.shape[1] is None):
        raise ValueError(f"{what}: the TFDS images vary in size: pass image_size=N (and crop='center')")
    if labels:
        if "label" not in spec:
            raise ValueError(f"{what}: labels=True but the TFDS dataset has no 'label' feature; use labels=False")
        if not spec["label"].dtype.is_integer or spec["label"].shape.rank != 0:
            raise ValueError(f"{what}: the TFDS 'label' feature is {spec['label'].dtype.name} {spec['label'].shape}, not a class index")
    if limit is not None:
        ds = ds.take(limit)
    if int(ds.cardinality()) == 0:
        raise ValueError(f"{what}: no images (empty split): check the split")

    def convert(item):
        x = _transform(item["image"], image_size, crop, channels, uint8=True)
        return (x, tf.cast(item["label"], tf.int32)) if labels else x

    return ds.map(convert, num_parallel_calls=tf.data.AUTOTUNE)


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
    data_dir=None,
    y=None,
):
    """Images as a float32 numpy array in [-1, 1], for metrics and tests.

    Reads the same sources as ``load`` with the same checks, in source order
    (no shuffling); TFDS sources are read in full (mind ``limit``).

    Args:
        source: see ``load``.
        split: ``"train"`` or ``"test"``, or a slice of one such as
            ``"train[:50000]"`` or ``"train[80%:]"`` (any TFDS split string for TFDS).
        labels: also return int32 labels.
        limit: keep only the first ``limit`` images.
        image_size, channels, crop, value_range, skip_bad_files, download,
            data_dir, y: as in ``load``.

    Returns:
        ``images`` of shape ``(N, H, W, C)``, or ``(images, labels)`` when
        ``labels=True``.

    Example:
        >>> x, y = load_arrays("mnist", split="test", labels=True, limit=1000)
        >>> x.shape, x.dtype, y.dtype
        ((1000, 28, 28, 1), dtype('float32'), dtype('int32'))
    """
    limit = None if limit is None else _positive_int(limit, "limit")
    image_size = None if image_size is None else _positive_int(image_size, "image_size")
    channels, value_range = _check_options(crop, channels, value_range)
    src = _resolve(source, split, skip_bad_files, download, data_dir, False, None, y, image_size, crop, channels)
    if isinstance(src, _Arrays):
        images, targets = _prepare_arrays(src, labels, limit, image_size, crop, channels, value_range)
    else:
        ds = _tfds_elements(src, labels, limit, image_size, crop, channels).batch(1024)
        batches = list(ds.as_numpy_iterator())
        images = np.concatenate([b[0] if labels else b for b in batches])
        targets = np.concatenate([b[1] for b in batches]) if labels else None
    if images.dtype == np.uint8:
        images = from_uint8(images)
    return (images, targets) if labels else images


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
    data_dir=None,
    y=None,
):
    """A ``tf.data.Dataset`` of float32 NHWC image batches in [-1, 1].

    Images stay uint8 in memory and are scaled per batch with graph ops
    (``x / 127.5 - 1``); no Python code runs per element.

    Args:
        source: ``"mnist"``, ``"fashion_mnist"``, ``"fashion_mnist_900"``,
            ``"noto_emoji_64"``, any TFDS name prepared on this machine
            (``"cifar10"``, ``"lsun/bedroom"``), a folder of images, an
            ``.npz`` file or a numpy array (see the module docstring).
        split: ``"train"`` or ``"test"``; any TFDS split string for TFDS.
            Every source takes a slice in the TFDS syntax, ``"train[:50000]"``
            (images) or ``"train[80%:]"`` (percent), to hold part of a split
            out, e.g. as a validation set. Single-split sources (arrays, folders, ``fashion_mnist_900``,
            ``noto_emoji_64``, npz files with ``x``) only have ``"train"``.
        batch_size: images per batch.
        labels: yield ``(images, labels)`` with int32 labels; an error for
            sources without labels.
        image_size: resize images to ``image_size`` x ``image_size``
            (bicubic, antialiased); required when images differ in size.
        channels: the channel count wanted; 1 and 3 convert into each other
            (grey is tiled, RGB uses ITU-R 601 luma). By default images must
            have 1 or 3 channels and are kept as they are.
        shuffle: shuffle every epoch (in-memory sources fully, TFDS sources
            through a buffer and file order).
        seed: shuffle seed; the same seed gives the same order.
        cache: ``True`` keeps decoded TFDS images in memory when they take
            at most ``CACHE_LIMIT_BYTES``; a path caches them in files there;
            ``False`` never caches. In-memory sources need no cache.
        drop_remainder: drop the last partial batch (GAN steps want full batches).
        repeat: repeat forever.
        limit: use only the first ``limit`` images.
        crop: ``"center"`` crops images to a centred square before resizing.
        value_range: ``(lo, hi)`` of non-uint8 inputs; uint8 is (0, 255) and
            floats default to (-1, 1). Values outside it are an error.
        skip_bad_files: skip non-image and unreadable files in folders
            instead of failing on them.
        download: allow downloads as a last resort (the sha256-checked
            ``mnist.npz``, TFDS downloads); off by default.
        data_dir: TFDS data folder (default: TFDS's own default).
        y: labels for numpy array sources (with ``labels=True``).

    Returns:
        A ``tf.data.Dataset`` of ``(batch, H, W, C)`` float32 tensors, or of
        ``(images, labels)`` pairs when ``labels=True``.

    Example:
        >>> ds = load("mnist", batch_size=128, seed=0)
        >>> next(iter(ds)).shape
        TensorShape([128, 28, 28, 1])
        >>> ds = load(np.zeros((10, 8, 8, 3), np.uint8), batch_size=5)
    """
    import tensorflow as tf

    batch_size = _positive_int(batch_size, "batch_size")
    limit = None if limit is None else _positive_int(limit, "limit")
    image_size = None if image_size is None else _positive_int(image_size, "image_size")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed must be an integer or None, got {seed!r} of type {type(seed).__name__}")
    channels, value_range = _check_options(crop, channels, value_range)
    src = _resolve(source, split, skip_bad_files, download, data_dir, shuffle, seed, y, image_size, crop, channels)
    if isinstance(src, _Arrays):
        images, targets = _prepare_arrays(src, labels, limit, image_size, crop, channels, value_range)
        count, small = len(images), True
        ds = tf.data.Dataset.from_tensor_slices(images if targets is None else (images, targets))
    else:
        ds = _tfds_elements(src, labels, limit, image_size, crop, channels)
        count = int(ds.cardinality())
        image_shape = (ds.element_spec[0] if labels else ds.element_spec).shape
        size = count * int(np.prod(image_shape)) if count >= 0 and image_shape.is_fully_defined() else None
        small = size is not None and size <= CACHE_LIMIT_BYTES
        if isinstance(cache, (str, os.PathLike)):
            ds = ds.cache(os.fspath(cache))
        elif cache and small:
            ds = ds.cache()
    if count >= 0 and batch_size > count and drop_remainder and not repeat:
        raise ValueError(
            f"{src.what}: batch_size {batch_size} is larger than the {count} images, so drop_remainder "
            "leaves no batch: use a smaller batch_size or drop_remainder=False"
        )
    if shuffle:
        buffer = count if small and count > 0 else SHUFFLE_BUFFER
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    image_dtype = (ds.element_spec[0] if labels else ds.element_spec).dtype
    if image_dtype == tf.uint8:

        def scale(*batch):
            x = tf.cast(batch[0], tf.float32) / 127.5 - 1.0
            return (x, batch[1]) if labels else x

        ds = ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def labelled_subset(labels, num_labelled, seed=0):
    """Indices of a class-balanced labelled subset: ``num_labelled / K`` per class, fixed by ``seed``.

    The semi-supervised protocol of Salimans et al. 2016: N labels in all,
    the same number per class, the rest of the training set unlabelled.
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    num_labelled = _positive_int(num_labelled, "num_labelled")
    if num_labelled % len(classes):
        raise ValueError(f"num_labelled must be a multiple of the {len(classes)} classes (balanced), got {num_labelled}")
    per_class = num_labelled // len(classes)
    rng = np.random.default_rng(seed)
    chosen = []
    for c in classes:
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has {len(members)} examples, fewer than the {per_class} labels asked for")
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def semi_supervised(source="mnist", num_labelled=100, batch_size=100, labelled_batch_size=None, seed=0, split="train"):
    """Batches for a semi-supervised GAN: every training image unlabelled, plus a few labelled ones.

    Each element is a dict ``{"images": batch_size unlabelled images,
    "labeled_images": labelled_batch_size images, "labeled_classes": their
    int32 classes}``; the labelled subset (``labelled_subset``) is cycled,
    reshuffled every pass, and the unlabelled stream covers all training
    images (the labelled ones included, as in the paper's code). The
    dataset repeats: train with ``steps_per_epoch``.

    Returns:
        ``(dataset, labelled_indices)``.
    """
    import tensorflow as tf

    images, labels = load_arrays(source, split=split, labels=True)
    index = labelled_subset(labels, num_labelled, seed)
    batch_size = _positive_int(batch_size, "batch_size")
    labelled_batch_size = batch_size if labelled_batch_size is None else _positive_int(labelled_batch_size, "labelled_batch_size")
    uint8 = to_uint8(images)
    unlabelled = (
        tf.data.Dataset.from_tensor_slices(uint8).shuffle(len(uint8), seed=seed).repeat()
        .batch(batch_size, drop_remainder=True)
    )
    # Repeated before batching: a labelled batch may be larger than the labelled set (100 labels, batch 100+).
    labelled = (
        tf.data.Dataset.from_tensor_slices((uint8[index], labels[index].astype("int32")))
        .shuffle(len(index), seed=seed + 1).repeat().batch(labelled_batch_size, drop_remainder=True)
    )

    def scale(u8):
        return tf.cast(u8, tf.float32) / 127.5 - 1.0

    dataset = tf.data.Dataset.zip((unlabelled, labelled)).map(
        lambda x, lab: {"images": scale(x), "labeled_images": scale(lab[0]), "labeled_classes": lab[1]},
        num_parallel_calls=tf.data.AUTOTUNE,
    ).prefetch(tf.data.AUTOTUNE)
    return dataset, index


# ------------------------------------------------------------ paired styles (image -> image)
#: Share of the emoji (by code point) held out as the test split of every paired / multi-domain task.
EMOJI_TEST_SHARE = 10


def emoji_split(codepoints):
    """Boolean mask of the test split: code points whose sha256 is 0 mod 10 (about 10 %).

    Fixed by the code point alone, so every model and every later version of
    the set with the same code points uses the same held-out emoji.
    """
    import hashlib

    return np.array([int(hashlib.sha256(str(c).encode()).hexdigest(), 16) % EMOJI_TEST_SHARE == 0 for c in codepoints])


def _style_arrays(styles, split, what):
    for style in styles:
        if style not in EMOJI_STYLES:
            close = difflib.get_close_matches(str(style), EMOJI_STYLES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"{what}: unknown emoji style {style!r}: {hint}choose one of {', '.join(EMOJI_STYLES)}")
    arrays = _emoji_fields(tuple(styles) + ("codepoint",), split, what)
    return arrays[:-1], arrays[-1]


def _emoji_fields(keys, split, what):
    """The arrays ``keys`` of ``emoji_styles_64.npz``, rows of ``split`` (``emoji_split``) only."""
    if split not in ("train", "test"):
        raise ValueError(f"{what}: split must be 'train' or 'test' (10 % of the code points), got {split!r}")
    path = _in_data_dir("emoji_styles_64.npz")
    if path is None:
        raise FileNotFoundError(f"{what}: emoji_styles_64.npz not found: set KERASGAN_DATA_DIR to the folder that holds it")
    with np.load(path, allow_pickle=False) as f:
        test = emoji_split(f["codepoint"])
        keep = test if split == "test" else ~test
        return [f[k][keep] for k in keys]


def load_pair_arrays(source, target, split="train"):
    """Paired emoji drawings: ``(source images, target images, code points)``, float32 in [-1, 1].

    ``source`` and ``target`` are style names (``EMOJI_STYLES``); row i of
    both is the same emoji. ``split`` is ``"train"`` or ``"test"`` (see ``emoji_split``).
    """
    (x, y), codepoints = _style_arrays((source, target), split, f"pairs {source} -> {target}")
    return from_uint8(x), from_uint8(y), codepoints


def load_pairs(source, target, split="train", batch_size=16, shuffle=True, seed=0, jitter=False, mirror=False, repeat=False):
    """A ``tf.data.Dataset`` of ``(source, target)`` batches of paired emoji drawings in [-1, 1].

    Args:
        source, target: style names, e.g. ``"openmoji_black"`` -> ``"openmoji"``.
        jitter: pix2pix's random jitter (Isola et al. 2017, 6.2), scaled to
            64x64: resize both images to 72x72 and crop the same random 64x64 window.
        mirror: flip both images left-right together with probability 1/2.
    """
    import tensorflow as tf

    x, y, _ = load_pair_arrays(source, target, split)
    batch_size = _positive_int(batch_size, "batch_size")
    size = x.shape[1]
    ds = tf.data.Dataset.from_tensor_slices((to_uint8(x), to_uint8(y)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()

    def augment(a, b, seed_pair):
        both = tf.concat([tf.cast(a, tf.float32), tf.cast(b, tf.float32)], axis=-1)
        if jitter:
            big = size + size // 8
            both = tf.image.resize(both, (big, big), method="bilinear")
            both = tf.image.stateless_random_crop(both, (size, size, both.shape[-1]), seed=seed_pair)
        if mirror:
            both = tf.image.stateless_random_flip_left_right(both, seed=seed_pair + 1)
        c = a.shape[-1]
        return both[..., :c] / 127.5 - 1.0, both[..., c:] / 127.5 - 1.0

    if jitter or mirror:
        seeds = tf.data.Dataset.random(seed=seed).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda ab, s: augment(ab[0], ab[1], tf.cast(s, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE
        )
    else:
        ds = ds.map(lambda a, b: (tf.cast(a, tf.float32) / 127.5 - 1.0, tf.cast(b, tf.float32) / 127.5 - 1.0))
    return ds.batch(batch_size, drop_remainder=shuffle).prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------ captions (text -> image)
#: The captions of each emoji, in this order: its Unicode name, its CLDR annotation, its CLDR keyword tags.
EMOJI_CAPTION_FIELDS = ("name", "annotation", "tags")


def emoji_captions(split="train"):
    """``(code points, captions)`` of the emoji of ``split``: ``captions[i]`` lists the fields of ``EMOJI_CAPTION_FIELDS``.

    Tags are comma-separated keywords ("cat, face, smile"); the split is
    ``emoji_split``'s, shared with every other emoji task.
    """
    codepoints, *fields = _emoji_fields(("codepoint",) + EMOJI_CAPTION_FIELDS, split, "captions")
    return codepoints, [list(c) for c in zip(*(f.tolist() for f in fields))]


def emoji_categories(split="train"):
    """int32 category of each emoji of ``split`` (an index into ``EMOJI_CATEGORIES``), in the order of ``emoji_captions``."""
    categories = _emoji_fields(("category",), split, "categories")[0].tolist()
    unknown = sorted(set(categories) - set(EMOJI_CATEGORIES))
    if unknown:
        raise ValueError(f"categories: emoji_styles_64.npz has categories this version does not know: {unknown}")
    index = {name: k for k, name in enumerate(EMOJI_CATEGORIES)}
    return np.array([index[c] for c in categories], "int32")


def load_captioned_arrays(vocabulary, styles=EMOJI_COLOUR_STYLES, split="train"):
    """``(images, tokens, emoji)``: the emoji of ``styles`` stacked, float32 in [-1, 1], with every caption's token ids.

    ``tokens`` is int32 ``(N, len(EMOJI_CAPTION_FIELDS), max_tokens)`` from
    ``vocabulary.encode(..., strict=False)`` (long captions cut, unknown
    words dropped; a field left without words repeats the emoji's first field
    with words); ``emoji`` the int32 index of each image's emoji (the same for
    its drawings in every style).
    """
    if isinstance(styles, str):
        styles = (styles,)
    arrays, codepoints = _style_arrays(tuple(styles), split, f"captioned {', '.join(styles)}")
    _, captions = emoji_captions(split)
    tokens = np.stack([vocabulary.encode(c, strict=False) for c in captions])
    # A field with no known word (an emoji without tags, say) would be an empty
    # caption: it takes the emoji's first field that has words instead.
    for row in tokens:
        filled = np.flatnonzero(row.max(axis=1) > 0)
        if len(filled):
            row[row.max(axis=1) == 0] = row[filled[0]]
    emoji = np.arange(len(codepoints), dtype="int32")
    return from_uint8(np.concatenate(arrays)), np.tile(tokens, (len(arrays), 1, 1)), np.tile(emoji, len(arrays))


def load_captioned(vocabulary, styles=EMOJI_COLOUR_STYLES, split="train", batch_size=64, shuffle=True, seed=0, repeat=False):
    """Dict batches ``{"images", "tokens", "emoji"}`` for text -> image models; each image with one of its captions.

    The caption (name, annotation or tags) is drawn anew for each image each
    time it is read, from a stateless stream seeded by ``seed``.
    """
    import tensorflow as tf

    images, tokens, emoji = load_captioned_arrays(vocabulary, styles, split)
    batch_size = _positive_int(batch_size, "batch_size")
    ds = tf.data.Dataset.from_tensor_slices((to_uint8(images), tokens, emoji))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    fields = tokens.shape[1]

    def pick(element, draw):
        image, caption_tokens, index = element
        k = tf.cast(draw % fields, tf.int32)
        return {"images": tf.cast(image, tf.float32) / 127.5 - 1.0, "tokens": caption_tokens[k], "emoji": index}

    ds = tf.data.Dataset.zip((ds, tf.data.Dataset.random(seed=seed))).map(pick, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(batch_size, drop_remainder=shuffle).prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------ super-resolution
def downscale(images, scale):
    """The low-resolution view of float images in [-1, 1]: (N, H, W, C) -> (N, H / scale, W / scale, C).

    Bicubic with antialiasing (``tf.image.resize(..., "bicubic",
    antialias=True)``, the kernel of MATLAB's ``imresize`` that SRGAN's
    data uses), then clipped to [-1, 1]: the bicubic kernel overshoots at
    sharp edges by a few percent, and a low-resolution image is defined as
    a valid image. H and W must be multiples of ``scale``.
    """
    import tensorflow as tf

    scale = _positive_int(scale, "scale")
    images = np.asarray(images, "float32")
    if images.ndim != 4 or images.shape[1] % scale or images.shape[2] % scale:
        raise ValueError(f"downscale needs (N, H, W, C) images with H and W multiples of scale={scale}, got shape {images.shape}")
    size = (images.shape[1] // scale, images.shape[2] // scale)
    out = [tf.image.resize(images[i : i + 512], size, method="bicubic", antialias=True).numpy() for i in range(0, len(images), 512)]
    return np.clip(np.concatenate(out) if out else np.zeros((0, *size, images.shape[3]), "float32"), -1.0, 1.0)


def upscale_bicubic(images, scale):
    """The bicubic baseline of super-resolution: float images in [-1, 1] (N, h, w, C) -> (N, h * scale, w * scale, C), clipped."""
    import tensorflow as tf

    scale = _positive_int(scale, "scale")
    images = np.asarray(images, "float32")
    if images.ndim != 4:
        raise ValueError(f"upscale_bicubic needs (N, h, w, C) images, got shape {images.shape}")
    size = (images.shape[1] * scale, images.shape[2] * scale)
    out = [tf.image.resize(images[i : i + 512], size, method="bicubic").numpy() for i in range(0, len(images), 512)]
    return np.clip(np.concatenate(out) if out else np.zeros((0, *size, images.shape[3]), "float32"), -1.0, 1.0)


def load_super_resolution_arrays(styles=EMOJI_COLOUR_STYLES, scale=4, split="train"):
    """``(low, high, code points)``: emoji drawings of ``styles`` and their ``downscale(..., scale)`` views, float32 in [-1, 1].

    The styles are stacked in order; ``split`` follows ``emoji_split`` (the
    same held-out code points as every other emoji task).
    """
    if isinstance(styles, str):
        styles = (styles,)
    arrays, codepoints = _style_arrays(tuple(styles), split, f"super-resolution {', '.join(styles)}")
    high = from_uint8(np.concatenate(arrays))
    return downscale(high, scale), high, np.tile(codepoints, len(arrays))


def load_super_resolution(styles=EMOJI_COLOUR_STYLES, scale=4, split="train", batch_size=16, shuffle=True, seed=0,
                          repeat=False, mirror=False):
    """A ``tf.data.Dataset`` of ``(low, high)`` batches for super-resolution (``load_super_resolution_arrays``).

    Args:
        mirror: flip both views left-right together with probability 1/2.
    """
    import tensorflow as tf

    low, high, _ = load_super_resolution_arrays(styles, scale, split)
    batch_size = _positive_int(batch_size, "batch_size")
    ds = tf.data.Dataset.from_tensor_slices((low, to_uint8(high)))
    if shuffle:
        ds = ds.shuffle(len(low), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.map(lambda a, b: (a, tf.cast(b, tf.float32) / 127.5 - 1.0))
    if mirror:
        ds = tf.data.Dataset.zip((ds, tf.data.Dataset.random(seed=seed).batch(2))).map(
            lambda ab, s: (tf.image.stateless_random_flip_left_right(ab[0], tf.cast(s, tf.int32)),
                           tf.image.stateless_random_flip_left_right(ab[1], tf.cast(s, tf.int32))),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.batch(batch_size, drop_remainder=shuffle).prefetch(tf.data.AUTOTUNE)


def load_domains(styles, split="train", batch_size=16, shuffle=True, seed=0, repeat=False, mirror=False, labelled=False):
    """Unpaired batches of several emoji styles: one batch per style, ``(batch of styles[0], batch of styles[1], ...)``.

    With ``labelled=True``: ``(images, domain)`` batches of all the styles'
    images shuffled together, ``domain`` the int32 index of each image's
    style in ``styles`` (multi-domain models such as StarGAN).

    For models trained **without** pairs (CycleGAN: two styles; multi-domain
    models: more). Each style is shuffled with its own seed, so row i of two
    styles' batches are in general different emoji: the pairing the set has
    is never shown. ``split`` follows ``emoji_split`` (the test code points are
    held out from every style).

    Args:
        styles: two or more style names (``EMOJI_STYLES``), distinct.
        mirror: flip each image left-right with probability 1/2 (independently per style).
    """
    import tensorflow as tf

    if isinstance(styles, str) or len(styles) < 2 or len(set(styles)) != len(styles):
        raise ValueError(f"load_domains needs two or more distinct style names, got {styles!r}")
    arrays, _ = _style_arrays(tuple(styles), split, f"domains {', '.join(styles)}")
    batch_size = _positive_int(batch_size, "batch_size")
    if labelled:
        domains = np.repeat(np.arange(len(styles), dtype="int32"), [len(a) for a in arrays])
        ds = tf.data.Dataset.from_tensor_slices((np.concatenate(arrays), domains))
        if shuffle:
            ds = ds.shuffle(len(domains), seed=seed, reshuffle_each_iteration=True)
        if repeat:
            ds = ds.repeat()
        if mirror:
            ds = tf.data.Dataset.zip((ds, tf.data.Dataset.random(seed=seed).batch(2))).map(
                lambda pair, s: (tf.image.stateless_random_flip_left_right(pair[0], tf.cast(s, tf.int32)), pair[1]),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        ds = ds.batch(batch_size, drop_remainder=shuffle)
        return ds.map(lambda u8, d: (tf.cast(u8, tf.float32) / 127.5 - 1.0, d)).prefetch(tf.data.AUTOTUNE)
    streams = []
    for k, images in enumerate(arrays):
        ds = tf.data.Dataset.from_tensor_slices(images)
        if shuffle:
            ds = ds.shuffle(len(images), seed=seed + 7919 * k, reshuffle_each_iteration=True)
        if repeat:
            ds = ds.repeat()
        if mirror:
            ds = tf.data.Dataset.zip((ds, tf.data.Dataset.random(seed=seed + k).batch(2))).map(
                lambda image, s: tf.image.stateless_random_flip_left_right(image, tf.cast(s, tf.int32)),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        streams.append(ds.batch(batch_size, drop_remainder=shuffle).map(lambda u8: tf.cast(u8, tf.float32) / 127.5 - 1.0))
    return tf.data.Dataset.zip(tuple(streams)).prefetch(tf.data.AUTOTUNE)
