"""tools/park_run.py: a run parked in the repository resumes as the uninterrupted run would."""

import importlib.util
import json
import pathlib

import numpy as np
import pytest

from kerasgan import training

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("park_run", ROOT / "tools" / "park_run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _config(tmp_path, steps):
    data = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    np.savez(tmp_path / "data.npz", x=data)
    return {
        "architecture": "dcgan", "dataset": str(tmp_path / "data.npz"), "steps": steps, "batch_size": 8, "seed": 0,
        "model_args": {"image_shape": [28, 28, 1], "latent_dim": 8, "g_width": 4, "d_width": 4},
    }


def test_park_then_unpark_resumes_the_same_run(tmp_path):
    tool = _tool()
    straight = training.train(_config(tmp_path, 6), str(tmp_path / "straight"), verbose=0, checkpoint_every=2)
    training.train(_config(tmp_path, 4), str(tmp_path / "first"), verbose=0, checkpoint_every=2, keep_checkpoints=5)
    (tmp_path / "first" / "curve.json").write_text(json.dumps({"steps": {"2": {"fid": 1.0}}}))
    assert tool.park(tmp_path / "first", tmp_path / "parked") == 4
    parked = sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())
    assert parked == ["ckpt-0000004.json", "ckpt-0000004.weights.h5"]  # one resumable state
    assert (tmp_path / "parked" / "curve.json").is_file()
    # A later sitting: a fresh run folder from the parked state, trained on to 6 steps.
    assert tool.unpark(tmp_path / "parked", tmp_path / "later") == 4
    resumed = training.train(_config(tmp_path, 6), str(tmp_path / "later"), verbose=0, checkpoint_every=2, resume=True)
    for a, b in zip(resumed["model"].generator.get_weights(), straight["model"].generator.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # Parking again replaces the parked checkpoint; unparking behind a newer one is refused.
    assert tool.park(tmp_path / "later", tmp_path / "parked") == 6
    assert sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())[0] == "ckpt-0000006.json"
    with pytest.raises(SystemExit, match="already has step 6 >= the parked step 6"):
        tool.unpark(tmp_path / "parked", tmp_path / "later")
    with pytest.raises(SystemExit, match="has no complete checkpoint"):
        tool.park(tmp_path / "nothing", tmp_path / "p2")
