"""The application cards' evaluations: the shipped emoji classifier, super-resolution, style and text scores."""

import json

import numpy as np
import pytest

import keras

from kerasgan import cli, data, models
from kerasgan.metrics import emoji_features
from kerasgan.metrics.evaluate import evaluate_styles, evaluate_super_resolution, evaluate_text
from kerasgan.metrics.paired import paired_scores
from kerasgan.models.text2image import Vocabulary


@pytest.fixture(scope="module")
def classifier():
    return emoji_features.EmojiClassifier()


def _labelled_test_images():
    arrays, _ = data._style_arrays(data.EMOJI_STYLES, "test", "test")
    styles = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
    return np.concatenate(arrays), styles, np.tile(data.emoji_categories("test"), len(arrays))


def test_shipped_classifier_scores_what_its_docstring_says(classifier):
    images, styles, categories = _labelled_test_images()
    out = classifier.outputs(images)
    assert out["features"].shape == (len(images), emoji_features.FEATURE_DIM)
    np.testing.assert_allclose(out["style"].sum(axis=1), 1.0, atol=1e-5)
    style_accuracy = np.mean(np.argmax(out["style"], axis=1) == styles)
    category_accuracy = np.mean(np.argmax(out["category"], axis=1) == categories)
    assert style_accuracy == pytest.approx(emoji_features.TEST_ACCURACY["style"], abs=0.01)
    assert category_accuracy == pytest.approx(emoji_features.TEST_ACCURACY["category"], abs=0.01)
    # float input in [-1, 1] reads the same as uint8
    np.testing.assert_allclose(classifier.style_probabilities(data.from_uint8(images[:8])), out["style"][:8], atol=1e-5)


def test_classifier_rejects_bad_inputs_and_corrupt_weights(classifier, tmp_path):
    with pytest.raises(ValueError, match=r"shape \(2, 28, 28, 1\)"):
        classifier.outputs(np.zeros((2, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match=r"expected \[-1, 1\]"):
        classifier.outputs(np.full((2, 64, 64, 3), 3.0, "float32"))
    bad = tmp_path / "emoji.weights.h5"
    bad.write_bytes(b"not weights")
    with pytest.raises(ValueError, match="corrupt or not the expected file"):
        emoji_features.EmojiClassifier(weights=bad)
    with pytest.raises(FileNotFoundError, match="train_emoji_classifier"):
        emoji_features.EmojiClassifier(weights=tmp_path / "missing.weights.h5")


def test_super_resolution_bicubic_baseline_equals_the_paired_scores_by_hand():
    result = evaluate_super_resolution(None, ("psnr", "ssim"), baseline="bicubic")
    low, high, _ = data.load_super_resolution_arrays(data.EMOJI_COLOUR_STYLES, 4, "test")
    expected = paired_scores(data.upscale_bicubic(low, 4), high)
    assert result["psnr"] == pytest.approx(expected["psnr"]) and result["ssim"] == pytest.approx(expected["ssim"])
    assert 15 < result["psnr"] < 40 and result["protocol"]["num"] == len(low)


def test_super_resolution_scores_a_model_and_checks_its_scale():
    keras.utils.set_random_seed(0)
    sr = models.SRGAN(image_shape=(16, 16, 3), scale=4, g_width=4, g_blocks=1, d_width=2, d_dense=8, feature_weight=0, seed=0)
    result = evaluate_super_resolution(sr, ("psnr",), styles=("google",))
    low, high, _ = data.load_super_resolution_arrays(("google",), 4, "test")
    assert result["psnr"] == pytest.approx(paired_scores(sr.upscale(low), high)["psnr"])
    with pytest.raises(ValueError, match="upscales by 4, not 2"):
        evaluate_super_resolution(sr, ("psnr",), scale=2)
    with pytest.raises(ValueError, match="did you mean 'psnr'"):
        evaluate_super_resolution(sr, ("psrn",))


def test_style_scores_of_a_can_and_of_real_drawings():
    keras.utils.set_random_seed(0)
    can = models.CAN(image_shape=(64, 64, 3), num_styles=4, latent_dim=8, g_width=4, d_width=4, seed=0)
    result = evaluate_styles(can, num=64, seed=0)
    for key in ("style_entropy", "style_entropy_real"):
        assert 0.0 <= result[key]["normalized"] <= 1.0 and sum(result[key]["histogram"]) == pytest.approx(1.0)
    # The classifier places real drawings with confidence; styles are balanced in the held-out set.
    assert result["style_entropy_real"]["normalized"] < 0.35
    np.testing.assert_allclose(result["style_entropy_real"]["histogram"], 0.25, atol=0.05)
    # An untrained generator draws noise, far from every training drawing.
    assert result["novelty"]["ratio"] > 1.0 and result["novelty"]["near_copy_share"] == 0.0
    # Restricting to two styles renormalises over them.
    two = evaluate_styles(can, ["style_entropy"], num=16, styles=["google", "openmoji_black"])
    assert len(two["style_entropy"]["histogram"]) == 2 and "novelty" not in two


def test_style_scores_reject_models_they_cannot_judge():
    keras.utils.set_random_seed(0)
    with pytest.raises(ValueError, match="64x64 colour emoji"):
        evaluate_styles(models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, g_width=4, d_width=4), num=4)


def test_text_scores_on_generated_and_real_drawings():
    vocab_captions = data.emoji_captions("train")[1]
    vocab = Vocabulary.from_captions([c for cs in vocab_captions for c in cs])
    keras.utils.set_random_seed(0)
    gan = models.TextToImageGAN(image_shape=(64, 64, 3), vocabulary=vocab.words, latent_dim=8, embed_dim=32,
                                condition_dim=4, text_dim=4, g_width=4, d_width=4, encoder_steps=0, seed=0)
    gan.train_text_encoder(data.load_captioned(vocab, batch_size=32, seed=0, repeat=True), 150, learning_rate=2e-3)
    result = evaluate_text(gan, seed=0)
    chance = result["protocol"]["chance"]["retrieval"]
    assert chance == pytest.approx(1 / 100)
    # The encoders were trained (briefly) on the train split: held-out drawings are retrieved above chance
    # (measured 0.042 against 0.01; with 543 queries chance gives 0.01 +- 0.004).
    assert result["retrieval_real"] > 2.5 * chance
    # The classifier reads real drawings' categories as its test accuracy on the colour styles says.
    assert result["category_agreement_real"] > 0.5
    assert 0.0 <= result["category_agreement"] <= 1.0 and 0.0 <= result["retrieval"] <= 1.0
    with pytest.raises(ValueError, match="unknown caption field"):
        evaluate_text(gan, field="title")
    with pytest.raises(TypeError, match="does not draw from text"):
        evaluate_text(models.DCGAN(image_shape=(64, 64, 3), latent_dim=8, g_width=4, d_width=4))


def test_cli_eval_routes_style_scores(tmp_path, capsys):
    keras.utils.set_random_seed(0)
    can = models.CAN(image_shape=(64, 64, 3), num_styles=4, latent_dim=8, g_width=4, d_width=4, seed=0)
    can.compile()
    path = tmp_path / "can.keras"
    can.save(path)
    out = tmp_path / "scores.json"
    assert cli.main(["eval", str(path), "--metrics", "style_entropy", "--num", "16", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| style_entropy normalized |" in printed and "| style_entropy_real mean |" in printed
    saved = json.loads(out.read_text())
    assert saved["protocol"]["num_generated"] == 16
    assert cli.main(["eval", str(path), "--metrics", "style_entropy,fid"]) == 2
    assert "in a run of their own" in capsys.readouterr().err
