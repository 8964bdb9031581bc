"""Scoring a run's checkpoints (tools/fid_curve.py) and loading any checkpoint (training.load_checkpoint)."""

import importlib.util
import json
import pathlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from kerasgan import training
from kerasgan.metrics.evaluate import evaluate

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = {"architecture": "dcgan", "dataset": "mnist", "batch_size": 8, "seed": 3,
          "model_args": {"image_shape": (28, 28, 1), "latent_dim": 8, "g_width": 8, "d_width": 8, "ema_decay": 0.9}}


def _tool():
    spec = importlib.util.spec_from_file_location("fid_curve", ROOT / "tools" / "fid_curve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = training.train({**CONFIG, "steps": 4}, out, checkpoint_every=2, keep_checkpoints=10, verbose=0)
    return out, result["model"]


def test_load_checkpoint_gives_the_model_of_that_step(run):
    out, final = run
    last = training.load_checkpoint(out)
    assert int(last.g_optimizer.iterations.numpy()) == 4
    np.testing.assert_array_equal(last.sample(5, seed=1), final.sample(5, seed=1))
    first = training.load_checkpoint(out, 2)
    assert int(first.g_optimizer.iterations.numpy()) == 2
    assert not np.array_equal(first.sample(5, seed=1), final.sample(5, seed=1))
    with pytest.raises(FileNotFoundError, match=r"no complete checkpoint at step 3: steps available: \[2, 4\]"):
        training.load_checkpoint(out, 3)


def test_curve_scores_every_checkpoint_once_and_selects_the_lowest(run, tmp_path, monkeypatch):
    out, _ = run
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    tool = _tool()
    curve = tool.score_run(out, num=200)
    assert sorted(curve) == [2, 4]
    for scores in curve.values():
        assert scores["fid"] > 0 and 0 <= scores["confident"] <= 1 and 0 <= scores["classes_covered"] <= 10
    cached = json.loads((out / "curve.json").read_text())
    assert cached["protocol"] == {"num": 200, "reference": "mnist:train", "seed": 0, "features": "mnist"}
    calls = []
    monkeypatch.setattr(training, "load_checkpoint", lambda *a, **k: calls.append(a))
    assert tool.score_run(out, num=200) == curve and calls == []  # cached: nothing re-scored
    best, _ = tool.select(curve)
    assert curve[best]["fid"] == min(c["fid"] for c in curve.values())


def test_select_and_flatness_by_hand():
    tool = _tool()
    falling = {s: {"fid": 100.0 / s} for s in range(1, 10)}
    assert tool.select(falling) == (9, False)
    flat = {1: {"fid": 50.0}, 2: {"fid": 20.0}, 3: {"fid": 10.0}, 4: {"fid": 9.8}, 5: {"fid": 10.1}, 6: {"fid": 9.9}}
    assert tool.select(flat) == (4, True)
    # Thirds are of the steps, not of the points: a dense cluster of late points (90k-100k, level among
    # themselves) does not hide that the last third of the run (70k-100k) still gained 19%.
    uneven = {s: {"fid": 100.0 * 0.9 ** (s / 10_000)} for s in range(10_000, 90_001, 10_000)}
    uneven.update({s: {"fid": uneven[90_000]["fid"] * (1 - (s - 90_000) / 1e7)} for s in range(91_000, 100_001, 1_000)})
    assert tool.select(uneven) == (100_000, False)
    assert tool.select({8: {"fid": 423.0}, 16: {"fid": 418.0}}) == (16, None)  # two points cannot show a flat curve
    root = ET.fromstring(tool.svg(flat, "t", selected=4))
    polyline = root.find("{http://www.w3.org/2000/svg}polyline")
    assert len(polyline.get("points").split()) == 6
    assert root.find("{http://www.w3.org/2000/svg}circle") is not None


def _release_tool():
    spec = importlib.util.spec_from_file_location("release_zoo_entry", ROOT / "tools" / "release_zoo_entry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_release_of_a_selected_step_ships_its_ema_generator_and_curve(run, tmp_path, monkeypatch):
    from kerasgan import models, zoo
    from kerasgan.zoo import registry

    out, _ = run
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    _tool().score_run(out, num=200)
    args = {k: v for k, v in CONFIG["model_args"].items() if k != "ema_decay"}
    entry = registry.ZooEntry(name="tiny_release_test", architecture="dcgan", model_args=args,
                              description="test", dataset="mnist", recipe={})
    zoo.list()  # load the real entries first
    monkeypatch.setitem(registry._ENTRIES, entry.name, entry)
    tool = _release_tool()
    tool.main(entry.name, out, step=2, evaluate_scores=False, root=tmp_path)
    released = tmp_path / "zoo" / entry.name
    config = json.loads((released / "config.json").read_text())
    assert config["training"]["steps"] == 2 and config["training"]["generator"] == "ema_generator"
    assert config["selection"]["selected_step"] == 2 and config["selection"]["protocol"]["num"] == 200
    assert json.loads((released / "curve.json").read_text()) == json.loads((out / "curve.json").read_text())
    ET.fromstring((released / "curve.svg").read_text())  # well-formed SVG
    # The shipped generator is checkpoint 2's EMA generator: same samples.
    step2 = training.load_checkpoint(out, 2)
    g = models.DCGAN(**args).generator
    g.load_weights(released / "generator.weights.h5")
    z = step2.latents(6, seed=4)
    np.testing.assert_allclose(np.asarray(g(z, training=False)), np.asarray(step2.generate(z)), atol=1e-6)
    # A run with other networks than the entry's is refused, and nothing is written.
    monkeypatch.setitem(registry._ENTRIES, entry.name, registry.ZooEntry(
        name=entry.name, architecture="dcgan", model_args={**args, "g_width": 16}, description="", dataset="", recipe={}))
    with pytest.raises(ValueError, match=r"model_args differ from zoo entry 'tiny_release_test' in g_width"):
        tool.main(entry.name, out, step=4, evaluate_scores=False, root=tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_curve_every_scores_only_multiples_and_the_newest(run, tmp_path, monkeypatch):
    out, _ = run
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    tool = _tool()
    scored, real = [], training.load_checkpoint
    monkeypatch.setattr(training, "load_checkpoint", lambda o, s=None: scored.append(s) or real(o, s))
    curve = tool.score_run(out, num=100, every=3)  # a new protocol: nothing cached
    assert scored == [4] and sorted(curve) == [4]  # 2 is no multiple of 3; 4 is the newest


def test_conditional_runs_are_also_scored_on_the_class_asked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    out = tmp_path / "cgan"
    config = {"architecture": "cgan", "dataset": "mnist", "batch_size": 8, "seed": 1,
              "model_args": {"image_shape": (28, 28, 1), "latent_dim": 4, "g_width": 4, "d_width": 4}}
    training.train({**config, "steps": 2}, out, checkpoint_every=2, verbose=0)
    tool = _tool()
    curve = tool.score_run(out, num=100, reference="mnist:test")  # the smaller split: the test's per-class statistics are quicker
    scores = curve[2]
    gan = training.load_checkpoint(out, 2)
    expected = evaluate(gan, ["conditional_accuracy", "intra_fid"], num=100, reference="mnist:test", features="mnist", seed=0)
    assert scores["conditional_accuracy"] == expected["conditional_accuracy"]
    assert scores["intra_fid"] == pytest.approx(expected["intra_fid"]["mean"], rel=1e-9) and scores["intra_fid"] > 0
    lines = tool.table(curve, best=2).splitlines()
    assert lines[0].endswith("| conditional accuracy | intra-class FID |")
    assert lines[2] == (f"| 2 | {scores['fid']:.2f} **selected** | {scores['confident']:.3f} | {scores['min_class_share']:.3f} | "
                        f"{scores['classes_covered']} | {scores['conditional_accuracy']:.3f} | {scores['intra_fid']:.2f} |")
    plain = tool.table({4: {"fid": 1.0, "confident": 0.5, "min_class_share": 0.1, "classes_covered": 10}})
    assert plain.splitlines()[0].endswith("| classes |") and plain.splitlines()[2] == "| 4 | 1.00 | 0.500 | 0.100 | 10 |"


def test_emoji_runs_get_an_emoji_feature_curve(tmp_path, monkeypatch):
    # 64x64 colour runs are scored with the shipped emoji classifier's features: FID alone, no MNIST shares.
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    config = {"architecture": "dcgan", "dataset": "noto_emoji_64", "batch_size": 4, "seed": 0, "steps": 2,
              "model_args": {"image_shape": (64, 64, 3), "latent_dim": 8, "g_width": 4, "d_width": 4}}
    out = tmp_path / "run"
    training.train(config, out, checkpoint_every=1, keep_checkpoints=5, verbose=0)
    tool = _tool()
    curve = tool.score_run(out, num=100, reference="noto_emoji_64", features="emoji")
    assert sorted(curve) == [1, 2] and all(set(row) == {"fid"} for row in curve.values())
    direct = evaluate(training.load_checkpoint(out, 2), ["fid"], num=100, reference="noto_emoji_64", features="emoji", seed=0)
    assert curve[2]["fid"] == pytest.approx(direct["fid"], rel=1e-5)
    assert json.loads((out / "curve.json").read_text())["protocol"]["features"] == "emoji"
    lines = tool.table(curve, best=2).splitlines()
    assert lines[0] == "| step | FID (validation) |" and lines[-1].startswith("| 2 | ") and "**selected**" in lines[-1]
    assert tool.main([str(out), "--num", "100", "--reference", "noto_emoji_64", "--features", "emoji"]) == 0
    assert "Emoji-feature FID vs noto_emoji_64" in (out / "curve.svg").read_text()


def test_released_curve_command_rebuilds_the_curve_it_came_from():
    tool = _release_tool()
    default = {"num": 5000, "reference": "mnist:train", "seed": 0, "features": "mnist"}
    # Every checkpoint scored: no --every; defaults are left out.
    assert tool.curve_command("x", default, [1000, 2000, 3000], 1000) == "python tools/fid_curve.py runs/x"
    # Every 2,000 of 1,000-step checkpoints, and the newest (7,000) which is always scored.
    emoji = {**default, "num": 2000, "reference": "noto_emoji_64", "features": "inception"}
    assert tool.curve_command("e", emoji, [2000, 4000, 6000, 7000], 1000) == (
        "python tools/fid_curve.py runs/e --num 2000 --reference 'noto_emoji_64' --features inception --every 2000")
    assert tool.curve_command("one", default, [16], 8) == "python tools/fid_curve.py runs/one"
