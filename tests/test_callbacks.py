"""The sample-grid callback: fixed latents, one PNG per epoch, TensorBoard images."""

import os

import keras
import numpy as np
from PIL import Image

from kerasgan import callbacks, models


def test_sample_grid_writes_pngs_and_tensorboard(tmp_path):
    keras.utils.set_random_seed(0)
    gan = models.DCGAN(latent_dim=8, g_width=4, d_width=4, seed=0)
    gan.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    grid = callbacks.SampleGrid(tmp_path / "samples", num=4, seed=3, log_dir=tmp_path / "tb")
    gan.fit(x, batch_size=4, epochs=2, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    image = np.asarray(Image.open(tmp_path / "samples" / "epoch_0002.png"))
    assert image.shape == (2 * 28 + 3 * 2, 2 * 28 + 3 * 2)
    # the grid shows the fixed latents: regenerate them and compare
    from kerasgan.utils.images import make_grid

    expected = make_grid(gan.generate(gan.latents(4, seed=3)))[..., 0]
    np.testing.assert_array_equal(image, expected)
    events = [f for f in os.listdir(tmp_path / "tb") if f.startswith("events.out")]
    assert events and os.path.getsize(tmp_path / "tb" / events[0]) > 1000


def test_sample_grid_every_and_errors(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="num must be positive"):
        callbacks.SampleGrid(tmp_path, num=0)
    with pytest.raises(ValueError, match="unit"):
        callbacks.SampleGrid(tmp_path, unit="batch")
    gan = models.DCGAN(latent_dim=8, g_width=4, d_width=4, seed=0)
    gan.compile()
    x = np.zeros((4, 28, 28, 1), "float32")
    grid = callbacks.SampleGrid(tmp_path / "s", num=1, every=2)
    gan.fit(x, batch_size=4, epochs=3, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path / "s")) == ["epoch_0002.png", "epoch_0003.png"]  # every 2, and the last


def test_fid_callback_logs_scores_into_history(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    keras.utils.set_random_seed(0)
    gan = models.DCGAN(latent_dim=8, g_width=4, d_width=4, seed=0)
    gan.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    fid = callbacks.FIDCallback(metrics=("fid", "coverage"), num=200, every=2, log_dir=tmp_path / "tb")
    history = gan.fit(x, batch_size=4, epochs=2, verbose=0, callbacks=[fid])
    assert [epoch for epoch, _ in fid.results] == [2]
    assert history.history["fid"][-1] == fid.results[0][1]["fid"] > 10
    assert history.history["coverage_classes_covered"][-1] == fid.results[0][1]["coverage"]["classes_covered"]
    assert any(f.startswith("events.out") for f in os.listdir(tmp_path / "tb"))
