import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"
if "KERASGAN_DATA_DIR" not in os.environ and (SHARED / "data").is_dir():
    os.environ["KERASGAN_DATA_DIR"] = str(SHARED / "data")
