"""Many samples with bounded memory: block-wise latents, iter_samples, .npz / PNG-folder writers, the CLI."""

import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import keras
import tensorflow as tf

from kerasgan import models
from kerasgan.data import to_uint8
from kerasgan.models import gan as gan_module
from kerasgan.utils import sample_files

from test_models import TINY


@pytest.fixture
def tiny_gan():
    keras.utils.set_random_seed(0)
    return models.DCGAN(**TINY["dcgan"][0], seed=0)


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(gan_module, "LATENT_BLOCK", 7)
    return 7


def _single_stream(latent_dim, num, seed):
    # What sample() drew before latents came in blocks: one stateless stream.
    return tf.random.stateless_normal([num, latent_dim], tf.constant([seed, 0], tf.int64)).numpy()


def test_first_block_is_the_single_stream():
    z = gan_module.stateless_latents(8, "normal", 300, 5).numpy()
    np.testing.assert_array_equal(z, _single_stream(8, 300, 5))


@pytest.mark.parametrize("start,num", [(0, 20), (3, 4), (6, 2), (7, 7), (5, 16), (14, 1)])
def test_any_row_range_equals_the_slice_of_all_rows(small_blocks, start, num):
    full = gan_module.stateless_latents(4, "uniform", 21, 9).numpy()
    part = gan_module.stateless_latents(4, "uniform", num, 9, start=start).numpy()
    np.testing.assert_array_equal(part, full[start : start + num])
    # Rows of block 1 do not repeat block 0.
    assert not np.array_equal(full[:7], full[7:14])


def test_iter_samples_concatenates_to_sample(tiny_gan, small_blocks):
    batches = list(tiny_gan.iter_samples(23, seed=4, batch_size=5))
    assert [len(b) for b in batches] == [5, 2, 5, 2, 5, 2, 2]  # blocks of 7, batches of 5
    np.testing.assert_array_equal(np.concatenate(batches), tiny_gan.sample(23, seed=4, batch_size=5))
    z = gan_module.stateless_latents(tiny_gan.latent_dim, "normal", 23, 4).numpy()
    np.testing.assert_allclose(tiny_gan.sample(23, seed=4), tiny_gan.generate(z), atol=1e-6)


def test_export_sample_signature_draws_the_same_blocks(tiny_gan, small_blocks, tmp_path):
    path = tiny_gan.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(path)
    images = loaded.signatures["sample"](num=tf.constant(16), seed=tf.constant(3, tf.int64))["images"].numpy()
    expected = to_uint8(tiny_gan.sample(16, seed=3))
    assert np.abs(images.astype(int) - expected.astype(int)).max() <= 1


def test_write_npz_streams_uint8_and_reads_back(tiny_gan, tmp_path):
    path = sample_files.write_npz(tiny_gan.iter_samples(50, seed=1, batch_size=16), tmp_path / "s.npz", 50, tiny_gan.image_shape)
    with np.load(path) as f:
        assert f.files == ["x"]
        x = f["x"]
    assert x.dtype == np.uint8 and x.shape == (50, 28, 28, 1)
    np.testing.assert_array_equal(x, to_uint8(tiny_gan.sample(50, seed=1)))
    # The data loader reads it back as a dataset.
    from kerasgan import data

    np.testing.assert_array_equal(data.load_arrays(str(path), limit=5), x[:5].astype("float32") / 127.5 - 1)


def test_write_npz_leaves_nothing_when_interrupted(tmp_path):
    def batches():
        yield np.zeros((4, 8, 8, 1), "float32")
        raise RuntimeError("generator crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        sample_files.write_npz(batches(), tmp_path / "s.npz", 8, (8, 8, 1))
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="held 4 images, expected num=8"):
        sample_files.write_npz(iter([np.zeros((4, 8, 8, 1), "float32")]), tmp_path / "s.npz", 8, (8, 8, 1))
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        sample_files.write_npz(iter([np.full((8, 8, 8, 1), 2.0, "float32")]), tmp_path / "s.npz", 8, (8, 8, 1))
    assert os.listdir(tmp_path) == []


def test_write_png_folder(tiny_gan, tmp_path):
    from PIL import Image

    folder = sample_files.write_png_folder(tiny_gan.iter_samples(12, seed=2, batch_size=5), tmp_path / "pngs", 12)
    names = sorted(os.listdir(folder))
    assert names == [f"{i:08d}.png" for i in range(12)]
    expected = to_uint8(tiny_gan.sample(12, seed=2))
    np.testing.assert_array_equal(np.asarray(Image.open(os.path.join(folder, names[11]))), expected[11, ..., 0])
    with pytest.raises(ValueError, match="not an empty folder"):
        sample_files.write_png_folder(tiny_gan.iter_samples(2, seed=2), folder, 2)


def test_grid_size_limit():
    sample_files.check_grid_size(10000, (28, 28, 1))
    with pytest.raises(ValueError, match=r"--out DIR\) or an \.npz"):
        sample_files.check_grid_size(50_000_000, (28, 28, 1))
    assert sample_files.grid_pixels(4, (28, 28)) == (2 + 2 * 30) ** 2


# ---------------------------------------------------------------- the CLI
def _cli(*args, cwd=None):
    code = (
        "import resource, sys\n"
        "from kerasgan import cli\n"
        "rc = cli.main(sys.argv[1:])\n"
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def tiny_model_file(tmp_path_factory):
    keras.utils.set_random_seed(0)
    gan = models.DCGAN(**TINY["dcgan"][0], seed=0)
    gan.compile()
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    gan.save(path)
    return path


def test_cli_sample_to_npz_folder_and_refused_grid(tiny_model_file, tmp_path):
    result = _cli("sample", tiny_model_file, "--num", "30", "--seed", "2", "--out", tmp_path / "s.npz")
    assert result.returncode == 0, result.stderr[-2000:]
    gan = keras.models.load_model(tiny_model_file)
    with np.load(tmp_path / "s.npz") as f:
        x = f["x"]
    np.testing.assert_array_equal(x, to_uint8(gan.sample(30, seed=2)))
    result = _cli("sample", tiny_model_file, "--num", "3", "--out", tmp_path / "pngs")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / "pngs")) == ["00000000.png", "00000001.png", "00000002.png"]
    result = _cli("sample", tiny_model_file, "--num", "50000000", "--out", tmp_path / "big.png")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "megapixels" in lines[0] and ".npz" in lines[0], result.stderr
    assert not os.path.exists(tmp_path / "big.png")
    result = _cli("sample", tiny_model_file, "--out", tmp_path / "grid.jpg")
    assert result.returncode == 2 and "must end with .png" in result.stderr


def test_cli_sample_peak_memory_is_flat_in_num(tiny_model_file, tmp_path):
    peaks = {}
    for num in (2_000, 200_000):
        out = tmp_path / f"s{num}.npz"
        result = _cli("sample", tiny_model_file, "--num", num, "--out", out)
        assert result.returncode == 0, result.stderr[-2000:]
        peaks[num] = int(result.stdout.split("PEAK_KB")[1].split()[0]) / 1024
        with zipfile.ZipFile(out) as archive:
            assert archive.getinfo("x.npy").file_size > num * 784
        os.remove(out)
    # 200k float32 28x28 samples alone are 627 MB: holding them would show.
    assert peaks[200_000] - peaks[2_000] < 120, peaks
