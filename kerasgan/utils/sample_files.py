"""Many samples on disk with bounded memory: a folder of PNGs or one ``.npz``, written batch by batch.

``kerasgan sample`` uses these when ``--out`` is a folder or an ``.npz``
file; a grid PNG is for a few hundred images and larger ones are refused
(``check_grid_size``). Batches come from ``GAN.iter_samples``, so memory
does not grow with the number of samples.

Example:
    >>> from kerasgan.utils.sample_files import write_npz
    >>> write_npz(gan.iter_samples(1_000_000, seed=0), "samples.npz", 1_000_000, gan.image_shape)
    >>> x = np.load("samples.npz", mmap_mode=None)["x"]   # uint8 (1000000, 28, 28, 1)
"""

import math
import os
import zipfile

import numpy as np

from kerasgan.data import to_uint8
from kerasgan.utils.images import _open_temp, save_image

#: Largest grid PNG ``kerasgan sample`` writes, in pixels (about 7,000 x 7,000).
MAX_GRID_PIXELS = 50_000_000


def grid_pixels(num, image_shape, padding=2):
    """Pixels of the square-ish grid ``make_grid`` builds for ``num`` images."""
    nrow = math.ceil(math.sqrt(num))
    ncol = math.ceil(num / nrow)
    h, w = int(image_shape[0]), int(image_shape[1])
    return (padding + ncol * (h + padding)) * (padding + nrow * (w + padding))


def check_grid_size(num, image_shape):
    """Raises ``ValueError`` when a grid of ``num`` images would exceed ``MAX_GRID_PIXELS``."""
    pixels = grid_pixels(num, image_shape)
    if pixels > MAX_GRID_PIXELS:
        raise ValueError(
            f"a grid of {num:,} images would be {pixels / 1e6:,.0f} megapixels (at most "
            f"{MAX_GRID_PIXELS / 1e6:.0f}): write them to a folder of PNGs (--out DIR) or an .npz file "
            f"(--out samples.npz) instead"
        )


def _uint8(batch):
    batch = np.asarray(batch)
    return batch if batch.dtype == np.uint8 else to_uint8(batch)


def write_npz(batches, path, num, image_shape, key="x", progress=None):
    """Writes ``num`` images from ``batches`` as uint8 array ``key`` of an ``.npz``, incrementally.

    The array member is streamed into the zip file batch by batch (the
    ``.npy`` header holds the final shape), so memory stays at one batch.
    The file appears under ``path`` only when complete (temporary name, then
    ``os.replace``); an error leaves no partial file.

    Args:
        batches: iterable of float images in [-1, 1] (or uint8), ``(n, H, W, C)``.
        path: destination ending in ``.npz``.
        num: total number of images ``batches`` yields.
        image_shape: ``(H, W, C)``.
        key: array name in the archive (``x``, as the data sets in ``kerasgan.data``).
        progress: optional callable ``progress(n)`` after each batch.

    Returns:
        The absolute path written.
    """
    path = os.path.abspath(os.fspath(path))
    if not path.lower().endswith(".npz"):
        raise ValueError(f"write_npz writes .npz files: give a path ending in .npz, got {path}")
    shape = (int(num),) + tuple(int(d) for d in image_shape)
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    tmp, fd = _open_temp(directory, name)
    os.close(fd)
    written = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                header = {"descr": np.lib.format.dtype_to_descr(np.dtype("uint8")), "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_2_0(member, header)
                for batch in batches:
                    images = _uint8(batch)
                    if images.shape[1:] != shape[1:]:
                        raise ValueError(f"batch of shape {images.shape[1:]} does not match image_shape {shape[1:]}")
                    if written + len(images) > num:
                        raise ValueError(f"batches hold more than num={num} images")
                    member.write(np.ascontiguousarray(images).tobytes())
                    written += len(images)
                    if progress is not None:
                        progress(len(images))
        if written != num:
            raise ValueError(f"batches held {written} images, expected num={num}")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_png_folder(batches, folder, num, progress=None):
    """Writes each image of ``batches`` as ``folder/00000000.png``, ``00000001.png``, ...

    The folder must be new or empty (no existing sample is overwritten); each
    PNG is written atomically. Returns the folder's absolute path.
    """
    folder = os.path.abspath(os.fspath(folder))
    if os.path.exists(folder) and (not os.path.isdir(folder) or os.listdir(folder)):
        raise ValueError(f"{folder} exists and is not an empty folder: choose a new or empty folder for the PNGs")
    os.makedirs(folder, exist_ok=True)
    digits = max(8, len(str(int(num) - 1)))
    index = 0
    for batch in batches:
        for image in _uint8(batch):
            save_image(image, os.path.join(folder, f"{index:0{digits}d}.png"))
            index += 1
        if progress is not None:
            progress(len(batch))
    return folder
