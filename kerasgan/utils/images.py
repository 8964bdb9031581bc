"""Image grids and PNG files, written atomically."""

import math
import os
import tempfile

import numpy as np


def _to_uint8(images):
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"images must be uint8 or float in [-1, 1], got dtype {images.dtype}")
    if images.size and not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or Inf values: check the generator's output")
    if images.size and (images.min() < -1.0 - 1e-6 or images.max() > 1.0 + 1e-6):
        raise ValueError(
            f"float images must be in [-1, 1], got [{images.min():g}, {images.max():g}]: "
            f"scale them (e.g. x / 127.5 - 1) before writing"
        )
    return np.round((images.astype("float64") + 1.0) * 127.5).astype(np.uint8)


def make_grid(images, nrow=None, padding=2, pad_value=0):
    """Tiles a batch ``(N, H, W, C)`` (or ``(N, H, W)``) into one uint8 image.

    Args:
        images: float images in [-1, 1] or uint8 images; C is 1 or 3.
        nrow: images per row (default ``ceil(sqrt(N))``).
        padding: pixels between images and around the grid.
        pad_value: uint8 value of the padding.

    Returns:
        uint8 array ``(rows * (H + p) + p, nrow * (W + p) + p, C)``.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.shape[0] == 0:
        raise ValueError(
            f"images must be a non-empty batch (N, H, W) or (N, H, W, C) with C in 1 or 3, "
            f"got shape {images.shape}"
        )
    if int(padding) < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if not 0 <= int(pad_value) <= 255:
        raise ValueError(f"pad_value must be in [0, 255], got {pad_value}")
    images = _to_uint8(images)
    n, h, w, c = images.shape
    nrow = int(math.ceil(math.sqrt(n))) if nrow is None else int(nrow)
    if nrow <= 0:
        raise ValueError(f"nrow must be positive, got {nrow}")
    rows = int(math.ceil(n / nrow))
    p = int(padding)
    grid = np.full((rows * (h + p) + p, nrow * (w + p) + p, c), int(pad_value), dtype=np.uint8)
    for i in range(n):
        r, col = divmod(i, nrow)
        top, left = p + r * (h + p), p + col * (w + p)
        grid[top : top + h, left : left + w] = images[i]
    return grid


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_image(image, path):
    """Writes a uint8 ``(H, W)``/``(H, W, 1)``/``(H, W, 3)`` image as PNG, atomically."""
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"save_image needs a uint8 image, got dtype {image.dtype}")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"image must be (H, W), (H, W, 1) or (H, W, 3), got shape {image.shape}")
    path = os.path.abspath(os.fspath(path))
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as err:
        raise OSError(f"cannot create folder {directory}: {err.strerror or err}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=directory)
    except OSError as err:
        raise OSError(f"cannot write to {directory}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            Image.fromarray(image).save(f, format="PNG")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; use the usual mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def save_grid(images, path, nrow=None, padding=2):
    """Writes ``make_grid(images)`` to ``path`` (PNG) atomically; returns the path."""
    return save_image(make_grid(images, nrow=nrow, padding=padding), path)
