"""`kerasgan train` / `training.train` on the families whose data is not bare images."""

import json

import numpy as np
import pytest
from PIL import Image

from kerasgan import models, training


def test_conditional_architectures_are_recognised_without_building():
    assert models.get_architecture("cgan").is_conditional({})
    assert models.get_architecture("acgan").is_conditional({"num_classes": 3})
    assert not models.get_architecture("cgan").is_conditional({"num_classes": None})
    assert not models.get_architecture("dcgan").is_conditional({})
    assert models.get_architecture("dcgan").is_conditional({"num_classes": 10})
    # its num_classes sizes D's classifier; G takes no labels
    assert not models.get_architecture("ssgan").is_conditional({"num_classes": 10})


def test_conditional_run_trains_on_labels_and_draws_a_row_per_class(tmp_path):
    config = {"architecture": "cgan", "dataset": "mnist", "batch_size": 8, "seed": 1, "steps": 2}
    result = training.train(config, tmp_path / "run", verbose=0)
    gan = result["model"]
    assert gan.num_classes == 10
    grid = np.asarray(Image.open(result["last_grid"]))
    # 10 rows (one per class) of 8 samples, 28 px images with 2 px padding
    assert grid.shape[:2] == (10 * 30 + 2, 8 * 30 + 2)
    labelled = gan.sample(4, seed=0, labels=[0, 1, 2, 3])
    assert labelled.shape == (4, 28, 28, 1)


def test_preview_draws_every_class():
    seen = []
    for classes, rows in ((10, [c for c in range(10) for _ in range(8)]), (40, None)):
        gan = models.get_architecture("cgan")(image_shape=(28, 28, 1), num_classes=classes, latent_dim=4, g_width=4, d_width=4)
        gan.generate = lambda z, labels=None: seen.append(labels) or np.zeros((len(z), 28, 28, 1), "float32")
        images, per_row = gan.preview_function({}, seed=0)()
        assert per_row == 8 and len(images) == len(seen[-1])
        if rows is not None:
            assert seen[-1].tolist() == rows
        else:
            assert len(seen[-1]) == 64 and set(seen[-1].tolist()) == set(range(40))


def test_translation_run_trains_on_style_pairs_and_previews_test_pairs(tmp_path):
    config = {"architecture": "pix2pix", "dataset": "emoji_styles_64", "batch_size": 4, "seed": 0, "steps": 2,
              "mirror": True, "model_args": {"styles": ["openmoji_black", "openmoji"], "g_width": 4, "d_width": 4}}
    result = training.train(config, tmp_path / "run", verbose=0, checkpoint_every=2)
    model = result["model"]
    assert model.styles == ("openmoji_black", "openmoji")
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (3 * 66 + 2, 8 * 66 + 2, 3)  # sources, translations, targets
    restored = training.load_checkpoint(str(tmp_path / "run"))
    x = np.zeros((2, 64, 64, 3), "float32")
    assert restored.translate(x, target="openmoji").shape == (2, 64, 64, 3)
    with pytest.raises(ValueError, match="unknown target style 'twitter'"):
        restored.translate(x, target="twitter")


def test_translation_run_needs_paired_styles(tmp_path):
    config = {"architecture": "pix2pix", "dataset": "mnist", "batch_size": 4, "steps": 2}
    with pytest.raises(ValueError, match="dataset 'emoji_styles_64' with model_args styles"):
        training.train(config, tmp_path / "run", verbose=0)


def test_semi_supervised_run_uses_the_labelled_subset_and_resume_keeps_it(tmp_path):
    config = {"architecture": "ssgan", "dataset": "mnist", "batch_size": 10, "seed": 0, "steps": 2,
              "num_labelled": 20, "model_args": {"g_units": 16, "d_units": [32, 16]}}
    out = tmp_path / "run"
    result = training.train(config, out, verbose=0, checkpoint_every=2)
    assert set(result["history"]) >= {"d_supervised", "d_loss", "g_loss"}
    saved = json.loads((out / "run_config.json").read_text())
    assert saved["num_labelled"] == 20
    with pytest.raises(ValueError, match="num_labelled=50 differs from the run being resumed"):
        training.train({"steps": 4, "num_labelled": 50}, out, verbose=0, resume=True)
    resumed = training.train({"steps": 4}, out, verbose=0, resume=True)
    assert resumed["initial_step"] == 2


def test_semi_supervised_label_count_is_checked(tmp_path):
    config = {"architecture": "ssgan", "dataset": "mnist", "batch_size": 10, "steps": 2, "num_labelled": 15,
              "model_args": {"g_units": 16, "d_units": [32]}}
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        training.train(config, tmp_path / "run", verbose=0)
