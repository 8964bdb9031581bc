"""The GAN platform: one batch for every hook, named terms, penalty hooks, networks and players, options."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import zoo
from kerasgan.models import GAN, GANBatch, options


def _networks(latent_dim=4, seed=0):
    keras.utils.set_random_seed(seed)
    g = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(8 * 8, name="g_dense"), keras.layers.Reshape((8, 8, 1))], name="generator")
    d = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1, name="d_dense")], name="discriminator")
    return g, d


def _images(n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


class _LatentReader(GAN):
    """Logs the mean of the latents its hooks receive, as a declared zero-weight term."""

    auxiliary_metrics = ("latent_mean",)

    def compute_auxiliary_terms(self, player, batch):
        if player != "generator":
            return {}
        return {"latent_mean": tf.reduce_mean(batch.latents) + 0.0 * tf.reduce_sum(batch.fake)}


def test_hooks_receive_the_latents_the_fake_images_came_from():
    g, d = _networks()
    gan = _LatentReader(g, d, seed=0)
    gan.compile()
    z = np.random.default_rng(1).normal(size=(8, 4)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices({"images": _images(8), "z": z}).batch(8)
    history = gan.fit(data, epochs=1, verbose=0).history
    assert history["latent_mean"][0] == pytest.approx(float(z.mean()), abs=1e-6)


class _Undeclared(GAN):
    def compute_auxiliary_terms(self, player, batch):
        return {"surprise": tf.constant(0.0)}


def test_a_term_the_class_does_not_declare_is_a_one_line_error():
    g, d = _networks()
    gan = _Undeclared(g, d, seed=0)
    gan.compile(run_eagerly=True)
    with pytest.raises(ValueError, match=r"'surprise' it does not declare: add it to _Undeclared.auxiliary_metrics"):
        gan.fit(_images(8), batch_size=8, epochs=1, verbose=0)


class _KernelPenalty(GAN):
    """A generator-side penalty: 0.5 * ||W||^2 of G's dense kernel."""

    def compute_generator_penalty(self, batch):
        return 0.5 * tf.reduce_sum(tf.square(self.generator.get_layer("g_dense").kernel))


def test_generator_penalty_hook_is_added_to_the_loss_and_logged():
    g, d = _networks()
    gan = _KernelPenalty(g, d, seed=0)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.0))
    kernel = gan.generator.get_layer("g_dense").kernel
    before = kernel.numpy().copy()
    want_penalty = 0.5 * float(np.sum(before**2))
    # The gradient of the adversarial loss alone, at the same weights and latents.
    z = np.random.default_rng(2).normal(size=(8, 4)).astype("float32")
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        adv = gan.compute_generator_loss(GANBatch(real=None, fake=fake, fake_output=gan.discriminator(fake, training=True)))
    adv_grad = tape.gradient(adv, kernel).numpy()
    data = tf.data.Dataset.from_tensor_slices({"images": _images(8), "z": z}).batch(8)
    history = gan.fit(data, epochs=1, verbose=0).history
    assert "g_penalty" in history and "d_penalty" not in history
    assert history["g_penalty"][0] == pytest.approx(want_penalty, rel=1e-5)
    # SGD: W' = W - lr * (adversarial gradient + W), the penalty's gradient being W.
    np.testing.assert_allclose(kernel.numpy(), before - 0.1 * (adv_grad + before), rtol=1e-4, atol=1e-6)


class _WithEncoder(GAN):
    """A third network trained by the generator player (as BiGAN's encoder is)."""

    auxiliary_metrics = ("reconstruction",)

    def __init__(self, generator, discriminator, encoder, **kwargs):
        self.encoder = encoder
        super().__init__(generator, discriminator, **kwargs)

    @property
    def networks(self):
        return {**super().networks, "encoder": self.encoder}

    def player_variables(self, player):
        variables = super().player_variables(player)
        return variables + self.encoder.trainable_variables if player == "generator" else variables

    def compute_auxiliary_terms(self, player, batch):
        if player != "generator":
            return {}
        return {"reconstruction": tf.reduce_mean(tf.square(self.encoder(batch.fake, training=True) - batch.latents))}


def _encoder():
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(4, name="e_dense")], name="encoder")


def test_a_player_can_train_several_networks_and_the_zoo_files_follow_networks(tmp_path):
    g, d = _networks()
    gan = _WithEncoder(g, d, _encoder(), seed=0)
    assert list(gan.networks) == ["generator", "discriminator", "encoder"]
    assert len(gan.player_variables("generator")) == 4 and len(gan.player_variables("discriminator")) == 2
    with pytest.raises(ValueError, match="unknown player 'critic'"):
        gan.player_variables("critic")
    gan.compile()
    encoder_before = gan.encoder.get_weights()
    disc_before = gan.discriminator.get_weights()
    history = gan.fit(_images(8), batch_size=8, epochs=1, verbose=0).history
    assert history["reconstruction"][0] > 0
    assert not np.allclose(gan.encoder.get_weights()[0], encoder_before[0])  # E trained with G
    assert not np.allclose(gan.discriminator.get_weights()[0], disc_before[0])
    # One NAME.weights.h5 per network, sampling network first, and loaded back by name.
    files = zoo.network_files(gan)
    assert list(files) == ["generator.weights.h5", "discriminator.weights.h5", "encoder.weights.h5"]
    for filename, network in files.items():
        network.save_weights(str(tmp_path / filename))
    g2, d2 = _networks(seed=5)
    other = _WithEncoder(g2, d2, _encoder(), seed=0)
    zoo._explicit_weights(other, tmp_path, "test")
    for a, b in zip(other.encoder.get_weights(), gan.encoder.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"file 'critic.weights.h5' names no network of _WithEncoder \(its networks: generator, discriminator, encoder\)"):
        zoo.network_for_file(gan, "critic.weights.h5", "test")


def test_a_discriminator_penalty_override_is_logged():
    class _Penalised(GAN):
        def compute_discriminator_penalty(self, batch):
            return 0.0 * tf.reduce_sum(batch.real_seen) + 3.0

    g, d = _networks()
    gan = _Penalised(g, d, seed=0)
    gan.compile()
    history = gan.fit(_images(8), batch_size=8, epochs=1, verbose=0).history
    assert history["d_penalty"][0] == pytest.approx(3.0)


def test_batch_replace_keeps_unaugmented_views_in_step():
    real, fake, seen = tf.ones((2, 8, 8, 1)), tf.zeros((2, 8, 8, 1)), tf.fill((2, 8, 8, 1), 0.5)
    batch = GANBatch(real=real, fake=fake, fake_seen=seen)
    assert batch.real_seen is real and batch.fake_seen is seen
    swapped = batch.replace(real=fake, fake=real)
    assert swapped.real_seen is fake  # followed the replaced image
    assert swapped.fake_seen is seen  # an augmented view is kept
    assert GANBatch(real=real, fake=fake, fake_output={"logits": seen}).fake_logits is seen


# ------------------------------------------------------------------ options
def test_options_take_given_values_then_the_recipe_then_off():
    recipe = {"loss": "hinge", "d_steps": 2, "gradient_penalty": 10.0}
    opts = options.resolve(recipe, d_steps=3, augment="diffaugment:color")
    assert opts["d_steps"] == 3 and opts["gradient_penalty"] == 10.0 and opts["r1_gamma"] is None
    assert opts["augment"] == {"name": "diffaugment", "policy": "color"}
    assert opts["d_loss_fn"].__name__ == "hinge_discriminator_loss"
    assert options.serialize(opts)["gradient_penalty"] == 10.0 and "r1_every" not in options.serialize(opts)
    assert options.historical(0.5) == {"generator": 0.5, "discriminator": 0.5}
    assert options.historical({"generator": 0.0}) is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"gradient_penalti": 10.0}, TypeError, r"unknown training option 'gradient_penalti' \(did you mean 'gradient_penalty'\?\)"),
        ({"d_steps": 0}, ValueError, "d_steps must be a positive integer, got 0"),
        ({"d_steps": 1.5}, ValueError, "d_steps must be a positive integer, got 1.5"),
        ({"label_smoothing": 1.0}, ValueError, r"label_smoothing must be in \[0, 1\), got 1.0"),
        ({"r1_gamma": -1}, ValueError, "r1_gamma must be a positive number or None, got -1"),
        ({"augment": "flip"}, ValueError, "augment must be 'diffaugment"),
        ({"adaptive_d_l2": {"start": 1}}, ValueError, r"adaptive_d_l2: unknown keys \['start'\]"),
        ({"historical_averaging": {"gen": 1}}, ValueError, "historical_averaging must be a positive float"),
    ],
)
def test_bad_options_are_one_line_errors(kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        options.resolve(GAN.recipe, **kwargs)
    assert "\n" not in str(info.value)


def test_compile_reports_options_through_the_model():
    g, d = _networks()
    gan = GAN(g, d, seed=0)
    with pytest.raises(ValueError, match="d_steps must be a positive integer"):
        gan.compile(d_steps=-2)
    with pytest.raises(ValueError, match=r"g_optimizer: unknown optimizer 'adamm': did you mean 'adam'\?"):
        gan.compile(g_optimizer="adamm")
    gan.compile(loss="least_squares", r1_gamma=1.0, r1_every=4)
    config = gan.get_compile_config()
    assert config["r1_gamma"] == 1.0 and config["r1_every"] == 4 and config["d_steps"] == 1
    assert [m.name for m in gan.metrics] == ["d_loss", "g_loss", "d_real", "d_fake", "d_penalty"]
