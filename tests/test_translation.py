"""The image-to-image base: paired training with L1, translate, saving, export without kerasgan."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.models import TranslationGAN

SHAPE = (8, 8, 3)


def _networks(num_domains=None, seed=0):
    keras.utils.set_random_seed(seed)
    x = keras.Input(SHAPE, name="images")
    inputs, h = [x], x
    if num_domains is not None:
        d = keras.Input((), dtype="int32", name="domain")
        plane = keras.layers.Reshape((1, 1, num_domains))(keras.layers.CategoryEncoding(num_domains, output_mode="one_hot")(d))
        h = keras.layers.Concatenate()([x, keras.layers.UpSampling2D(SHAPE[0])(plane)])
        inputs = [x, d]
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(h)
    out = keras.layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32")(h)
    g = keras.Model(inputs if len(inputs) > 1 else x, out, name="generator")
    src, img = keras.Input(SHAPE), keras.Input(SHAPE)
    h = keras.layers.Concatenate()([src, img])
    h = keras.layers.Conv2D(4, 4, strides=2, padding="same")(h)
    patches = keras.layers.Conv2D(1, 3, padding="same")(keras.layers.LeakyReLU(0.2)(h))  # a 4x4 PatchGAN map
    d = keras.Model([src, img], patches, name="discriminator")
    return g, d


def _pairs(n=8, seed=0):
    rng = np.random.default_rng(seed)
    source = rng.uniform(-1, 1, (n, *SHAPE)).astype("float32")
    return source, np.clip(-source * 0.5, -1, 1).astype("float32")


def test_paired_training_logs_the_l1_of_the_pre_step_generator():
    g, d = _networks()
    model = TranslationGAN(g, d, l1_weight=100.0, seed=0)
    assert model.image_shape == SHAPE and model.output_shape_ == SHAPE
    model.compile()
    source, target = _pairs()
    want_l1 = float(np.mean(np.abs(model.translate(source) - target)))
    g_before = [w.copy() for w in model.generator.get_weights()]
    history = model.fit(source, target, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    assert set(history) == {"d_loss", "g_loss", "g_l1", "d_real", "d_fake"}
    assert history["g_l1"][0] == pytest.approx(want_l1, rel=1e-5)
    assert 0.0 < history["d_real"][0] < 1.0
    assert not np.allclose(model.generator.get_weights()[0], g_before[0])


def test_translate_and_fit_reject_bad_input_in_one_line():
    g, d = _networks()
    model = TranslationGAN(g, d, seed=0)
    model.compile()
    source, target = _pairs()
    with pytest.raises(ValueError, match=r"images have values in \[0, 255\]; expected \[-1, 1\]"):
        model.translate(np.concatenate([np.zeros((1, *SHAPE)), np.full((1, *SHAPE), 255.0)]).astype("float32"))
    with pytest.raises(ValueError, match=r"have shape \(2, 4, 4, 3\); this model expects \(batch, 8, 8, 3\)"):
        model.translate(np.zeros((2, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match="translates in one direction: drop domain="):
        model.translate(source, domain=1)
    with pytest.raises(ValueError, match="fit needs targets"):
        model.fit(source, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="8 source images but 3 targets"):
        model.fit(source, target[:3], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="the generator does not accept images of shape"):
        TranslationGAN(g, d, image_shape=(5, 5, 1))


def test_keras_round_trip_keeps_weights_and_compile_state(tmp_path):
    g, d = _networks()
    model = TranslationGAN(g, d, l1_weight=10.0, seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), loss="least_squares")
    source, target = _pairs()
    model.fit(source, target, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "t.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.translate(source), model.translate(source), rtol=1e-6, atol=1e-6)
    assert loaded.l1_weight == 10.0 and loaded.compiled
    assert loaded.get_compile_config()["d_loss"] == model.get_compile_config()["d_loss"]
    history = loaded.fit(source, target, batch_size=4, epochs=1, verbose=0).history  # resumes without compile()
    assert np.isfinite(history["g_loss"][0])
    assert list(zoo.network_files(loaded)) == ["generator.weights.h5", "discriminator.weights.h5"]


def test_multi_domain_model_needs_and_checks_the_target_domain(tmp_path):
    g, d = _networks(num_domains=3)
    model = TranslationGAN(g, d, num_domains=3, seed=0)
    model.compile()
    source, target = _pairs()
    with pytest.raises(ValueError, match="pass domain="):
        model.translate(source)
    with pytest.raises(ValueError, match=r"domain must lie in \[0, 2\], got 0 to 3"):
        model.translate(source, domain=[0, 1, 2, 3, 0, 1, 2, 3])
    a, b = model.translate(source, domain=0), model.translate(source, domain=2)
    assert a.shape == source.shape and np.abs(a - b).max() > 0
    data = tf.data.Dataset.from_tensor_slices({"source": source, "target": target, "domain": np.arange(8) % 3}).batch(4)
    assert np.isfinite(model.fit(data, epochs=1, verbose=0).history["d_loss"][0])
    out = model.export(str(tmp_path / "sm"))
    loaded = tf.saved_model.load(out)
    got = loaded.signatures["serving_default"](images=tf.constant(source), domain=tf.constant([2] * 8, tf.int32))["images"]
    np.testing.assert_allclose(got.numpy(), model.translate(source, domain=2), rtol=1e-5, atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="domain must be < 3"):
        loaded.signatures["serving_default"](images=tf.constant(source[:1]), domain=tf.constant([3], tf.int32))


def test_export_serves_images_without_kerasgan(tmp_path):
    g, d = _networks()
    model = TranslationGAN(g, d, seed=0)
    source, _ = _pairs(4)
    out = model.export(str(tmp_path / "sm"))
    np.save(tmp_path / "source.npy", source)
    script = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        f"m = tf.saved_model.load({out!r})\n"
        f"x = np.load({str(tmp_path / 'source.npy')!r})\n"
        "f = m.signatures['serving_default'](images=tf.constant(x))['images'].numpy()\n"
        "u8 = ((x + 1) * 127.5).round().astype('uint8')\n"
        "q = m.signatures['translate_uint8'](images=tf.constant(u8))['images'].numpy()\n"
        "print(json.dumps({'float': f.tolist(), 'uint8': q.tolist(), 'dtype': str(q.dtype), "
        "'kerasgan': 'kerasgan' in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["kerasgan"] is False and got["dtype"] == "uint8"
    want = model.translate(source)
    np.testing.assert_allclose(np.array(got["float"]), want, rtol=1e-5, atol=1e-5)
    want_u8 = np.round((model.translate(np.round((source + 1) * 127.5) / 127.5 - 1) + 1) * 127.5)
    assert np.abs(np.array(got["uint8"]) - want_u8).max() <= 1


def test_pix2pix_networks_follow_the_paper():
    from kerasgan.models import Pix2Pix

    keras.utils.set_random_seed(0)
    model = Pix2Pix(image_shape=(64, 64, 3), g_width=8, d_width=8, seed=0)
    g = model.generator
    downs = [layer for layer in g.layers if layer.name.startswith("down") and layer.name[4:].isdigit()]
    assert [tuple(layer.output.shape[1:3]) for layer in downs] == [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    assert sum(isinstance(layer, keras.layers.Concatenate) for layer in g.layers) == 5  # skips between mirrored layers
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in g.layers) == 3
    assert tuple(model.discriminator.output.shape[1:]) == (16, 16, 1)  # a map of patch logits
    x = np.random.default_rng(0).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    assert np.abs(model.translate(x) - model.translate(x)).max() > 0  # dropout is the noise, at test time too
    keras.utils.set_random_seed(0)
    still = Pix2Pix(image_shape=(64, 64, 3), g_width=8, d_width=8, test_time_dropout=False, seed=0)
    np.testing.assert_array_equal(still.translate(x), still.translate(x))
    with pytest.raises(ValueError, match="square power-of-two images"):
        Pix2Pix(image_shape=(48, 48, 3))


def test_l1_only_ablation_trains_g_alone_and_round_trips():
    import keras

    from kerasgan import models

    keras.utils.set_random_seed(0)
    model = models.Pix2Pix(image_shape=(16, 16, 3), g_width=4, d_width=4, adversarial_weight=0.0, seed=0)
    model.compile()
    rng = np.random.default_rng(0)
    x, y = (rng.uniform(-1, 1, (4, 16, 16, 3)).astype("float32") for _ in range(2))
    d_before = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(d_before, model.discriminator.trainable_weights))
    assert any(not np.array_equal(a, w.numpy()) for a, w in zip(g_before, model.generator.trainable_weights))
    again = models.Pix2Pix.from_config(model.get_config())
    assert again.adversarial_weight == 0.0
    with pytest.raises(ValueError, match="both 0"):
        models.Pix2Pix(image_shape=(16, 16, 3), g_width=4, d_width=4, adversarial_weight=0.0, l1_weight=0.0)
