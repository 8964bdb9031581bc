"""The shared harness: every registered architecture goes through the same checks."""

import numpy as np
import pytest

import keras
import tensorflow as tf

from kerasgan import models

# Small versions of each architecture so the harness runs in seconds. A new
# architecture must add itself here (test_every_architecture_has_tiny_args).
TINY = {
    "dcgan": [
        {"image_shape": (28, 28, 1), "latent_dim": 8, "g_width": 8, "d_width": 8},
        {"image_shape": (32, 32, 3), "latent_dim": 8, "g_width": 4, "d_width": 4},
        {"image_shape": (64, 64, 3), "latent_dim": 8, "g_width": 4, "d_width": 4},
    ],
    "vanilla_gan": [
        {"image_shape": (28, 28, 1), "latent_dim": 8, "g_units": (32,), "d_units": (16,), "maxout_pieces": 2},
    ],
    "acgan": [
        {"image_shape": (28, 28, 1), "num_classes": 10, "latent_dim": 8, "g_width": 8, "d_width": 8, "class_weight": 0.5},
    ],
    "pix2pix": [
        {"image_shape": (16, 16, 3), "g_width": 4, "d_width": 4, "test_time_dropout": False},
        {"image_shape": (32, 32, 1), "out_channels": 3, "g_width": 4, "d_width": 4, "d_layers": 3, "test_time_dropout": False},
    ],
    "cyclegan": [
        {"image_shape": (16, 16, 3), "g_width": 4, "g_blocks": 1, "d_width": 4, "pool_size": 3},
    ],
    "stargan": [
        {"image_shape": (32, 32, 3), "num_domains": 3, "g_width": 4, "g_blocks": 1, "d_width": 4, "d_repeat": 5},
    ],
    "aae": [
        {"image_shape": (28, 28, 1), "latent_dim": 4, "units": 16},
        {"image_shape": (16, 16, 3), "latent_dim": 3, "units": 8, "prior": "mixture", "mixture_components": 4},
        {"image_shape": (28, 28, 1), "latent_dim": 3, "units": 8, "prior": "categorical", "clusters": 4},
    ],
    "ssgan": [
        {"image_shape": (28, 28, 1), "num_classes": 3, "latent_dim": 6, "g_units": 8, "d_units": (16, 8)},
    ],
    "bigan": [
        {"image_shape": (28, 28, 1), "latent_dim": 6, "units": 16},
    ],
    "infogan": [
        {"image_shape": (28, 28, 1), "noise_dim": 4, "categorical": (3,), "continuous": 2, "g_width": 4, "d_width": 4},
        {"image_shape": (32, 32, 3), "noise_dim": 4, "categorical": (2, 3), "continuous": 0, "g_width": 4, "d_width": 4},
    ],
    "sagan": [
        {"image_shape": (16, 16, 3), "latent_dim": 8, "g_width": 4, "d_width": 8, "attention_resolution": 8},
        {"image_shape": (16, 16, 1), "num_classes": 3, "latent_dim": 8, "g_width": 4, "d_width": 8, "attention_resolution": 8},
    ],
    "biggan": [
        {"image_shape": (16, 16, 3), "num_classes": 3, "latent_dim": 9, "embedding_dim": 4, "g_width": 4, "d_width": 8,
         "attention_resolution": 8},
    ],
    "stylegan": [
        {"image_shape": (16, 16, 3), "latent_dim": 8, "w_dim": 8, "mapping_layers": 2, "g_width": 4, "d_width": 4},
    ],
    "stylegan2": [
        {"image_shape": (16, 16, 3), "latent_dim": 8, "w_dim": 8, "mapping_layers": 2, "g_width": 4, "d_width": 4},
    ],
    "progan": [  # 8x8: in the harness's two steps (4 images each) the schedule moves from 4x4 into the 8x8 fade-in
        {"image_shape": (8, 8, 1), "latent_dim": 8, "g_width": 4, "d_width": 4, "phase_images": 3},
    ],
    "srgan": [  # the feature loss (Inception stem) is tested in tests/test_srgan.py
        {"image_shape": (8, 8, 3), "scale": 2, "g_width": 4, "g_blocks": 1, "d_width": 2, "d_dense": 8, "feature_weight": 0},
    ],
    "lapgan": [
        {"image_shape": (16, 16, 3), "base_size": 4, "coarse_latent_dim": 6, "coarse_units": 16, "g_width": 4, "d_width": 4},
    ],
    "text2image": [
        {"image_shape": (32, 32, 3), "vocabulary": ["cat", "face", "smiling", "dog"], "max_tokens": 4, "latent_dim": 8,
         "embed_dim": 8, "condition_dim": 4, "text_dim": 4, "g_width": 4, "d_width": 4, "encoder_steps": 1},
    ],
    "can": [
        {"image_shape": (28, 28, 1), "num_styles": 3, "latent_dim": 8, "g_width": 4, "d_width": 4},
    ],
    "cgan": [
        {"image_shape": (28, 28, 1), "num_classes": 10, "latent_dim": 8, "g_width": 8, "d_width": 8},
        {"image_shape": (28, 28, 1), "num_classes": 4, "latent_dim": 8, "g_width": 4, "d_width": 4,
         "g_layout": "upsample", "g_bn_epsilon": 0.8},
        {"image_shape": (32, 32, 3), "num_classes": 3, "latent_dim": 8, "g_width": 4, "d_width": 4, "conditioning": "concat"},
        {"image_shape": (28, 28, 1), "num_classes": 5, "latent_dim": 8, "g_width": 4, "d_width": 4, "g_norm": "conditional"},
    ],
}
CASES = [(name, kwargs) for name, variants in TINY.items() for kwargs in variants]
IDS = [f"{name}-{'x'.join(map(str, kw['image_shape']))}" for name, kw in CASES]


def _make(name, kwargs, seed=1):
    keras.utils.set_random_seed(seed)
    return models.get_architecture(name)(**kwargs, seed=seed)


def _images(shape, n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n,) + tuple(shape)).astype("float32")


def labels_for(gan, n):
    """``{"labels": ...}`` for a conditional GAN (classes in turn; captions for text -> image), else ``{}``."""
    if isinstance(gan, models.TextToImageGAN):
        return {"labels": ["smiling cat face", "dog face"] * (n // 2) + ["cat"] * (n % 2)}
    if getattr(gan, "num_classes", None) is None:
        return {}
    return {"labels": np.arange(n) % gan.num_classes}


def is_translation(gan):
    return isinstance(gan, models.TranslationGAN)


def domains_for(gan, n):
    """``{"domain": ...}`` for a multi-domain translation model (domains in turn), else ``{}``."""
    if getattr(gan, "num_domains", None) is None:
        return {}
    return {"domain": np.arange(n) % gan.num_domains}


def outputs(gan, n, seed):
    """What the model makes, for comparisons: samples (latent models) or translations of fixed images."""
    if is_translation(gan):
        return gan.translate(_images(gan.image_shape, n, seed=seed), **domains_for(gan, n))
    return gan.sample(n, seed=seed, **labels_for(gan, n))


def _data(gan, images):
    """fit() arguments: the images, and labels for a conditional GAN (partial labels for a semi-supervised one).

    A model whose recipe takes several D steps per G step (StarGAN: 5) gets
    the images repeated so that every batch count of the tests still makes steps.
    """
    images = np.concatenate([images] * getattr(gan, "d_steps", 1))
    if is_translation(gan) and domains_for(gan, 1):  # multi-domain: images and their domains
        return (images, domains_for(gan, len(images))["domain"])
    if is_translation(gan):  # image -> image: pairs with a target of the output's shape
        targets = _images(gan.output_shape_, len(images), seed=9)
        return (images, targets)
    if isinstance(gan, models.TextToImageGAN):  # images and one caption's token ids each
        return (images, np.tile(np.array([[1, 2, 3, 0]], "int32"), (len(images), 1)) + (np.arange(len(images))[:, None] % 2) * [[1, 0, 0, 0]])
    if isinstance(gan, models.CAN):  # unconditional G; the styles of the real images train D's style head
        return (images, np.arange(len(images)) % gan.num_styles)
    if isinstance(gan, models.SemiSupervisedGAN):
        labels = np.arange(len(images)) % gan.class_count
        labels[1::2] = -1  # every other image unlabelled
        return (images, labels)
    return (images, labels_for(gan, len(images))["labels"]) if labels_for(gan, 1) else (images,)


def _copy(variables):
    return [np.array(v) for v in variables]


def _changed(before, variables):
    return [not np.array_equal(b, np.array(v)) for b, v in zip(before, variables)]


def test_every_architecture_has_tiny_args():
    assert sorted(TINY) == models.list_architectures()


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_build_and_sample(name, kwargs):
    gan = _make(name, kwargs)
    assert gan.image_shape == tuple(kwargs["image_shape"])
    if is_translation(gan):
        x = _images(gan.image_shape, 5, seed=3)
        domain = domains_for(gan, 5)
        images = gan.translate(x, **domain)
        assert images.shape == (5,) + gan.output_shape_ and images.dtype == np.float32
        assert images.min() >= -1.0 and images.max() <= 1.0
        np.testing.assert_array_equal(images, gan.translate(x, **domain))
        inputs = [x, domain["domain"].astype("int32")] if domain else x
        np.testing.assert_allclose(np.asarray(gan(inputs)), images, atol=1e-6)  # call(x) is the generator
        return
    images = gan.sample(5, seed=3, **labels_for(gan, 5))
    assert images.shape == (5,) + tuple(kwargs["image_shape"])
    assert images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, gan.sample(5, seed=3, **labels_for(gan, 5)))
    assert not np.array_equal(images, gan.sample(5, seed=4, **labels_for(gan, 5)))
    # call(z) is the generator
    z = gan.latents(5, seed=3)
    inputs = (z, gan.check_labels(labels_for(gan, 5)["labels"], 5)) if labels_for(gan, 1) else z  # captions as token ids
    np.testing.assert_allclose(np.asarray(gan(inputs)), images, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_fit_step_updates_every_network(name, kwargs):
    # Every network the model trains (gan.networks: G and D, plus an encoder, a
    # second generator and critic, ...) moves in two steps, all of its weights
    # (two: a gate initialised at 0, like SAGAN's attention gamma, passes no
    # gradient to the weights behind it until the first step has opened it).
    gan = _make(name, kwargs)
    gan.compile()
    assert len(gan.networks) >= 2
    # A network frozen after a training phase of its own (text2image's text encoder) is checked on all its weights.
    trained = {key: net.trainable_variables or net.weights for key, net in gan.networks.items()}
    before = {key: _copy(variables) for key, variables in trained.items()}
    history = gan.fit(*_data(gan, _images(gan.image_shape, 8)), batch_size=4, epochs=1, steps_per_epoch=2, verbose=0)
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.isfinite(history.history[key][0]), key
    for key, variables in trained.items():
        assert before[key] and all(_changed(before[key], variables)), key


@pytest.mark.parametrize("name,kwargs", CASES[:1] + CASES[-1:], ids=IDS[:1] + IDS[-1:])
def test_d_step_leaves_g_alone_and_g_step_leaves_d_alone(name, kwargs):
    # With the generator's learning rate at 0 a whole train step must not
    # move G's trainable weights (so the D update never touches them), and
    # symmetrically for D.
    gan = _make(name, kwargs)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.1))
    g_before = _copy(gan.generator.trainable_variables)
    d_before = _copy(gan.discriminator.trainable_variables)
    gan.fit(*_data(gan, _images(gan.image_shape, 4)), batch_size=4, epochs=1, verbose=0)
    assert not any(_changed(g_before, gan.generator.trainable_variables))
    assert any(_changed(d_before, gan.discriminator.trainable_variables))

    gan = _make(name, kwargs)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.0))
    g_before = _copy(gan.generator.trainable_variables)
    d_before = _copy(gan.discriminator.trainable_variables)
    gan.fit(*_data(gan, _images(gan.image_shape, 4)), batch_size=4, epochs=1, verbose=0)
    assert any(_changed(g_before, gan.generator.trainable_variables))
    assert not any(_changed(d_before, gan.discriminator.trainable_variables))


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_round_trip(name, kwargs):
    gan = _make(name, kwargs)
    config = gan.get_config()
    clone = type(gan).from_config(config)
    assert clone.get_config() == config
    assert clone.image_shape == gan.image_shape
    assert getattr(clone, "latent_dim", None) == getattr(gan, "latent_dim", None)
    assert clone.count_params() == gan.count_params()


@pytest.mark.parametrize("name,kwargs", CASES[:1] + CASES[-1:], ids=IDS[:1] + IDS[-1:])
def test_keras_round_trip_keeps_samples_and_optimizer_state(name, kwargs, tmp_path):
    gan = _make(name, kwargs)
    gan.compile(d_steps=1)
    data = _data(gan, _images(gan.image_shape, 8))
    gan.fit(*data, batch_size=4, epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert type(loaded) is type(gan)
    np.testing.assert_array_equal(outputs(loaded, 6, 7), outputs(gan, 6, 7))
    # compile state comes back: same optimizers, step counters and moments
    assert loaded.compiled
    assert int(loaded.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 2
    assert int(loaded.d_optimizer.iterations) == 2
    for a, b in zip(loaded.g_optimizer.variables, gan.g_optimizer.variables):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    assert loaded.get_compile_config() == gan.get_compile_config()
    # and fit continues without compile(): both copies take the same next step
    first = [d[:4] for d in data]
    loaded.fit(*first, batch_size=4, epochs=1, verbose=0, shuffle=False)
    gan.fit(*first, batch_size=4, epochs=1, verbose=0, shuffle=False)
    assert int(loaded.g_optimizer.iterations) == 3
    for a, b in zip(loaded.generator.trainable_variables, gan.generator.trainable_variables):
        np.testing.assert_allclose(np.array(a), np.array(b), atol=1e-6)


def test_d_steps_uses_a_fresh_real_batch_per_discriminator_update():
    gan = _make("dcgan", TINY["dcgan"][0])
    gan.compile(d_steps=3)
    data = _images(gan.image_shape, 24)
    gan.fit(data, batch_size=4, epochs=1, verbose=0)
    # 24 images / batch 4 = 6 batches -> 2 generator steps of 3 D steps each
    assert int(gan.d_optimizer.iterations) == 6
    assert int(gan.g_optimizer.iterations) == 2
    # Too little data for one generator step is an error, not a silent epoch of zero steps.
    with pytest.raises(ValueError, match="takes d_steps=3 real batches"):
        gan.fit(data[:8], batch_size=4, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="takes d_steps=3 real batches"):
        gan.fit(tf.data.Dataset.from_tensor_slices(data[:8]).batch(4), epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 2


def test_generator_losses_are_selectable():
    gan = _make("vanilla_gan", TINY["vanilla_gan"][0])
    for g_loss in ("minimax", "modified", "maximum_likelihood"):
        gan.compile(g_loss=g_loss)
        history = gan.fit(*_data(gan, _images(gan.image_shape, 4)), batch_size=4, epochs=1, verbose=0)
        assert np.isfinite(history.history["g_loss"][0])
    assert gan.get_compile_config()["g_loss"] == "maximum_likelihood_generator_loss"


def test_user_networks_and_shape_errors():
    latent = 4
    g = keras.Sequential([keras.Input((latent,)), keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = models.GAN(g, d)
    assert gan.latent_dim == latent and gan.image_shape == (4, 4, 1)
    gan.compile()
    gan.fit(_images((4, 4, 1), 4), batch_size=4, verbose=0)

    d_wrong = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="does not match discriminator input shape"):
        models.GAN(g, d_wrong)
    d_many = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="one logit per image"):
        models.GAN(g, d_many)
    g_flat = keras.Sequential([keras.Input((latent,)), keras.layers.Dense(16)])
    with pytest.raises(ValueError, match=r"must output images \(batch, H, W, C\)"):
        models.GAN(g_flat, d)
    with pytest.raises(ValueError, match="latent_dim"):
        models.GAN(g, d, latent_dim=7)
    with pytest.raises(TypeError, match="generator must be a Keras model"):
        models.GAN(lambda z: z, d)


def test_fit_refuses_badly_scaled_data():
    gan = _make("dcgan", TINY["dcgan"][0])
    gan.compile()
    good = _images(gan.image_shape, 4)
    with pytest.raises(ValueError, match=r"x / 127.5 - 1"):
        gan.fit(good * 127.5 + 127.5, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="dtype uint8"):
        gan.fit(((good + 1) * 127.5).astype("uint8"), batch_size=4, verbose=0)
    bad = good.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        gan.fit(bad, batch_size=4, verbose=0)
    with pytest.raises(ValueError, match="expects"):
        gan.fit(_images((32, 32, 1), 4), batch_size=4, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices(good * 255).batch(2)
    with pytest.raises(ValueError, match="expected \\[-1, 1\\]"):
        gan.fit(ds, verbose=0)
    with pytest.raises(ValueError, match="num must be a positive integer"):
        gan.sample(0)
    with pytest.raises(ValueError, match="latent vectors must have shape"):
        gan.generate(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="d_steps"):
        gan.compile(d_steps=0)


def test_uncompiled_fit_is_a_clear_error():
    gan = _make("dcgan", TINY["dcgan"][0])
    with pytest.raises(ValueError, match="not compiled"):
        gan.fit(*_data(gan, _images(gan.image_shape, 4)), batch_size=4, verbose=0)


def test_dcgan_lsun_layout_matches_the_paper():
    gan = models.DCGAN(image_shape=(64, 64, 3))
    g = gan.generator
    project = g.get_layer("project")
    assert project.kernel.shape == (100, 4 * 4 * 1024)
    assert [g.get_layer(f"deconv{i}").filters for i in range(1, 5)] == [512, 256, 128, 3]
    assert all(g.get_layer(f"deconv{i}").kernel_size == (4, 4) for i in range(1, 5))
    d = gan.discriminator
    assert [d.get_layer(f"conv{i}").filters for i in range(4)] == [128, 256, 512, 1024]
    assert not any(isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)) for layer in g.layers + d.layers)
    with pytest.raises(ValueError, match="DCGAN supports square 28x28, 32x32 and 64x64"):
        models.DCGAN(image_shape=(48, 48, 3))


def test_dcgan_latent_distribution_is_honoured_and_saved(tmp_path):
    # It used to be dropped silently: DCGAN(latent_distribution="uniform") drew normal latents.
    gan = models.DCGAN(**TINY["dcgan"][0], latent_distribution="uniform", seed=0)
    z = np.asarray(gan.latents(4000, seed=0))
    assert gan.latent_distribution == "uniform"
    assert z.min() >= -1.0 and z.max() <= 1.0 and abs(z.std() - 1 / np.sqrt(3)) < 0.01
    assert models.DCGAN.from_config(gan.get_config()).latent_distribution == "uniform"
    gan.compile()
    gan.save(tmp_path / "u.keras")
    loaded = keras.models.load_model(tmp_path / "u.keras")
    assert loaded.latent_distribution == "uniform"
    np.testing.assert_array_equal(loaded.sample(3, seed=1), gan.sample(3, seed=1, **labels_for(gan, 3)))
    # The default keeps the configs of existing (zoo) models unchanged.
    assert "latent_distribution" not in models.DCGAN(**TINY["dcgan"][0]).get_config()
    with pytest.raises(ValueError, match="latent_distribution must be one of"):
        models.DCGAN(**TINY["dcgan"][0], latent_distribution="gamma")


def _signature_value(spec, rng):
    """A valid value for one input of an exported endpoint: 2 wherever the batch is free."""
    shape = [2 if d is None else d for d in spec.shape]
    fixed = {"num": 2, "seed": 5, "truncation": 0.7}
    if spec.name in fixed:
        return tf.constant(fixed[spec.name], spec.dtype)
    if spec.dtype == tf.string:
        return tf.constant(np.full(shape, "smiling cat face"))
    if spec.dtype.is_floating:
        return tf.constant(rng.uniform(-1, 1, shape), spec.dtype)
    return tf.zeros(shape, spec.dtype)  # class, domain and token ids: 0 is valid for every model


FIRST_OF_EACH = [CASES[[n for n, _ in CASES].index(name)] for name in TINY]


@pytest.mark.parametrize("name,kwargs", FIRST_OF_EACH, ids=[f"{n}" for n, _ in FIRST_OF_EACH])
def test_export_round_trip_serves_every_endpoint(name, kwargs, tmp_path):
    # Every endpoint the model names (serving_endpoints) comes back from the
    # SavedModel as a signature that gives what the model's own function gives.
    gan = _make(name, kwargs)
    endpoints = gan.serving_endpoints()["endpoints"]
    assert "serving_default" in endpoints
    loaded = tf.saved_model.load(str(gan.export(tmp_path / "sm")))
    assert set(loaded.signatures) == set(endpoints)
    rng = np.random.default_rng(0)
    for endpoint, (fn, signature) in endpoints.items():
        values = [_signature_value(spec, rng) for spec in signature]
        expected = fn(*values)
        served = loaded.signatures[endpoint](**{spec.name: v for spec, v in zip(signature, values)})
        assert set(served) == set(expected), endpoint
        for key, want in expected.items():
            got = served[key].numpy()
            assert got.shape == tuple(want.shape) and got.dtype == want.dtype.as_numpy_dtype, (endpoint, key)
            atol = 1 if got.dtype == np.uint8 else 1e-5  # uint8: a rounding tie may fall either way
            np.testing.assert_allclose(got.astype("float64"), np.asarray(want, "float64"), atol=atol, err_msg=f"{endpoint}/{key}")
    # and serving_default is the model's own generator where it takes latents (and labels)
    names = [spec.name for spec in endpoints["serving_default"][1]]
    if names in (["z"], ["z", "labels"]) and not isinstance(gan, models.TextToImageGAN):
        z = gan.latents(3, seed=2)
        labels = labels_for(gan, 3).get("labels")
        args = {"z": z} if labels is None else {"z": z, "labels": tf.constant(labels, tf.int32)}
        np.testing.assert_allclose(loaded.signatures["serving_default"](**args)["images"].numpy(),
                                   np.asarray(gan.generate(z, labels=labels)), atol=1e-5)
