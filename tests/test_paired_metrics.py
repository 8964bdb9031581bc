"""Paired translation metrics (L1, PSNR, SSIM) by hand, and evaluate_translation on the emoji pairs."""

import json
import math

import numpy as np
import pytest

from kerasgan import data
from kerasgan.metrics import evaluate_translation, paired_scores


def _const(value, n=3, size=16, channels=3):
    return np.full((n, size, size, channels), value, "float32")


def test_constant_images_by_hand():
    scores = paired_scores(_const(0.0), _const(0.5))
    # [0, 1] pixels 0.5 vs 0.75: |d| = 0.25 -> L1 in [-1, 1] units 0.5; MSE 0.0625 -> PSNR 10 log10(16)
    assert scores["l1"] == pytest.approx(0.5, abs=1e-6)
    assert scores["psnr"] == pytest.approx(10 * math.log10(16.0), abs=1e-4)
    # flat images: SSIM is the luminance term (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1), C1 = 0.01^2
    # (the structure term is C2 / C2 = 1 up to float32 rounding of tf's variances, divided by C2 = 0.03^2)
    c1 = 0.01**2
    assert scores["ssim"] == pytest.approx((2 * 0.5 * 0.75 + c1) / (0.25 + 0.5625 + c1), abs=1e-3)


def test_identical_images_score_perfectly():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    scores = paired_scores(x, x)
    assert scores["l1"] == 0.0 and scores["ssim"] == pytest.approx(1.0, abs=1e-6) and math.isinf(scores["psnr"])


def test_ssim_falls_with_noise():
    rng = np.random.default_rng(1)
    x = np.clip(rng.normal(0, 0.3, (4, 32, 32, 3)), -1, 1).astype("float32")
    slight = np.clip(x + rng.normal(0, 0.05, x.shape), -1, 1).astype("float32")
    heavy = np.clip(x + rng.normal(0, 0.5, x.shape), -1, 1).astype("float32")
    a, b = paired_scores(slight, x), paired_scores(heavy, x)
    assert a["ssim"] > b["ssim"] and a["psnr"] > b["psnr"] and a["l1"] < b["l1"]


@pytest.mark.parametrize(
    "outputs, targets, error, message",
    [
        (_const(0.0), _const(0.0, n=2), ValueError, "differ in shape"),
        (np.zeros((2, 16, 16, 3), np.uint8), _const(0.0, n=2), TypeError, "float images in \\[-1, 1\\]"),
        (_const(2.0), _const(0.0), ValueError, "must lie in \\[-1, 1\\]"),
        (_const(np.nan), _const(0.0), ValueError, "NaN or Inf"),
        (_const(0.0, size=8), _const(0.0, size=8), ValueError, "at least 11x11"),
    ],
)
def test_bad_inputs_are_one_line(outputs, targets, error, message):
    with pytest.raises(error, match=message):
        paired_scores(outputs, targets)


def test_copy_baseline_on_the_emoji_test_split_matches_numpy():
    x, y, codepoints = data.load_pair_arrays("openmoji_black", "openmoji", split="test")
    result = evaluate_translation(None, metrics=("l1", "psnr"), source="openmoji_black", target="openmoji", baseline="copy")
    assert result["protocol"]["num"] == len(x) == len(codepoints)
    assert result["l1"] == pytest.approx(float(np.mean(np.abs(x - y))), rel=1e-5)
    mse = np.mean((((x + 1) / 2) - ((y + 1) / 2)) ** 2, axis=(1, 2, 3))
    assert result["psnr"] == pytest.approx(float(np.mean(10 * np.log10(1.0 / mse))), rel=1e-4)


def test_model_is_scored_on_its_own_styles():
    from kerasgan.models import get_architecture

    model = get_architecture("pix2pix")(image_shape=(64, 64, 3), g_width=4, d_width=4, styles=("openmoji_black", "openmoji"),
                                          test_time_dropout=False)
    result = evaluate_translation(model, metrics=("l1", "ssim"))
    x, y, _ = data.load_pair_arrays("openmoji_black", "openmoji", split="test")
    expected = paired_scores(model.translate(x), y)
    assert result["l1"] == pytest.approx(expected["l1"], rel=1e-6)
    assert result["protocol"]["task"] == "openmoji_black -> openmoji"
    with pytest.raises(ValueError, match="unknown target style 'twitter'"):
        evaluate_translation(model, metrics="l1", target="twitter")
    with pytest.raises(ValueError, match="unknown translation metrics"):
        evaluate_translation(model, metrics="psnrr")


def test_style_accuracy_reads_the_target_style_with_the_emoji_classifier():
    from kerasgan.metrics.emoji_features import EmojiClassifier
    from kerasgan.metrics.evaluate import style_accuracy

    x, y, _ = data.load_pair_arrays("google", "twitter", split="test")
    copy = evaluate_translation(None, metrics="style_accuracy", source="google", target="twitter", baseline="copy")
    read = np.argmax(EmojiClassifier().style_probabilities(x), axis=1)
    assert copy["style_accuracy"] == pytest.approx(float(np.mean(read == data.EMOJI_STYLES.index("twitter"))))
    assert copy["style_accuracy"] < 0.2  # Google's drawings are not read as Twitter's
    assert style_accuracy(y, "twitter") > 0.8  # the true Twitter drawings are
    with pytest.raises(ValueError, match="reads the emoji styles google, twitter"):
        style_accuracy(y, "apple")
    with pytest.raises(ValueError, match=r"emoji classifier inputs have shape \(2, 32, 32, 3\); this model expects \(batch, 64, 64, 3\)"):
        style_accuracy(np.zeros((2, 32, 32, 3), "float32"), "twitter")


def test_translation_table_covers_every_direction(tmp_path):
    import importlib.util
    import pathlib

    from kerasgan.metrics.evaluate import translation_table
    from kerasgan.models import get_architecture

    styles = ("google", "twitter", "openmoji")
    copy = translation_table(None, "l1", styles=styles, baseline="copy")["table"]["l1"]
    assert sorted(copy) == sorted(styles) and all(len(copy[s]) == 2 and s not in copy[s] for s in styles)
    for s in styles:  # copying: |x - y| is the same either way
        for t in styles:
            if s != t:
                assert copy[s][t] == pytest.approx(copy[t][s], rel=1e-6)
    model = get_architecture("stargan")(image_shape=(64, 64, 3), num_domains=3, styles=styles, g_width=4, g_blocks=1, d_width=4, seed=0)
    result = translation_table(model, "l1")
    assert result["table"]["l1"]["twitter"]["google"] == pytest.approx(
        evaluate_translation(model, "l1", source="twitter", target="google")["l1"], rel=1e-6)
    assert result["protocol"]["styles"] == list(styles) and result["protocol"]["split"] == "test"
    path = pathlib.Path(__file__).resolve().parents[1] / "tools" / "translation_table.py"
    spec = importlib.util.spec_from_file_location("translation_table", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    text = tool.markdown(result)
    assert "| source \\ target | google | twitter | openmoji |" in text
    assert f"| twitter | {result['table']['l1']['twitter']['google']:.4f} | – |" in text
    model.save(tmp_path / "stargan.keras")  # the tool takes a .keras file like the CLI (zoo.load_any)
    assert tool.main([str(tmp_path / "stargan.keras"), "--metrics", "l1", "--json", str(tmp_path / "t.json")]) == 0
    written = json.loads((tmp_path / "t.json").read_text())["table"]["l1"]
    assert written["twitter"]["google"] == pytest.approx(result["table"]["l1"]["twitter"]["google"], rel=1e-5)
    with pytest.raises(ValueError, match="needs two or more styles"):
        translation_table(None, "l1", styles=("google",), baseline="copy")
