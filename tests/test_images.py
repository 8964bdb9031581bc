"""Image grids and atomic PNG writes, plus property-based fuzzing of the grid writer and the loader."""

import math
import os
import stat
import tempfile

import numpy as np
import pytest
import tensorflow  # noqa: F401 - imported first: its import raises the recursion limit, which hypothesis warns about
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from kerasgan import data
from kerasgan.utils import images as image_utils

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_grid_layout_by_hand():
    batch = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = image_utils.make_grid(batch, nrow=2, padding=1, pad_value=7)
    assert grid.shape == (2 * (2 + 1) + 1, 2 * (3 + 1) + 1, 1) and grid.dtype == np.uint8
    expected = np.full((7, 9), 7, np.uint8)
    expected[1:3, 1:4] = 0  # -1 -> 0
    expected[1:3, 5:8] = 128  # 0 -> round(127.5) = 128
    expected[4:6, 1:4] = 255  # 1 -> 255; the fourth slot stays padding
    np.testing.assert_array_equal(grid[..., 0], expected)


def test_grid_defaults_uint8_and_rgb():
    rgb = np.arange(5 * 2 * 2 * 3, dtype=np.uint8).reshape(5, 2, 2, 3)
    grid = image_utils.make_grid(rgb)  # nrow = ceil(sqrt(5)) = 3, padding 2
    assert grid.shape == (2 * 4 + 2, 3 * 4 + 2, 3)
    np.testing.assert_array_equal(grid[2:4, 2:4], rgb[0])
    np.testing.assert_array_equal(grid[6:8, 6:8], rgb[4])
    assert image_utils.make_grid(rgb, nrow=10, padding=0).shape == (2, 10, 3)  # columns capped at N
    assert image_utils.make_grid(np.zeros((4, 3, 3), "float32")).shape == (2 * 5 + 2, 2 * 5 + 2, 1)


@pytest.mark.parametrize(
    "images,kwargs,error,message",
    [
        (np.full((1, 4, 4, 1), 1.5, "float32"), {}, ValueError, r"must be in \[-1, 1\]"),
        (np.full((1, 4, 4, 1), -1.0001, "float64"), {}, ValueError, r"must be in \[-1, 1\]"),
        (np.full((1, 4, 4, 1), np.nan, "float32"), {}, ValueError, "NaN"),
        (np.zeros((1, 4, 4, 2), "float32"), {}, ValueError, "C in 1 or 3"),
        (np.zeros((0, 4, 4, 1), "float32"), {}, ValueError, "non-empty batch"),
        (np.zeros((4, 4), "float32"), {}, ValueError, r"got shape \(4, 4\)"),
        (np.zeros((1, 4, 4, 1), "int32"), {}, TypeError, "float in .* or uint8"),
        (np.zeros((1, 4, 4, 1), "float32"), {"nrow": 0}, ValueError, "nrow must be >= 1"),
        (np.zeros((1, 4, 4, 1), "float32"), {"nrow": 1.5}, TypeError, "nrow must be an integer"),
        (np.zeros((1, 4, 4, 1), "float32"), {"padding": -1}, ValueError, "padding must be >= 0"),
        (np.zeros((1, 4, 4, 1), "float32"), {"pad_value": 256}, ValueError, r"pad_value must be a uint8 value"),
    ],
)
def test_grid_errors(images, kwargs, error, message):
    with pytest.raises(error, match=message):
        image_utils.make_grid(images, **kwargs)


def test_save_grid_round_trip(tmp_path):
    batch = np.random.default_rng(0).uniform(-1, 1, (4, 5, 5, 3)).astype("float32")
    old = os.umask(0o022)
    try:
        path = image_utils.save_grid(batch, tmp_path / "sub" / "deeper" / "g.png")
    finally:
        os.umask(old)
    assert path == str(tmp_path / "sub" / "deeper" / "g.png")
    np.testing.assert_array_equal(np.asarray(Image.open(path)), image_utils.make_grid(batch))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # the usual mode, not a temp file's 0600
    grey = image_utils.save_image(np.full((3, 4, 1), 9, np.uint8), tmp_path / "grey.png")
    np.testing.assert_array_equal(np.asarray(Image.open(grey)), np.full((3, 4), 9))


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    batch = np.zeros((4, 5, 5, 3), "float32")
    path = image_utils.save_grid(batch, tmp_path / "g.png")
    before = open(path, "rb").read()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="cannot write .*g.png: disk full"):
        image_utils.save_grid(batch + 0.5, path)
    with pytest.raises(OSError, match="disk full"):
        image_utils.save_grid(batch, tmp_path / "new.png")
    assert open(path, "rb").read() == before  # the old file is intact
    assert sorted(os.listdir(tmp_path)) == ["g.png"]  # no temp file, no partial new.png


def test_failed_rename_leaves_no_temp(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="cannot write .*Permission denied"):
        image_utils.save_image(np.zeros((2, 2), np.uint8), tmp_path / "x.png")
    assert os.listdir(tmp_path) == []


def test_unwritable_destinations(tmp_path):
    (tmp_path / "file").write_text("x")
    grid = np.zeros((1, 2, 2, 1), "float32")
    with pytest.raises(OSError, match="cannot write .*choose a writable folder"):
        image_utils.save_grid(grid, tmp_path / "file" / "g.png")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        image_utils.save_grid(grid, tmp_path / "folder.png")
    with pytest.raises(ValueError, match="ending in .png"):
        image_utils.save_grid(grid, tmp_path / "g.jpg")
    with pytest.raises(TypeError, match="needs a uint8 image"):
        image_utils.save_image(np.zeros((2, 2), "float32"), tmp_path / "g.png")
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        image_utils.save_image(np.zeros((2, 2, 2), np.uint8), tmp_path / "g.png")
    if os.geteuid() != 0:  # root ignores folder permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        with pytest.raises(OSError, match="cannot write"):
            image_utils.save_grid(grid, locked / "g.png")
    assert sorted(os.listdir(tmp_path)) == ["file", "folder.png"] + (["locked"] if os.geteuid() != 0 else [])


# ------------------------------------------------------------ fuzzing
image_shapes = st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 4)) | st.tuples(
    st.integers(1, 6), st.integers(1, 4), st.integers(1, 4), st.sampled_from([1, 3])
)
dtypes = st.sampled_from(["uint8", "float16", "float32", "float64", "int16", "bool"])
any_arrays = hnp.arrays(dtypes, hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=5))
valid_floats = hnp.arrays(
    st.sampled_from(["float32", "float64"]),
    image_shapes,
    elements=st.floats(-1, 1, width=32),
)
valid_uint8 = hnp.arrays("uint8", image_shapes)
grid_args = dict(nrow=st.none() | st.integers(-1, 6), padding=st.integers(-1, 3))


def _expected_tiles(array):
    array = array[..., np.newaxis] if array.ndim == 3 else array
    return array if array.dtype == np.uint8 else data.to_uint8(array)


@FUZZ
@given(array=st.one_of(any_arrays, valid_floats, valid_uint8), **grid_args)
def test_fuzz_make_grid(array, nrow, padding):
    try:
        grid = image_utils.make_grid(array, nrow=nrow, padding=padding)
    except (ValueError, TypeError):
        return
    tiles = _expected_tiles(array)
    n, h, w, c = tiles.shape
    cols = min(n, math.ceil(math.sqrt(n)) if nrow is None else nrow)
    rows = math.ceil(n / cols)
    assert grid.dtype == np.uint8
    assert grid.shape == (rows * (h + padding) + padding, cols * (w + padding) + padding, c)
    for i in range(n):
        top, left = padding + (i // cols) * (h + padding), padding + (i % cols) * (w + padding)
        np.testing.assert_array_equal(grid[top : top + h, left : left + w], tiles[i])


@FUZZ
@given(array=st.one_of(any_arrays, valid_floats, valid_uint8), **grid_args)
def test_fuzz_save_grid(array, nrow, padding):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out", "grid.png")
        try:
            written = image_utils.save_grid(array, path, nrow=nrow, padding=padding)
        except (ValueError, TypeError):
            assert not os.path.exists(path)
            return
        expected = image_utils.make_grid(array, nrow=nrow, padding=padding)
        np.testing.assert_array_equal(np.asarray(Image.open(written)), expected[..., 0] if expected.shape[-1] == 1 else expected)
        assert os.listdir(os.path.dirname(path)) == ["grid.png"]


@FUZZ
@given(
    st.one_of(any_arrays, valid_floats, valid_uint8),
    st.integers(1, 4) | st.integers(-1, 6),
    st.booleans(),
    st.sampled_from([None, (0, 1), (0, 255), (-1, 1)]),
)
@pytest.mark.filterwarnings("ignore:.*read as \\[-1, 1\\] data")
def test_fuzz_load_arrays(array, batch_size, drop_remainder, value_range):
    try:
        ds = data.load(array, batch_size=batch_size, shuffle=False, drop_remainder=drop_remainder, value_range=value_range)
        batches = [b.numpy() for b in ds]
    except (ValueError, TypeError):
        return
    x = array[..., np.newaxis] if array.ndim == 3 else array
    n = len(x)
    sizes = [batch_size] * (n // batch_size) + ([] if drop_remainder or n % batch_size == 0 else [n % batch_size])
    assert [len(b) for b in batches] == sizes
    if not batches:
        return
    images = np.concatenate(batches)
    assert images.dtype == np.float32 and images.shape[1:] == x.shape[1:]
    assert images.min() >= -1.0 and images.max() <= 1.0
    lo, hi = value_range or ((0, 255) if x.dtype == np.uint8 else (-1, 1))
    expected = (x[: len(images)].astype(np.float64) - lo) / (hi - lo) * 2 - 1
    np.testing.assert_allclose(images, expected, atol=1e-6)
    np.testing.assert_array_equal(images, data.load_arrays(array, value_range=value_range)[: len(images)])
