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
