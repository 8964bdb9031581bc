"""The kerasgan command line, end to end on real MNIST."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from kerasgan import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, "-m", "kerasgan.cli", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=600,
    )


def test_train_then_sample_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = run_cli("train", "dcgan", "--dataset", "mnist", "--steps", "6", "--batch-size", "16",
                     "--seed", "0", "--output", out, "--sample-every", "3", "--verbose", "0",
                     "--compile-args", '{"label_smoothing": 0.25}')
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "model.keras").is_file()
    grids = sorted(os.listdir(out / "samples"))
    assert grids == ["step_000003.png", "step_000006.png"]
    grid = np.asarray(Image.open(out / "samples" / grids[-1]))
    assert grid.shape[0] == grid.shape[1] > 8 * 28
    config = json.loads((out / "config.json").read_text())
    assert config["steps"] == 6 and config["architecture"] == "dcgan"
    assert config["compile_args"] == {"label_smoothing": 0.25}  # --compile-args reaches compile (and the run config)
    history = json.loads((out / "history.json").read_text())
    assert set(history) >= {"d_loss", "g_loss", "d_real", "d_fake"}

    png = tmp_path / "grid.png"
    result = run_cli("sample", out / "model.keras", "--num", "9", "--seed", "1", "--out", png)
    assert result.returncode == 0, result.stderr[-3000:]
    image = np.asarray(Image.open(png))
    assert image.shape[:2] == (3 * 28 + 4 * 2, 3 * 28 + 4 * 2) or image.shape[0] >= 3 * 28


def test_list_and_info_in_process(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "dcgan" in out and "dcgan_mnist" in out and "vanilla_gan" in out
    assert cli.main(["info", "dcgan_lsun"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["architecture"] == "dcgan" and info["model_args"]["image_shape"] == [64, 64, 3]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["sample", "dcgan_mnst"], "did you mean 'dcgan_mnist'"),
        (["info", "nope"], "unknown zoo entry"),
        (["sample", "missing/model.keras"], "no such model file"),
        (["sample", "dcgan_lsun", "--out", "x.png"], "ships no weights"),
        (["sample", "dcgan_mnist", "--out", "grid.jpg"], "must end with .png"),
        (["sample", "dcgan_mnist", "--out", "a_file.txt/grid.png"], "cannot write"),
        (["train", "--output", "o"], "name an architecture"),
        (["train", "dcgan", "--recipe", "dcgan_mnist", "--output", "o"], "not both"),
        (["train", "dcgna", "--dataset", "mnist", "--steps", "1", "--output", "o"], "did you mean dcgan"),
        (["train", "dcgan", "--steps", "1", "--output", "o"], "--dataset is required"),
        (["train", "dcgan", "--dataset", "mnist", "--output", "o"], "--steps is required"),
        (["train", "dcgan", "--dataset", "mnist", "--steps", "6", "--steps-per-execution", "4", "--output", "o"],
         "steps=6 is not a multiple of steps_per_execution=4"),
        (["train", "pix2pix", "--dataset", "mnist", "--steps", "2", "--output", "o"], "dataset 'emoji_styles_64' with model_args styles"),
        (["export", "dcgan_lsun", "--format", "savedmodel", "--quantize", "dynamic_int8", "--out", "o"], "tflite only"),
        (["convert", "pytorch-dcgan", "no_such.pth", "--out", "o"], "no such checkpoint"),
        (["convert", "pytorch-cwgangp", "g.pth", "--discriminator", "d.pth", "--out", "o"],
         "pytorch-cwgangp converts a generator only: drop --discriminator"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file.txt").write_text("not a folder")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("kerasgan: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["train", "dcgan", "--steps", "0", "--output", "o"], ["sample", "x", "--num", "-1"], ["nope"]])
def test_argument_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_dataset_folder_is_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("train", "dcgan", "--dataset", empty, "--steps", "1", "--output", tmp_path / "o")
    assert result.returncode == 2
    assert result.stderr.startswith("kerasgan: error: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_train_on_a_slice_of_a_split_records_it_and_resume_keeps_it(tmp_path, capsys):
    x = np.zeros((12, 28, 28), np.uint8)
    x[8:] = 255  # the held-out images differ from the trained ones
    np.savez(tmp_path / "d.npz", x_train=x)
    out = tmp_path / "run"
    args = ["train", "vanilla_gan", "--dataset", str(tmp_path / "d.npz"), "--split", "train[:8]", "--steps", "2",
            "--batch-size", "4", "--output", str(out), "--verbose", "0", "--checkpoint-every", "1"]
    assert cli.main(args) == 0
    config = json.loads((out / "run_config.json").read_text())
    assert config["split"] == "train[:8]"
    from kerasgan.models import common

    batches = common.load_run_dataset(config, batch_size=4, seed=0, repeat=False)
    assert sum(int(b.shape[0]) for b in batches) == 8  # the slice, not the 12 images
    capsys.readouterr()
    assert cli.main(["train", "--resume", "--output", str(out), "--split", "train[:10]", "--steps", "3"]) == 2
    assert "split='train[:10]' differs from the run being resumed" in capsys.readouterr().err


def test_convert_kinds_come_from_the_converter_registry(capsys):
    from kerasgan import convert

    with pytest.raises(SystemExit):
        cli.main(["convert", "--help"])
    out = capsys.readouterr().out
    for kind, entry in convert.CONVERTERS.items():
        assert kind in out and callable(entry["fn"])
    with pytest.raises(ValueError, match="unknown converter 'pytorch-vae': choose one of pytorch-dcgan"):
        convert.convert("pytorch-vae", "g.pth")
    with pytest.raises(ValueError, match="converts a generator only"):
        convert.convert("pytorch-cwgangp", "g.pth", "d.pth")
