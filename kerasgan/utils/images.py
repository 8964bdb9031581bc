"""Image grids and PNG files, written atomically.

``make_grid`` tiles a batch of images into one uint8 picture; ``save_grid``
and ``save_image`` write PNGs so that the final file name only ever holds a
complete file (a temp file in the same folder, then ``os.replace``).

Example:
    >>> from kerasgan.utils.images import save_grid
    >>> save_grid(gan.sample(64, seed=0), "samples/step_001000.png")
"""

import math
import os
import secrets

import numpy as np

from kerasgan.data import to_uint8


def _int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def make_grid(images, nrow=None, padding=2, pad_value=0):
    """Tiles a batch of images into one uint8 image, row by row.

    Args:
        images: ``(N, H, W, C)`` or ``(N, H, W)`` with C = 1 or 3: floats in
            [-1, 1] (converted by rounding ``(x + 1) * 127.5``) or uint8.
            Floats outside [-1, 1], NaN or Inf are an error, never clipped.
        nrow: images per row (default ``ceil(sqrt(N))``; at most N).
        padding: pixels between the images and around the grid.
        pad_value: uint8 value (0-255) of the padding; 0 is black (-1).

    Returns:
        uint8 array ``(rows * (H + padding) + padding,
        cols * (W + padding) + padding, C)`` with ``cols = min(nrow, N)`` and
        ``rows = ceil(N / cols)``; empty slots hold ``pad_value``.

    Raises:
        TypeError: images are neither float nor uint8, or an argument has
            the wrong type.
        ValueError: wrong shape, out-of-range values, or bad arguments.

    Example:
        >>> make_grid(np.zeros((16, 28, 28, 1), "float32")).shape
        (122, 122, 1)
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or min(images.shape[:3], default=0) == 0:
        raise ValueError(
            f"images must be a non-empty batch (N, H, W) or (N, H, W, C) with C in 1 or 3, got shape {images.shape}"
        )
    padding = _int(padding, "padding", 0)
    pad_value = _int(pad_value, "pad_value", 0)
    if pad_value > 255:
        raise ValueError(f"pad_value must be a uint8 value in [0, 255], got {pad_value}")
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.floating):
            raise TypeError(f"images must be float in [-1, 1] or uint8, got dtype {images.dtype}")
        images = to_uint8(images)
    n, h, w, c = images.shape
    cols = min(n, int(math.ceil(math.sqrt(n))) if nrow is None else _int(nrow, "nrow", 1))
    rows = int(math.ceil(n / cols))
    p = padding
    cells = np.full((rows * cols, h + p, w + p, c), pad_value, np.uint8)
    cells[:n, p:, p:] = images
    grid = cells.reshape(rows, cols, h + p, w + p, c).transpose(0, 2, 1, 3, 4).reshape(rows * (h + p), cols * (w + p), c)
    return np.pad(grid, ((0, p), (0, p), (0, 0)), constant_values=pad_value)


def _open_temp(directory, name):
    """Creates a new temp file beside the target, with the usual (umask) mode."""
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise OSError(f"cannot create a temp file in {directory}: too many name collisions")


def save_image(image, path):
    """Writes a uint8 image as a PNG file, atomically.

    The PNG is written to a temp file in the target folder and moved over
    ``path`` with ``os.replace``, so ``path`` holds either its old content
    or the complete new file, never a partial one. Parent folders are created.

    Args:
        image: uint8 ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)``.
        path: destination ending in ``.png``.

    Returns:
        The absolute path written, as a string.

    Raises:
        TypeError: the image is not uint8.
        ValueError: wrong image shape or a path not ending in ``.png``.
        OSError: the folder or file cannot be written (one-line message).

    Example:
        >>> save_image(np.zeros((8, 8, 3), np.uint8), "out/black.png")
    """
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"save_image needs a uint8 image, got dtype {image.dtype}: convert with kerasgan.data.to_uint8")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)) or 0 in image.shape:
        raise ValueError(f"image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {image.shape}")
    path = os.path.abspath(os.fspath(path))
    if not path.lower().endswith(".png"):
        raise ValueError(f"save_image writes PNG files: give a path ending in .png, got {path}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name ending in .png")
    directory, name = os.path.split(path)
    try:
        os.makedirs(directory, exist_ok=True)
        tmp, fd = _open_temp(directory, name)
    except OSError as err:
        raise OSError(f"cannot write {path}: {err.strerror or err}; choose a writable folder") from None
    try:
        with os.fdopen(fd, "wb") as f:
            Image.fromarray(image).save(f, format="PNG")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(f"cannot write {path}: {err.strerror or err}") from err
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def save_grid(images, path, nrow=None, padding=2, pad_value=0):
    """Writes ``make_grid(images, nrow, padding, pad_value)`` as a PNG, atomically.

    Args:
        images: a batch of float images in [-1, 1] or uint8 (see ``make_grid``).
        path: destination ending in ``.png``; parent folders are created.
        nrow, padding, pad_value: as in ``make_grid``.

    Returns:
        The absolute path written, as a string.

    Example:
        >>> save_grid(gan.sample(16, seed=0), "samples/grid.png", nrow=4)
    """
    return save_image(make_grid(images, nrow=nrow, padding=padding, pad_value=pad_value), path)


def check_image_batch(images, image_shape, what="images"):
    """``images`` as float32 numpy if they are finite floats in [-1, 1] of shape (N, *image_shape).

    Raises a one-line ValueError naming the problem and the fix otherwise
    (integer dtype, wrong shape, NaN/Inf, values outside [-1, 1]).
    """
    image_shape = tuple(image_shape)
    dtype = images.dtype.name if hasattr(images.dtype, "name") else str(images.dtype)
    if "float" not in dtype:
        raise ValueError(
            f"{what} have dtype {dtype}; expected float32 images in [-1, 1]: "
            f"scale uint8 images with x / 127.5 - 1 or load them with kerasgan.data.load"
        )
    if len(images.shape) != 4 or tuple(images.shape[1:]) != image_shape:
        shown = "(" + ", ".join("None" if d is None else str(d) for d in images.shape) + ")"
        raise ValueError(
            f"{what} have shape {shown}; this model expects "
            f"(batch, {', '.join(map(str, image_shape))}): resize or pick a model "
            f"built for this image shape"
        )
    values = np.asarray(images, dtype="float64")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} contain NaN or Inf values: clean the data before training")
    if values.size:
        lo, hi = float(values.min()), float(values.max())
        if lo < -1.0 - 1e-3 or hi > 1.0 + 1e-3:
            raise ValueError(
                f"{what} have values in [{lo:g}, {hi:g}]; expected [-1, 1]: "
                f"scale [0, 255] data with x / 127.5 - 1 (or [0, 1] data with 2x - 1)"
            )
    return np.asarray(images, dtype="float32")


def read_image(path, size, channels):
    """One image file as uint8 ``(size, size, channels)`` for a model, and its original (width, height).

    ``size=None`` keeps the file's own height and width (fully
    convolutional models such as SRGAN's generator). Transparent pixels are composited on white (drawings such as emoji come
    on white backgrounds); grey and colour convert into each other (ITU-R 601
    luma); other sizes are resized (bicubic; non-square images are
    stretched). Errors name the file and say what to do.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            original = im.size
            if im.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
                raise ValueError(f"{path} has 16-bit or float pixels (mode {im.mode}): convert it to 8-bit")
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                im = Image.alpha_composite(white, rgba)
            im = im.convert("L" if channels == 1 else "RGB")
            if size is not None and im.size != (size, size):
                im = im.resize((size, size), Image.BICUBIC)
            array = np.asarray(im, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(f"cannot read image {path} ({err}): give PNG/JPEG files") from None
    return (array[..., np.newaxis] if array.ndim == 2 else array), original
