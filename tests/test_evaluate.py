"""Scores with protocol: real-vs-real floor, collapsed samples, caching of reference statistics."""

import json

import numpy as np
import pytest

from kerasgan import cli, data
from kerasgan.metrics.evaluate import evaluate


def test_real_digits_score_near_the_floor_and_collapse_is_caught(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    real = data.load_arrays("mnist", split="train", limit=2000)
    good = evaluate(real, ["fid", "coverage", "classifier_score"], num=2000)
    assert good["fid"] < 3.0
    assert good["coverage"]["classes_covered"] == 10
    assert good["classifier_score"]["mean"] > 9.0
    protocol = good["protocol"]
    assert protocol["reference"] == "mnist:test" and protocol["reference_size"] == 10000
    assert protocol["num_generated"] == 2000 and protocol["features"] == "kerasgan_mnist_classifier_128"
    assert len(list((tmp_path / "stats").glob("*.npz"))) == 1  # reference statistics cached

    _, labels = data.load_arrays("mnist", split="train", limit=2000, labels=True)
    ones = real[labels == 1]
    collapsed = evaluate(ones, ["fid", "coverage"], num=2000)
    assert collapsed["coverage"]["classes_covered"] == 1
    assert collapsed["coverage"]["kl_to_uniform"] > 2.0
    assert collapsed["fid"] > 10 * good["fid"]


def test_all_metrics_on_real_images(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    real, labels = data.load_arrays("mnist", split="train", limit=1200, labels=True)
    result = evaluate(real, ["kid", "pr", "dc", "is", "parzen"], num=1200, reference="mnist:test")
    ones = evaluate(real[labels == 1], ["kid", "pr", "dc"], num=1200, reference="mnist:test")
    assert result["kid"]["mean"] < 0.1 * ones["kid"]["mean"]
    assert ones["pr"]["recall"] < 0.3
    assert result["pr"]["precision"] > 0.6 and result["pr"]["recall"] > 0.6
    # 1,200 samples against 10,000 reference images cover part of the balls only
    assert 0.5 < result["dc"]["density"] < 1.5 and result["dc"]["coverage"] > 3 * ones["dc"]["coverage"]
    assert result["is"]["mean"] > 8.0
    assert result["parzen"]["num_test"] == 10000 and np.isfinite(result["parzen"]["mean"])
    with pytest.raises(ValueError, match="held-out reference split"):
        evaluate(real, ["parzen"], num=100, reference="mnist:train")


def test_fid_and_kid_together_run_the_feature_network_over_the_reference_once(tmp_path, monkeypatch):
    import importlib

    evaluate_module = importlib.import_module("kerasgan.metrics.evaluate")  # the module, not the function
    sizes = []
    original = evaluate_module.FeatureNet.__call__

    def counting(self, images, **kwargs):
        sizes.append(len(images))
        return original(self, images, **kwargs)

    monkeypatch.setattr(evaluate_module.FeatureNet, "__call__", counting)
    real = data.load_arrays("mnist", split="train", limit=300)
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "a"))
    both = evaluate(real, ["fid", "kid"], num=300)
    assert sizes == [300, 10000]  # the samples, then the reference set once
    assert len(list((tmp_path / "a" / "stats").glob("*.npz"))) == 1  # and its statistics were cached
    # FID from the reused features equals FID from separately computed statistics.
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "b"))
    alone = evaluate(real, ["fid"], num=300)
    assert both["fid"] == pytest.approx(alone["fid"], rel=1e-9)
    assert both["protocol"]["reference_size"] == alone["protocol"]["reference_size"] == 10000


def test_eval_errors():
    x = np.zeros((4, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match="unknown metrics"):
        evaluate(x, ["fdi"])
    with pytest.raises(ValueError, match="need features='mnist'"):
        evaluate(x, ["coverage"], features="inception")
    with pytest.raises(ValueError, match="unknown feature network"):
        evaluate(x, ["fid"], features="vgg")


def test_eval_cli_writes_json(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    model = tmp_path / "m.keras"
    from kerasgan import models

    models.DCGAN(latent_dim=8, g_width=4, d_width=4, seed=0).save(model)
    out = tmp_path / "scores.json"
    assert cli.main(["eval", str(model), "--num", "200", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| fid (mnist features) |" in printed and "classes covered" in printed
    result = json.loads(out.read_text())
    assert result["fid"] > 50  # an untrained generator is far from MNIST
    assert result["protocol"]["num_generated"] == 200


def test_a_gan_is_scored_chunk_by_chunk_with_the_same_result(tmp_path, monkeypatch):
    # evaluate(gan) streams iter_samples through the feature network (1,000 at
    # a time) and keeps running statistics; scores equal those of the array.
    import importlib

    import keras

    from kerasgan import models

    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    evaluate_module = importlib.import_module("kerasgan.metrics.evaluate")
    sizes = []
    original = evaluate_module.FeatureNet.__call__

    def counting(self, images, **kwargs):
        sizes.append(len(images))
        return original(self, images, **kwargs)

    keras.utils.set_random_seed(0)
    gan = models.DCGAN(image_shape=(28, 28, 1), latent_dim=8, g_width=8, d_width=8, seed=0)
    streamed = evaluate(gan, ["fid", "coverage", "classifier_score"], num=2500, seed=3)
    monkeypatch.setattr(evaluate_module.FeatureNet, "__call__", counting)
    streamed_again = evaluate(gan, ["fid", "coverage"], num=2500, seed=3)
    assert sizes == [1000, 1000, 500]  # never all samples at once
    whole = evaluate(gan.sample(2500, seed=3, batch_size=1000), ["fid", "coverage", "classifier_score"], num=2500)
    assert streamed["fid"] == pytest.approx(whole["fid"], rel=1e-9)
    assert streamed_again["fid"] == pytest.approx(whole["fid"], rel=1e-9)
    assert streamed["coverage"] == whole["coverage"]
    assert streamed["classifier_score"] == pytest.approx(whole["classifier_score"], rel=1e-9)
    assert streamed["protocol"]["samples"] == "generator" and streamed["protocol"]["num_generated"] == 2500


def test_confident_share_by_hand_and_on_real_digits(tmp_path, monkeypatch):
    from kerasgan.metrics.mnist_features import confident_share

    probs = np.array([[0.95, 0.05, 0.0], [0.5, 0.5, 0.0], [0.0, 0.05, 0.95], [0.0, 0.91, 0.09]])
    result = confident_share(probs)
    assert result["share"] == 0.75 and result["num_samples"] == 4
    assert result["class_shares"] == [0.5, 0.25, 0.25]  # argmax of row 2 (a tie) is class 0
    assert confident_share(probs, threshold=0.94)["share"] == 0.5
    with pytest.raises(ValueError, match="threshold"):
        confident_share(probs, threshold=1.0)
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    real, labels = data.load_arrays("mnist", split="test", limit=1000, labels=True)
    scores = evaluate(real, ["confident"], num=1000)["confident"]
    assert scores["share"] > 0.95 and min(scores["class_shares"]) > 0.07
    # Ambiguous digits (two digits of different classes overlaid) are not read with confidence.
    # (Uniform noise is: the classifier is overconfident off the data, so this share is no OOD test.)
    other = np.random.default_rng(0).permutation(1000)
    blends = (0.5 * (real + real[other]))[labels != labels[other]][:500]
    assert evaluate(blends, ["confident"], num=500)["confident"]["share"] < 0.6
    with pytest.raises(ValueError, match="features='mnist'"):
        evaluate(real, ["confident"], num=10, features="inception")
