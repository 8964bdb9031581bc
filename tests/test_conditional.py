"""Class-conditional GANs: labels through sampling, training, saving and export; the projection discriminator's maths."""

import numpy as np
import pytest
import tensorflow as tf

import keras

from kerasgan import data, models
from kerasgan.models.batch import GANBatch

TINY = {"image_shape": (28, 28, 1), "num_classes": 10, "latent_dim": 8, "g_width": 8, "d_width": 8}


def _gan(**kwargs):
    keras.utils.set_random_seed(0)
    return models.ConditionalGAN(**{**TINY, **kwargs}, seed=0)


def test_labels_select_what_is_generated():
    gan = _gan()
    z = gan.latents(10, seed=0)
    by_label = [gan.generate(z, labels=k) for k in range(3)]
    assert not np.array_equal(by_label[0], by_label[1]) and not np.array_equal(by_label[1], by_label[2])
    # sample(labels=[...]) uses the same latents as generate with those labels; one int means all images.
    np.testing.assert_array_equal(gan.sample(10, seed=0, labels=np.full(10, 2)), by_label[2])
    np.testing.assert_array_equal(gan.sample(10, seed=0, labels=2), by_label[2])
    mixed = gan.sample(10, seed=0, labels=[0] * 5 + [1] * 5)
    np.testing.assert_array_equal(mixed[:5], by_label[0][:5])
    np.testing.assert_array_equal(mixed[5:], by_label[1][5:])
    batches = list(gan.iter_samples(10, seed=0, batch_size=4, labels=[0] * 5 + [1] * 5))
    np.testing.assert_allclose(np.concatenate(batches), mixed, atol=1e-6)  # batch size may change the last bits


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda g: g.sample(4, seed=0), ValueError, "this GAN is conditional .10 classes.: pass labels="),
        (lambda g: g.sample(4, seed=0, labels=[0, 1]), ValueError, r"labels must have shape \(4,\)"),
        (lambda g: g.sample(2, seed=0, labels=[0, 10]), ValueError, r"labels must lie in \[0, 9\], got values from 0 to 10"),
        (lambda g: g.sample(2, seed=0, labels=[0.0, 1.0]), TypeError, "labels must be integer class indices"),
        (lambda g: g.generate(g.latents(2, seed=0)), ValueError, "this GAN is conditional"),
    ],
)
def test_bad_labels_are_one_line_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(_gan())


def test_unconditional_models_refuse_labels_and_conditional_ones_need_them_to_train():
    dcgan = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, g_width=8, d_width=8, seed=0)
    assert dcgan.num_classes is None
    with pytest.raises(ValueError, match="labels were given, but this GAN is unconditional: drop labels="):
        dcgan.sample(2, seed=0, labels=[0, 1])
    gan = _gan()
    gan.compile()
    images = np.zeros((8, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match=r"this GAN is conditional: train it on \(images, labels\) batches"):
        gan.fit(images, batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        models.ConditionalGAN(**{**TINY, "num_classes": 1})
    with pytest.raises(ValueError, match="unknown conditioning 'sum'"):
        models.ConditionalGAN(**{**TINY, "conditioning": "sum"})


def test_trains_on_labelled_mnist():
    gan = _gan()
    gan.compile()
    ds = data.load("mnist", batch_size=16, labels=True, seed=0)
    embedding = gan.generator.get_layer("label_embedding").embeddings
    before = np.array(embedding)
    history = gan.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert np.array(embedding).shape == before.shape == (10, 10)
    assert not np.array_equal(np.array(embedding), before)  # the label embedding is trained


def test_projection_logit_is_psi_plus_label_projection():
    gan = _gan()
    d = gan.discriminator
    x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    y = np.array([0, 3, 3, 9], "int32")
    phi, psi = d.get_layer("dcgan_discriminator_features")(x, training=False)
    pooled = np.asarray(phi).mean(axis=(1, 2))
    embed = np.asarray(d.get_layer("label_embedding").embeddings)[y]
    by_hand = np.asarray(psi)[:, 0] + np.sum(embed * pooled, axis=1)
    np.testing.assert_allclose(np.asarray(d([x, y], training=False))[:, 0], by_hand, rtol=1e-5, atol=1e-6)


def test_export_takes_labels_in_a_process_without_kerasgan(tmp_path):
    import json
    import os
    import subprocess
    import sys
    import textwrap

    gan = _gan(ema_decay=0.9)
    path = gan.export(tmp_path / "sm")
    z = np.asarray(gan.latents(6, seed=1))
    labels = np.array([0, 1, 2, 3, 4, 5], "int32")
    np.save(tmp_path / "z.npy", z)
    script = textwrap.dedent(
        f"""
        import json, sys
        import numpy as np
        import tensorflow as tf
        m = tf.saved_model.load({str(path)!r})
        z, labels = np.load({str(tmp_path / 'z.npy')!r}), np.arange(6, dtype="int32")
        np.save({str(tmp_path / 'images.npy')!r}, m.signatures["serving_default"](z=tf.constant(z), labels=tf.constant(labels))["images"].numpy())
        u8 = m.signatures["sample"](num=tf.constant(6), seed=tf.constant(3, tf.int64), labels=tf.constant(labels))["images"]
        np.save({str(tmp_path / 'u8.npy')!r}, u8.numpy())
        try:
            m.signatures["serving_default"](z=tf.constant(z[:1]), labels=tf.constant([10], tf.int32))
            refused = False
        except tf.errors.InvalidArgumentError as err:
            refused = "labels must be < 10" in str(err)
        print(json.dumps({{"kerasgan_imported": "kerasgan" in sys.modules, "refused": refused}}))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"kerasgan_imported": False, "refused": True}
    np.testing.assert_allclose(np.load(tmp_path / "images.npy"), gan.generate(z, labels=labels), atol=1e-5)
    expected = np.round((gan.sample(6, seed=3, labels=labels) + 1.0) * 127.5).astype("uint8")
    assert np.abs(np.load(tmp_path / "u8.npy").astype(int) - expected.astype(int)).max() <= 1


def test_tflite_export_takes_labels(tmp_path):
    gan = _gan()
    path = gan.export(tmp_path / "cgan.tflite", format="tflite")
    runner = tf.lite.Interpreter(model_path=str(path)).get_signature_runner("serving_default")
    z = np.asarray(gan.latents(3, seed=0))
    labels = np.array([1, 2, 3], "int32")
    np.testing.assert_allclose(runner(z=z, labels=labels)["images"], gan.generate(z, labels=labels), atol=1e-5)


def test_evaluate_samples_a_conditional_gan_class_by_class(tmp_path, monkeypatch):
    from kerasgan.metrics.evaluate import evaluate
    from kerasgan.metrics.mnist_features import MNISTClassifier

    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    gan = _gan()
    scores = evaluate(gan, ["fid", "conditional_accuracy", "class_coverage", "intra_fid"], num=200, seed=0)
    labels = np.arange(200) % 10
    predicted = MNISTClassifier().predict(gan.sample(200, seed=0, labels=labels))
    assert scores["conditional_accuracy"] == pytest.approx(np.mean(predicted == labels))
    assert scores["protocol"]["generated_per_class"] == {k: 20 for k in range(10)}
    assert scores["protocol"]["samples"] == "conditional generator, classes in turn"
    assert len(scores["intra_fid"]["per_class"]) == 10 and scores["intra_fid"]["mean"] > 0


def test_cli_samples_a_row_per_class(tmp_path, capsys):
    from PIL import Image

    from kerasgan import cli

    gan = _gan()
    gan.compile()
    gan.save(tmp_path / "cgan.keras")
    out = tmp_path / "grid.png"
    assert cli.main(["sample", str(tmp_path / "cgan.keras"), "--labels", "0-2,5", "--per-label", "3", "--out", str(out)]) == 0
    assert "wrote 12 samples" in capsys.readouterr().out
    grid = np.asarray(Image.open(out))
    grid = grid if grid.ndim == 2 else grid[..., 0]
    assert grid.shape[:2] == (4 * 30 + 2, 3 * 30 + 2)  # 4 rows (classes) of 3 images, 2-pixel padding
    rows = [grid[2 + 30 * r: 30 * r + 30, 2:30] for r in range(4)]
    expected = gan.sample(12, seed=0, labels=[0, 0, 0, 1, 1, 1, 2, 2, 2, 5, 5, 5])
    first_of_rows = np.round((expected[[0, 3, 6, 9], :, :, 0] + 1) * 127.5).astype("uint8")
    np.testing.assert_array_equal(np.stack(rows), first_of_rows)
    for argv, message in (
        (["--labels", "0-10"], "--labels must lie in [0, 9]"),
        (["--labels", "a-b"], "use class indices and ranges"),
        ([], "is conditional (10 classes): pass --labels"),
        (["--per-label", "2"], "--per-label needs --labels"),
    ):
        assert cli.main(["sample", str(tmp_path / "cgan.keras"), "--out", str(tmp_path / "x.png"), *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    assert cli.main(["sample", "dcgan_mnist", "--labels", "1", "--out", str(tmp_path / "y.png")]) == 2
    assert "unconditional model: drop --labels" in capsys.readouterr().err


def test_auxiliary_classifier_loss_by_hand():
    from kerasgan import losses

    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, -1.0]], "float32")
    labels = np.array([0, 1, 1])
    by_hand = np.mean([np.log1p(np.exp(-2.0)), np.log1p(np.exp(-1.0)), np.log1p(np.exp(4.0))])
    assert float(losses.auxiliary_classifier_loss(logits, labels)) == pytest.approx(by_hand, rel=1e-6)


def _acgan(class_weight=1.0):
    keras.utils.set_random_seed(0)
    return models.ACGAN(**TINY, class_weight=class_weight, seed=0)


def test_acgan_class_terms_are_the_weighted_cross_entropies():
    from kerasgan import losses

    gan = _acgan(class_weight=0.5)
    x = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    y = np.array([0, 1, 2, 3, 4, 5])
    fake = gan.generate(gan.latents(6, seed=1), labels=y)
    real_out, fake_out = gan.discriminator(x), gan.discriminator(fake)
    assert set(real_out) == {"logits", "class_logits"} and tuple(real_out["class_logits"].shape) == (6, 10)
    d_terms = gan.compute_auxiliary_terms("discriminator", GANBatch(real=x, fake=fake, labels=y, real_output=real_out, fake_output=fake_out))
    g_terms = gan.compute_auxiliary_terms("generator", GANBatch(real=x, fake=fake, labels=y, fake_output=fake_out))
    ce_real = float(losses.auxiliary_classifier_loss(real_out["class_logits"], y))
    ce_fake = float(losses.auxiliary_classifier_loss(fake_out["class_logits"], y))
    assert float(d_terms["d_class"]) == pytest.approx(0.5 * (ce_real + ce_fake), rel=1e-6)
    assert float(g_terms["g_class"]) == pytest.approx(0.5 * ce_fake, rel=1e-6)
    np.testing.assert_allclose(gan.classify(x).sum(axis=1), 1.0, rtol=1e-5)


def test_acgan_logs_its_class_terms_and_they_move_the_generator():
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    y = np.arange(8) % 10
    generators = []
    for weight in (0.0, 1.0):
        gan = _acgan(class_weight=weight)
        gan.compile()
        history = gan.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        assert {"d_class", "g_class"} <= set(history.history)
        assert (history.history["g_class"][0] == 0.0) == (weight == 0.0)
        generators.append([np.array(v) for v in gan.generator.trainable_variables])
    assert any(not np.array_equal(a, b) for a, b in zip(*generators))


def test_a_dict_discriminator_needs_logits():
    z = keras.Input((4,))
    g = keras.Model(z, keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4, activation="tanh")(z)))
    x = keras.Input((2, 2, 1))
    d = keras.Model(x, {"score": keras.layers.Dense(1)(keras.layers.Flatten()(x))})
    with pytest.raises(ValueError, match="a discriminator that returns a dict must have a 'logits' entry"):
        models.GAN(g, d)


def test_class_conditional_batch_norm_generator():
    gan = models.ConditionalGAN(image_shape=(28, 28, 1), num_classes=4, latent_dim=8, g_width=4, d_width=4, g_norm="conditional", seed=0)
    kinds = [type(layer).__name__ for layer in gan.generator.layers]
    assert kinds.count("ConditionalBatchNormalization") == 2 and "BatchNormalization" not in kinds
    assert "label_embedding" not in [layer.name for layer in gan.generator.layers]  # z enters alone
    cbn = gan.generator.get_layer("deconv1_cbn")
    cbn.bias.assign(np.arange(4 * cbn.bias.shape[1], dtype="float32").reshape(4, -1))
    z = gan.latents(2, seed=0)
    a, b = gan.generate(z, labels=[0, 0]), gan.generate(z, labels=[3, 3])
    assert np.abs(a - b).max() > 1e-3  # the class reaches the image through the batch norms
    assert gan.get_config()["g_norm"] == "conditional"
    with pytest.raises(ValueError, match="g_norm='conditional' is built on the dcgan layout"):
        models.ConditionalGAN(num_classes=4, latent_dim=8, g_width=4, d_width=4, g_norm="conditional", g_layout="upsample")
    with pytest.raises(ValueError, match="unknown generator norm 'cbn'"):
        models.ConditionalGAN(num_classes=4, latent_dim=8, g_width=4, d_width=4, g_norm="cbn")
