"""Image grids and atomic PNG writes, plus property-based fuzzing of the grid writer and loader."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from kerasgan import data
from kerasgan.utils import images as image_utils


def test_grid_layout_by_hand():
    batch = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = image_utils.make_grid(batch, nrow=2, padding=1, pad_value=7)
    assert grid.shape == (2 * (2 + 1) + 1, 2 * (3 + 1) + 1, 1)
    assert grid.dtype == np.uint8
    assert (grid[1:3, 1:4] == 0).all() and (grid[1:3, 5:8] == 128).all() and (grid[4:6, 1:4] == 255).all()
    assert grid[0, 0, 0] == 7 and (grid[4:6, 5:8] == 7).all()  # padding and the empty slot


def test_out_of_range_floats_are_refused_not_clipped():
    with pytest.raises(ValueError, match=r"must be in \[-1, 1\]"):
        image_utils.make_grid(np.full((1, 4, 4, 1), 1.5, "float32"))
    with pytest.raises(ValueError, match="NaN"):
        image_utils.make_grid(np.full((1, 4, 4, 1), np.nan, "float32"))
    with pytest.raises(ValueError, match="C in 1 or 3"):
        image_utils.make_grid(np.zeros((1, 4, 4, 2), "float32"))


def test_save_grid_round_trip_and_atomicity(tmp_path, monkeypatch):
    batch = np.random.default_rng(0).uniform(-1, 1, (4, 5, 5, 3)).astype("float32")
    path = image_utils.save_grid(batch, tmp_path / "sub" / "g.png")
    np.testing.assert_array_equal(np.asarray(Image.open(path)), image_utils.make_grid(batch))
    before = open(path, "rb").read()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        image_utils.save_grid(batch * 0, path)
    assert open(path, "rb").read() == before  # the old file is intact
    assert sorted(os.listdir(tmp_path / "sub")) == ["g.png"]  # no temp file left


def test_unwritable_destination(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match="cannot"):
        image_utils.save_grid(np.zeros((1, 2, 2, 1), "float32"), tmp_path / "file" / "g.png")


dtypes = st.sampled_from(["uint8", "float32", "float64", "int16", "bool"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(dtypes, hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=6)))
def test_fuzz_make_grid(array):
    try:
        grid = image_utils.make_grid(array)
    except (ValueError, TypeError):
        return
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.shape[-1] in (1, 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        hnp.arrays(dtypes, hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=5)),
        hnp.arrays("float32", hnp.array_shapes(min_dims=3, max_dims=4, min_side=1, max_side=5),
                   elements=st.floats(-1, 1, width=32)),
    )
)
def test_fuzz_load_arrays(array):
    try:
        x = data.load_arrays(array)
    except (ValueError, TypeError):
        return
    assert x.dtype == np.float32 and x.ndim == 4
    assert np.all(np.isfinite(x)) and x.min() >= -1.0 and x.max() <= 1.0
