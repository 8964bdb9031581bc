"""SavedModel and TFLite export of generators."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import models


@pytest.fixture(scope="module")
def gan():
    keras.utils.set_random_seed(0)
    return models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, g_width=8, d_width=8, seed=0)


def test_savedmodel_signatures_in_a_process_without_kerasgan(gan, tmp_path):
    path = gan.export(tmp_path / "sm")
    z = gan.latents(5, seed=3).numpy()
    np.save(tmp_path / "z.npy", z)
    script = textwrap.dedent(
        f"""
        import json, sys
        import numpy as np
        import tensorflow as tf
        m = tf.saved_model.load({str(path)!r})
        z = np.load({str(tmp_path / 'z.npy')!r})
        images = m.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
        u8 = m.signatures["sample"](num=tf.constant(4), seed=tf.constant(11, tf.int64))["images"].numpy()
        np.save({str(tmp_path / 'images.npy')!r}, images)
        np.save({str(tmp_path / 'u8.npy')!r}, u8)
        print(json.dumps({{"kerasgan_imported": "kerasgan" in sys.modules}}))
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"kerasgan_imported": False}
    images = np.load(tmp_path / "images.npy")
    np.testing.assert_allclose(images, gan.generate(z), atol=1e-5)
    u8 = np.load(tmp_path / "u8.npy")
    assert u8.dtype == np.uint8 and u8.shape == (4, 28, 28, 1)
    expected = np.round((gan.sample(4, seed=11).astype("float64") + 1) * 127.5)
    np.testing.assert_array_equal(u8, expected.astype("uint8"))


def test_saved_model_cli_lists_both_signatures(gan, tmp_path):
    cli = shutil.which("saved_model_cli")
    if cli is None:
        pytest.skip("saved_model_cli is not on PATH")
    path = gan.export(tmp_path / "sm")
    out = subprocess.run([cli, "show", "--dir", str(path), "--all"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "signature_def['serving_default']" in out.stdout
    assert "signature_def['sample']" in out.stdout
    assert "inputs['z']" in out.stdout and "inputs['seed']" in out.stdout


def test_export_after_load_model(gan, tmp_path):
    gan.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    path = loaded.export(tmp_path / "sm")
    layer = keras.layers.TFSMLayer(path, call_endpoint="serving_default")
    z = gan.latents(3, seed=1)
    np.testing.assert_allclose(layer(z)["images"].numpy(), gan.generate(z), atol=1e-5)


@pytest.mark.parametrize("quantize,tol", [(None, 1e-3), ("dynamic_int8", 0.25)])
def test_tflite_matches_keras(gan, tmp_path, quantize, tol):
    path = gan.export(tmp_path / "g.tflite", format="tflite", quantize=quantize)
    interpreter = tf.lite.Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serving_default")
    z = gan.latents(2, seed=4).numpy()
    out = runner(z=z)["images"]
    ref = gan.generate(z)
    assert out.shape == ref.shape
    diff = np.abs(out - ref).max()
    assert diff <= tol
    if quantize:
        assert os.path.getsize(path) < os.path.getsize(gan.export(tmp_path / "f.tflite", format="tflite"))


def test_export_errors(gan, tmp_path):
    gan.export(tmp_path / "sm")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        gan.export(tmp_path / "sm")
    gan.export(tmp_path / "sm", overwrite=True)
    with pytest.raises(ValueError, match="unknown export format"):
        gan.export(tmp_path / "x", format="onnx")
    with pytest.raises(ValueError, match="tflite. only"):
        gan.export(tmp_path / "y", quantize="dynamic_int8")
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith(".export-")) == []


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("pix2pix", {"image_shape": (16, 16, 3), "g_width": 4, "d_width": 4, "test_time_dropout": False}),
        ("cyclegan", {"image_shape": (16, 16, 3), "g_width": 4, "g_blocks": 1, "d_width": 4}),
        ("stargan", {"image_shape": (32, 32, 3), "num_domains": 3, "g_width": 4, "g_blocks": 1, "d_width": 4}),
    ],
)
def test_translation_models_export_to_tflite(name, kwargs, tmp_path):
    from kerasgan import models

    keras.utils.set_random_seed(0)
    model = models.get_architecture(name)(**kwargs, seed=0)
    path = model.export(tmp_path / "t.tflite", format="tflite")
    runner = tf.lite.Interpreter(model_path=str(path)).get_signature_runner("serving_default")
    x = np.random.default_rng(0).uniform(-1, 1, (2, *model.image_shape)).astype("float32")
    if model.num_domains is None:
        out, ref = runner(images=x)["images"], model.translate(x)
    else:
        domain = np.array([2, 0], "int32")
        out, ref = runner(images=x, domain=domain)["images"], model.translate(x, domain=domain)
    assert out.shape == ref.shape and np.abs(out - ref).max() <= 1e-3
