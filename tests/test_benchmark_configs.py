"""The benchmarks' run configs: what each compared variant actually trains."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))

import fid_per_minute  # noqa: E402


def test_variant_names_parse_into_options():
    assert fid_per_minute.parse_variant("float32") == {"precision": "float32", "jit_compile": False, "steps_per_execution": 1}
    assert fid_per_minute.parse_variant("auto+xla+spe8") == {"precision": "auto", "jit_compile": True, "steps_per_execution": 8}
    with pytest.raises(SystemExit, match="unknown variant part 'fast'"):
        fid_per_minute.parse_variant("xla+fast")


def test_a_variant_overrides_the_recipes_xla_and_steps_per_execution_and_drops_its_ema():
    from kerasgan import training, zoo

    recipe = zoo.info("dcgan_mnist")["recipe"]
    assert recipe["jit_compile"] is True and recipe["steps_per_execution"] == 8  # what the recipe pins
    config = fid_per_minute.variant_config(recipe, fid_per_minute.parse_variant("float32"))
    assert config["jit_compile"] is False and config["steps_per_execution"] == 1
    assert "ema_decay" not in config["model_args"] and config["model_args"]["latent_dim"] == 100
    assert config["compile_args"] == recipe["compile_args"] and config["seed"] == 0
    gan = training.build_model(config, (28, 28, 1))  # the compiled model follows the variant
    assert gan.jit_compile is False and gan.steps_per_execution == 1 and gan.ema_generator is None


def test_architectures_64_gives_every_architecture_the_same_images_shown():
    import architectures_64

    from kerasgan import models

    for name in architectures_64.ARCHS:
        config = architectures_64.run_config(name, kimg=96)
        cls = models.get_architecture(config["architecture"])
        assert config["model_args"]["image_shape"] == (64, 64, 3) and config["dataset"] == "emoji_styles_64"
        assert config["batch_size"] == cls.recipe.get("batch_size", 64)
        assert config["steps"] * config["batch_size"] * cls.recipe.get("d_steps", 1) == 96_000, name
        # Every architecture builds at 64x64 with these arguments (conditional ones on the 9 categories).
        gan = training_build(config)
        assert tuple(gan.image_shape) == (64, 64, 3)
        assert getattr(gan, "num_classes", None) in (None, architectures_64.NUM_CLASSES)
    # ProGAN's schedule fits the budget: 9 phases (4x4, then fade-in + stable up to 64x64).
    assert architectures_64.run_config("progan", kimg=90)["model_args"]["phase_images"] == 10_000


def training_build(config):
    from kerasgan import training

    return training.build_model(config, (64, 64, 3))


def test_gan_mnist_speckle_measure_and_variants():
    import numpy as np

    import gan_mnist_speckle as speckle_bench
    from kerasgan import training

    flat = np.zeros((2, 28, 28))
    assert speckle_bench.speckle(flat) == 0.0
    flat[0, 10, 10] = 1.0  # one isolated pixel: the median filter removes it, a change of 1 in 2 * 784 pixels
    assert speckle_bench.speckle(flat) == pytest.approx(1 / (2 * 784))
    flat[1, 5:15, 5:15] = 1.0  # a solid square keeps all but its 4 corners' worth of change
    assert speckle_bench.speckle(flat[1:]) == pytest.approx(4 / 784)
    for name, (model_args, compile_args, _) in speckle_bench.VARIANTS.items():
        config = {"architecture": "vanilla_gan", "dataset": "mnist", "steps": 1, "batch_size": 4, "seed": 0,
                  "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, "ema_decay": 0.999, **model_args},
                  "compile_args": compile_args}
        gan = training.build_model(config, (28, 28, 1))
        assert gan.ema_generator is not None, name
        raw = gan.sample(3, seed=0, ema=False)  # what the benchmark scores as "raw"
        assert raw.shape == (3, 28, 28, 1)
        # the raw generator sees sample()'s latents: a fresh model's EMA copy equals it
        np.testing.assert_allclose(raw, gan.sample(3, seed=0), atol=1e-6)
    sgd = training.build_model({"architecture": "vanilla_gan", "dataset": "mnist", "steps": 1, "batch_size": 4, "seed": 0,
                                "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100},
                                "compile_args": speckle_bench.VARIANTS["sgd_momentum"][1]}, (28, 28, 1))
    assert type(sgd.g_optimizer).__name__ == "SGD" and float(sgd.g_optimizer.momentum) == 0.5


def test_semi_supervised_baseline_is_the_ssgan_discriminator_trained_on_the_labels_alone():
    import numpy as np

    import semi_supervised

    from kerasgan import models

    gan = models.SemiSupervisedGAN(g_units=8, d_units=(16, 8), seed=0)
    net = semi_supervised.baseline_network(gan, seed=0)
    strip = lambda layer: {k: v for k, v in layer.get_config().items() if k != "name"}
    assert [strip(a) for a in net.layers] == [strip(b) for b in gan.discriminator.layers]  # noise layers included
    assert net.count_params() == gan.discriminator.count_params()
    assert not np.array_equal(net.get_weights()[0], gan.discriminator.get_weights()[0])  # freshly initialised
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, (40, 28, 28, 1)).astype("float32"), np.arange(40) % 10
    before = [w.copy() for w in net.get_weights()]
    errors = semi_supervised.supervised_baseline(net, x, y, x[:20], y[:20], steps=2, seed=0, jit_compile=False)
    assert 0 <= errors <= 20 and isinstance(errors, int)
    assert not np.array_equal(before[0], net.get_weights()[0])
    assert gan.recipe["d_optimizer"]["config"]["learning_rate"] == 3e-3  # Salimans et al.'s rate, the baseline's too
