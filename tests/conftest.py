import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"
if "KERASGAN_DATA_DIR" not in os.environ and (SHARED / "data").is_dir():
    os.environ["KERASGAN_DATA_DIR"] = str(SHARED / "data")
_FID_WEIGHTS = SHARED / "weights" / "fid_inception" / "inception_2015_12_05_pool3.npz"
if "KERASGAN_FID_WEIGHTS" not in os.environ and _FID_WEIGHTS.is_file():  # as .ci/run sets it
    os.environ["KERASGAN_FID_WEIGHTS"] = str(_FID_WEIGHTS)


import gc  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _collect_garbage_after_each_module():
    """Frees each test file's dead models and traced functions when the file ends.

    Left to Python's own schedule, the garbage of many files was collected at
    once, in the middle of an unrelated test: single collections took 29 to
    100 s, 240 s of a 43-minute suite run in all (timed with gc.callbacks
    around each test, on a loaded 2-core machine).
    """
    yield
    gc.collect()
