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
