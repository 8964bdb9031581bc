"""StarGAN: domain maps, the two D heads, target draws, the loss terms by hand, training and data."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kerasgan import data, models, training
from kerasgan.models.stargan import DomainMaps

STYLES = ("google", "twitter", "openmoji")


def _tiny(**kwargs):
    keras.utils.set_random_seed(0)
    args = {"image_shape": (32, 32, 3), "num_domains": 3, "g_width": 4, "g_blocks": 1, "d_width": 4, "styles": STYLES, "seed": 0}
    return models.StarGAN(**{**args, **kwargs})


def _images(n, seed, shape=(32, 32, 3)):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def test_domain_maps_append_one_hot_planes():
    x = np.zeros((2, 3, 3, 1), "float32")
    out = keras.ops.convert_to_numpy(DomainMaps(3)([x, np.array([2, 0], "int32")]))
    assert out.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(out[0, :, :, 1:], np.broadcast_to([0, 0, 1], (3, 3, 3)))
    np.testing.assert_array_equal(out[1, :, :, 1:], np.broadcast_to([1, 0, 0], (3, 3, 3)))


def test_discriminator_heads_and_classify():
    model = _tiny()
    out = model.discriminator(_images(2, 0), training=False)
    assert tuple(out["logits"].shape) == (2, 1, 1, 1) and tuple(out["class_logits"].shape) == (2, 3)
    probabilities = model.classify(_images(2, 0))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)


def test_targets_are_a_shuffle_of_the_batch_domains():
    model = _tiny()
    domain = tf.constant([0, 0, 1, 2, 2, 2])
    draws = [model.draw_targets(domain).numpy() for _ in range(5)]
    for d in draws:
        assert sorted(d.tolist()) == [0, 0, 1, 2, 2, 2]
    assert any(not np.array_equal(d, domain.numpy()) for d in draws)


def test_generator_terms_by_hand():
    model = _tiny(class_weight=1.0, reconstruction_weight=10.0)
    model.compile()
    x, domain, target = _images(3, 1), np.array([0, 1, 2], "int32"), np.array([2, 0, 1], "int32")
    terms = model.generator_terms(x, domain, target, training=False)
    fake = model.generator([x, target], training=False).numpy()
    out = model.discriminator(fake, training=False)
    back = model.generator([fake, domain], training=False).numpy()
    logits = out["class_logits"].numpy()
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert float(terms["g_loss"]) == pytest.approx(-np.mean(out["logits"].numpy()), rel=1e-5)  # WGAN: -E[D(G(x, c))]
    assert float(terms["g_class"]) == pytest.approx(-np.mean(log_softmax[np.arange(3), target]), rel=1e-5)
    assert float(terms["g_reconstruction"]) == pytest.approx(10.0 * np.mean(np.abs(back - x)), rel=1e-5)


def test_fit_takes_five_d_steps_per_g_step_and_translates_by_style_name():
    model = _tiny()
    model.compile()
    assert model.d_steps == 5 and model.gradient_penalty == 10.0
    x, domains = _images(20, 2), np.arange(20) % 3
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    history = model.fit(x, domains, batch_size=4, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations.numpy()) == 1 and int(model.d_optimizer.iterations.numpy()) == 5
    assert set(history.history) >= {"d_loss", "d_penalty", "d_class", "g_class", "g_reconstruction"}
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(g_before, model.generator.trainable_weights))
    image = _images(2, 3)
    np.testing.assert_allclose(model.translate(image, target="twitter"), model.translate(image, domain=1), atol=1e-6)
    with pytest.raises(ValueError, match="fewer"):
        model.fit(x[:8], domains[:8], batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"domains must lie in \[0, 2\]"):
        model.fit(x, np.full(20, 3), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="pass domain="):
        model.translate(image)


def test_labelled_domains_mix_the_styles_with_their_index():
    (google, twitter), _ = data._style_arrays(("google", "twitter"), "train", "test")
    images, domain = next(iter(data.load_domains(["google", "twitter"], batch_size=16, seed=0, labelled=True)))
    images = data.to_uint8(images.numpy())
    for image, d in zip(images, domain.numpy()):
        source = (google, twitter)[int(d)]
        assert (source == image).all(axis=(1, 2, 3)).any()
    assert set(domain.numpy().tolist()) == {0, 1}


def test_kerasgan_train_runs_stargan_with_a_row_per_domain(tmp_path):
    config = {"architecture": "stargan", "dataset": "emoji_styles_64", "batch_size": 2, "seed": 0, "steps": 1,
              "compile_args": {"d_steps": 2}, "model_args": {"styles": list(STYLES), "num_domains": 3, "g_width": 4,
                                                             "g_blocks": 1, "d_width": 4}}
    result = training.train(config, tmp_path / "run", verbose=0)
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (4 * 66 + 2, 8 * 66 + 2, 3)  # test images, then one row per target style
