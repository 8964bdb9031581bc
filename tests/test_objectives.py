"""Objectives and stabilisation options of the GAN base model: each checked on its defining property."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import SNConv2D, SNDense
from kerasgan.models.batch import GANBatch
from kerasgan.models import DCGAN, GAN

TINY = {"image_shape": (28, 28, 1), "latent_dim": 8, "g_width": 4, "d_width": 4}


def _images(n=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def _gan(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return DCGAN(**{**TINY, **kwargs}, seed=seed)


# ------------------------------------------------------------------- WGAN
def test_wgan_weight_clipping_keeps_every_critic_weight_in_range():
    gan = _gan()
    gan.compile(loss="wasserstein", clip_weights=0.01, d_steps=5,
                d_optimizer=keras.optimizers.RMSprop(5e-3), g_optimizer=keras.optimizers.RMSprop(5e-3))
    assert any(np.abs(v.numpy()).max() > 0.01 for v in gan.discriminator.trainable_variables)
    gan.fit(_images(80), batch_size=8, epochs=1, verbose=0)  # 2 steps of 5 critic updates
    assert int(gan.d_optimizer.iterations) == 10
    for v in gan.discriminator.trainable_variables:
        assert np.abs(v.numpy()).max() <= 0.01 + 1e-7, v.path


# ---------------------------------------------------------------- WGAN-GP
def test_gradient_penalty_option_adds_the_penalty_to_the_critic_loss():
    gan = _gan(d_norm="layer")
    gan.compile(loss="wasserstein", gradient_penalty=10.0)
    history = gan.fit(_images(16), batch_size=8, epochs=1, verbose=0).history
    assert history["d_penalty"][0] > 0
    real, fake = _images(4, 1), _images(4, 2)
    # The penalty is the regularizer's value for the same critic and alpha draw.
    from kerasgan import regularizers

    gan.seed_generator.state.assign([5, 0])
    got = float(gan.compute_discriminator_penalty(GANBatch(real=real, fake=fake)))
    gan.seed_generator.state.assign([5, 0])
    seed = tf.cast(gan.seed_generator.next(), tf.int64)
    want = float(regularizers.gradient_penalty(lambda x: gan.discriminator(x, training=True), real, fake, 10.0, seed=seed))
    assert got == pytest.approx(want, rel=1e-5)


def test_layer_norm_critic_has_no_batch_norm():
    gan = _gan(d_norm="layer")
    kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
    assert "BatchNormalization" not in kinds and "LayerNormalization" in kinds


# --------------------------------------------------------------------- R1
def _linear_critic_gan():
    g = keras.Sequential([keras.Input((8,)), keras.layers.Dense(28 * 28), keras.layers.Reshape((28, 28, 1))])
    d = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    return GAN(generator=g, discriminator=d, seed=0)


@pytest.mark.parametrize("every", [1, 4])
def test_lazy_r1_applies_every_k_steps_scaled_by_k(every):
    gan = _linear_critic_gan()
    gan.compile(r1_gamma=2.0, r1_every=every)
    w = gan.discriminator.layers[-1].kernel.numpy()
    full = 0.5 * 2.0 * float(np.sum(w**2))  # gamma/2 * ||grad D||^2, grad of a linear D is w
    real, fake = _images(4, 1), _images(4, 2)
    for iteration in range(2 * every):
        gan.d_optimizer.iterations.assign(iteration)
        got = float(gan.compute_discriminator_penalty(GANBatch(real=real, fake=fake)))
        want = full * every if iteration % every == 0 else 0.0
        assert got == pytest.approx(want, rel=1e-5), iteration


# ------------------------------------------------------------------ SNGAN
def test_spectral_norm_kernels_have_unit_largest_singular_value_after_training():
    gan = _gan(d_norm="spectral")
    gan.compile(loss="hinge")
    gan.fit(_images(64), batch_size=8, epochs=1, verbose=0)  # 8 steps: 16 power iterations per layer
    layers = [lyr for lyr in gan.discriminator.layers if isinstance(lyr, (SNConv2D, SNDense))]
    assert len(layers) == 3  # every critic layer, the logit conv included
    for layer in layers:
        kernel, _ = layer.normalized_kernel(training=False)
        matrix = np.reshape(kernel.numpy(), (-1, kernel.shape[-1]))
        sigma = np.linalg.svd(matrix, compute_uv=False)[0]
        assert sigma == pytest.approx(1.0, abs=1e-2), layer.name


def test_spectral_norm_power_iteration_state_is_kept_and_saved(tmp_path):
    layer = SNDense(6, seed=1)
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    layer(x)
    u0 = layer.u.numpy().copy()
    layer(x, training=True)
    u1 = layer.u.numpy().copy()
    assert not np.allclose(u0, u1)  # training updates u
    layer(x, training=False)
    np.testing.assert_array_equal(layer.u.numpy(), u1)  # inference does not
    # Converges to the top singular vector: sigma estimate -> true sigma.
    for _ in range(50):
        layer(x, training=True)
    _, sigma = layer.normalized_kernel()
    assert float(sigma) == pytest.approx(np.linalg.svd(layer.kernel.numpy(), compute_uv=False)[0], rel=1e-4)
    model = keras.Sequential([keras.Input((5,)), layer])
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.layers[-1].u.numpy(), layer.u.numpy())
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


def test_spectral_norm_gradient_flows_through_sigma():
    # d/dW of sum(W/sigma(W) x) has a term from sigma (Miyato 2018, eq. 12):
    # it differs from the gradient of the same expression with sigma frozen.
    layer = SNDense(4, use_bias=False, seed=0)
    x = tf.constant(np.random.default_rng(1).normal(size=(2, 3)), tf.float32)
    layer(x)
    for _ in range(30):
        layer(x, training=True)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x))
    g_full = tape.gradient(y, layer.kernel.value)
    _, sigma = layer.normalized_kernel()
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(x, layer.kernel.value / tf.stop_gradient(sigma)))
    g_frozen = tape.gradient(y, layer.kernel.value)
    assert np.abs(g_full.numpy() - g_frozen.numpy()).max() > 1e-3


# -------------------------------------------------------------------- EMA
def test_ema_generator_follows_the_recurrence_and_serves_samples(tmp_path):
    gan = _gan(ema_decay=0.5)
    gan.compile(g_optimizer=keras.optimizers.Adam(0.05))  # large steps: G and its average differ clearly
    ema0 = [w.numpy().copy() for w in gan.ema_generator.trainable_weights]
    for a, b in zip(ema0, gan.generator.trainable_weights):
        np.testing.assert_array_equal(a, b.numpy())  # starts as G
    gan.fit(_images(8), batch_size=8, epochs=1, verbose=0)  # one step
    decay = min(0.5, 2.0 / 11.0)  # warm-up: (1 + n) / (10 + n) with n = 1
    for e0, e1, g1 in zip(ema0, gan.ema_generator.trainable_weights, gan.generator.trainable_weights):
        np.testing.assert_allclose(e1.numpy(), decay * e0 + (1 - decay) * g1.numpy(), atol=1e-6)
    z = gan.latents(4, seed=0)
    np.testing.assert_allclose(gan.generate(z), gan.ema_generator(z).numpy(), atol=1e-6)
    assert not np.allclose(gan.generate(z), gan.generator(z).numpy(), rtol=1e-3, atol=0)
    # ema=False: the same latents through the trained generator, in every sampling entry point
    np.testing.assert_allclose(gan.generate(z, ema=False), gan.generator(z).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.sample(4, seed=0, ema=False), gan.generator(z).numpy(), atol=1e-6)
    np.testing.assert_allclose(np.concatenate(list(gan.iter_samples(4, seed=0, batch_size=3, ema=False))),
                               gan.generator(z).numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.sample(4, seed=0), gan.ema_generator(z).numpy(), atol=1e-6)
    # fit's end does not overwrite anything (unlike optimizer use_ema) and a
    # .keras round trip keeps both generators.
    path = str(tmp_path / "ema.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.ema_decay == 0.5
    np.testing.assert_allclose(loaded.generate(z), gan.generate(z), atol=1e-6)
    np.testing.assert_allclose(loaded.generator(z), gan.generator(z), atol=1e-6)


def test_ema_decay_must_be_in_open_unit_interval():
    with pytest.raises(ValueError, match="ema_decay must be in \\(0, 1\\)"):
        _gan(ema_decay=1.0)


# ------------------------------------------------------- augmentation in D
def test_ada_option_adapts_p_and_saves_it(tmp_path):
    gan = _gan()
    gan.compile(augment={"name": "ada", "interval": 1, "speed_kimg": 0.1})
    history = gan.fit(_images(32), batch_size=8, epochs=1, verbose=0).history
    assert "ada_p" in history
    p = float(gan.augmenter.p.numpy())
    rt = float(gan.augmenter.rt.numpy())
    assert p > 0.0 if rt > 0.6 else p == 0.0
    path = str(tmp_path / "ada.keras")
    gan.augmenter.p.assign(0.37)
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert float(loaded.augmenter.p.numpy()) == pytest.approx(0.37)
    assert loaded.get_compile_config()["augment"]["name"] == "ada"


def test_diffaugment_option_trains_and_round_trips():
    gan = _gan()
    gan.compile(augment="diffaugment:translation,cutout")
    assert gan.augment == {"name": "diffaugment", "policy": "translation,cutout"}
    history = gan.fit(_images(16), batch_size=8, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0])
    clone = _gan()
    clone.compile_from_config(gan.get_compile_config())
    assert clone.augment == gan.augment


def test_augmentation_does_not_change_non_augmented_training():
    # Models without augment draw exactly the latents they always drew.
    a, b = _gan(), _gan()
    a.compile()
    b.compile(augment=None, gradient_penalty=None)
    a.fit(_images(16), batch_size=8, epochs=1, verbose=0, shuffle=False)
    b.fit(_images(16), batch_size=8, epochs=1, verbose=0, shuffle=False)
    for x, y in zip(a.weights, b.weights):
        np.testing.assert_array_equal(x.numpy(), y.numpy())


# ---------------------------------------------------- improved techniques
def test_feature_matching_loss_is_squared_distance_of_mean_features():
    gan = _gan()
    gan.compile(feature_matching=True)
    real, fake = _images(6, 1), _images(6, 2)
    features = keras.Model(gan.discriminator.inputs, gan.discriminator.get_layer("logit_conv").input)
    want = np.sum((features(real, training=True).numpy().mean(0) - features(fake, training=True).numpy().mean(0)) ** 2)
    got = float(gan.compute_generator_loss(GANBatch(real=real, fake=fake)))
    assert got == pytest.approx(want, rel=1e-4)
    history = gan.fit(_images(16), batch_size=8, epochs=1, verbose=0).history
    assert np.isfinite(history["g_loss"][0])


def test_feature_matching_unknown_layer_is_a_clear_error():
    gan = _gan()
    with pytest.raises(ValueError, match="has no layer 'nope'; its layers are"):
        gan.compile(feature_matching="nope")


def test_minibatch_discrimination_in_the_dcgan_discriminator():
    gan = _gan(d_minibatch_kernels=5)
    # 7x7x8 flattened features plus one minibatch feature per kernel.
    assert gan.discriminator.get_layer("minibatch").output.shape[-1] == 7 * 7 * 8 + 5
    logits = gan.discriminator(_images(4))
    assert tuple(logits.shape) == (4, 1)
    gan.compile()
    assert np.isfinite(gan.fit(_images(16), batch_size=8, epochs=1, verbose=0).history["d_loss"][0])


def test_adaptive_d_l2_grows_while_d_wins_and_shrinks_when_g_catches_up():
    gan = _gan()
    gan.compile(adaptive_d_l2={"initial": 1e-3, "target_gap": 0.5, "factor": 2.0})
    gan._adapt_d_l2(tf.constant(0.9), tf.constant(0.1))  # gap 0.8 > 0.5: D wins
    assert float(gan.d_l2_weight.numpy()) == pytest.approx(2e-3)
    gan._adapt_d_l2(tf.constant(0.6), tf.constant(0.4))  # gap 0.2: G catches up
    gan._adapt_d_l2(tf.constant(0.6), tf.constant(0.4))
    assert float(gan.d_l2_weight.numpy()) == pytest.approx(5e-4)
    # The penalty is weight * sum of squared kernels.
    squares = sum(float(np.sum(v.numpy() ** 2)) for v in gan.discriminator.trainable_variables if v.ndim > 1)
    assert float(gan.compute_discriminator_penalty(GANBatch(real=_images(2), fake=_images(2)))) == pytest.approx(5e-4 * squares, rel=1e-5)


class _Snapshots(keras.callbacks.Callback):
    """Records G's and D's trainable weights after every batch."""

    def __init__(self, gan):
        super().__init__()
        self.gan, self.g, self.d = gan, [], []

    def on_train_batch_end(self, batch, logs=None):
        self.g.append([v.numpy().copy() for v in self.gan.generator.trainable_variables])
        self.d.append([v.numpy().copy() for v in self.gan.discriminator.trainable_variables])


def test_historical_averaging_keeps_the_mean_of_past_weights_and_penalises_the_distance(tmp_path):
    gan = _gan()
    gan.compile(historical_averaging={"generator": 0.5, "discriminator": 0.25})
    # No history yet: no penalty.
    assert float(gan._d_history.penalty(gan.discriminator.trainable_variables)) == 0.0
    snaps = _Snapshots(gan)
    history = gan.fit(_images(24), batch_size=8, epochs=1, verbose=0, shuffle=False, callbacks=[snaps]).history
    assert "g_penalty" in history and "d_penalty" in history
    assert len(snaps.g) == 3
    for hist, records, variables in (
        (gan._g_history, snaps.g, gan.generator.trainable_variables),
        (gan._d_history, snaps.d, gan.discriminator.trainable_variables),
    ):
        assert float(hist.count.numpy()) == 3.0
        means = [np.mean([r[j] for r in records], axis=0) for j in range(len(variables))]
        for got, want in zip(hist.averages, means):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)
        want = hist.penalty_weight * sum(np.sum((v.numpy() - m) ** 2) for v, m in zip(variables, means))
        assert want > 0
        assert float(hist.penalty(variables)) == pytest.approx(want, rel=1e-4)
    # The gradient of the D penalty is 2 * weight * (theta - mean).
    variables = gan.discriminator.trainable_variables
    with tf.GradientTape() as tape:
        penalty = gan.compute_discriminator_penalty(GANBatch(real=_images(2), fake=_images(2, 1)))
    grads = tape.gradient(penalty, variables)
    for g, v, a in zip(grads, variables, gan._d_history.averages):
        np.testing.assert_allclose(g.numpy(), 2 * 0.25 * (v.numpy() - a.numpy()), rtol=1e-4, atol=1e-7)
    # Saved and restored with the model, and recompiled from its config.
    path = str(tmp_path / "ha.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_compile_config()["historical_averaging"] == {"generator": 0.5, "discriminator": 0.25}
    assert float(loaded._g_history.count.numpy()) == 3.0
    for a, b in zip(loaded._d_history.averages + loaded._g_history.averages, gan._d_history.averages + gan._g_history.averages):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_historical_averaging_for_one_player_only():
    gan = _gan()
    gan.compile(historical_averaging={"discriminator": 0.1})
    assert gan._g_history is None and gan._d_history is not None
    assert gan.historical_averaging == {"discriminator": 0.1}
    history = gan.fit(_images(16), batch_size=8, epochs=1, verbose=0).history
    assert "g_penalty" not in history and np.isfinite(history["d_penalty"][0])
    with pytest.raises(ValueError, match="historical_averaging must be a positive float or a dict"):
        gan.compile(historical_averaging={"critic": 1.0})
    with pytest.raises(ValueError, match=r"historical_averaging\['generator'\] must be a number >= 0"):
        gan.compile(historical_averaging={"generator": -1.0})


def test_virtual_batch_norm_generator_uses_the_reference_batch_and_no_batch_mates(tmp_path):
    gan = _gan(g_norm="virtual")
    layers = [lyr for lyr in gan.generator.layers if "norm" in type(lyr).__name__.lower()]
    assert [type(lyr).__name__ for lyr in layers] == ["VirtualBatchNormalization"] * 2
    gan.compile()
    seen = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append((
        gan.generator.get_layer("project").kernel.numpy().copy(),
        gan.generator.get_layer("project_vbn").reference_mean.numpy().copy(),
    )))
    gan.fit(_images(24), batch_size=8, epochs=1, verbose=0, callbacks=[record])
    # Each step first records the reference statistics with the weights it starts from.
    z_ref = gan.vbn_reference_latents.numpy()
    for (kernel_before, _), (_, reference_mean) in zip(seen, seen[1:]):
        want = (z_ref @ kernel_before).reshape(64, 7, 7, -1).mean(axis=(0, 1, 2))
        np.testing.assert_allclose(reference_mean, want, rtol=1e-4, atol=1e-6)
    # After fit the first VBN layer holds the statistics of the fixed reference
    # latents through the current projection (computed here by hand).
    assert z_ref.shape == (64, 8)
    project = gan.generator.get_layer("project").kernel.numpy()
    h = (z_ref @ project).reshape(64, 7, 7, -1)
    vbn = gan.generator.get_layer("project_vbn")
    np.testing.assert_allclose(vbn.reference_mean.numpy(), h.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(vbn.reference_mean_square.numpy(), (h**2).mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-7)
    assert float(vbn.reference_count.numpy()) == 64.0
    # A sample does not depend on the other samples of its batch.
    z = gan.latents(5, seed=1)
    np.testing.assert_allclose(gan.generator(z).numpy()[1:], gan.generator(z[1:]).numpy(), atol=1e-6)
    # Config and state survive saving.
    path = str(tmp_path / "vbn.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["g_norm"] == "virtual"
    np.testing.assert_array_equal(loaded.vbn_reference_latents.numpy(), z_ref)
    np.testing.assert_allclose(loaded.sample(4, seed=0), gan.sample(4, seed=0), atol=1e-6)
    with pytest.raises(ValueError, match="unknown generator norm 'layer'"):
        _gan(g_norm="layer")


def test_bad_option_values_are_refused():
    gan = _gan()
    with pytest.raises(ValueError, match="clip_weights must be a positive number"):
        gan.compile(clip_weights=-1)
    with pytest.raises(ValueError, match="r1_every must be a positive integer"):
        gan.compile(r1_gamma=1.0, r1_every=0)
    with pytest.raises(ValueError, match="augment must be 'diffaugment"):
        gan.compile(augment="flip")
    with pytest.raises(ValueError, match="adaptive_d_l2: unknown keys"):
        gan.compile(adaptive_d_l2={"speed": 1})
    with pytest.raises(ValueError, match="unknown discriminator norm 'group'"):
        _gan(d_norm="group")


# ------------------------------------------------------ supplied latents
def test_train_step_uses_supplied_latents():
    images = _images(8)
    z1 = np.random.default_rng(1).normal(size=(8, 8)).astype("float32")
    z2 = np.random.default_rng(2).normal(size=(8, 8)).astype("float32")
    results = []
    for z in (z1, z1, z2):
        gan = _gan()
        gan.compile()
        gan.train_step({"images": tf.constant(images), "z": tf.constant(z)})
        results.append(gan.generator.get_weights())
    for a, b in zip(results[0], results[1]):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(results[0], results[2]))
