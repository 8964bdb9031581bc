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
    # The unparked folder holds the run's state bit for bit (that resuming
    # from a checkpoint equals the uninterrupted run is test_resume's business).
    tool = _tool()
    training.train(_config(tmp_path, 4), str(tmp_path / "first"), verbose=0, checkpoint_every=2, keep_checkpoints=5)
    (tmp_path / "first" / "curve.json").write_text(json.dumps({"steps": {"2": {"fid": 1.0}}}))
    (tmp_path / "first" / "parzen_curve.json").write_text(json.dumps({"steps": {"2": {"validation_ll": 9.0}}}))
    assert tool.park(tmp_path / "first", tmp_path / "parked") == 4
    parked = sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())
    assert parked == ["ckpt-0000004.json", "ckpt-0000004.weights.h5"]  # one resumable state
    # A later sitting: a fresh run folder from the parked state.
    assert tool.unpark(tmp_path / "parked", tmp_path / "later") == 4
    assert json.loads((tmp_path / "later" / "curve.json").read_text()) == {"steps": {"2": {"fid": 1.0}}}
    assert json.loads((tmp_path / "later" / "parzen_curve.json").read_text()) == {"steps": {"2": {"validation_ll": 9.0}}}
    assert (tmp_path / "later" / "run_config.json").read_text() == (tmp_path / "first" / "run_config.json").read_text()
    original, unparked = training.load_checkpoint(tmp_path / "first", 4), training.load_checkpoint(tmp_path / "later")
    for a, b in zip(original.weights, unparked.weights):  # G, D, EMA, RNG state
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    for a, b in zip(original.g_optimizer.variables + original.d_optimizer.variables,
                    unparked.g_optimizer.variables + unparked.d_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    resumed = training.train(_config(tmp_path, 6), str(tmp_path / "later"), verbose=0, checkpoint_every=2, resume=True)
    assert resumed["initial_step"] == 4 and int(resumed["model"].g_optimizer.iterations) == 6
    tool = _tool()
    # Parking again replaces the parked checkpoint; unparking behind a newer one is refused.
    assert tool.park(tmp_path / "later", tmp_path / "parked") == 6
    assert sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())[0] == "ckpt-0000006.json"
    with pytest.raises(SystemExit, match="already has step 6 >= the parked step 6"):
        tool.unpark(tmp_path / "parked", tmp_path / "later")
    with pytest.raises(SystemExit, match="has no complete checkpoint"):
        tool.park(tmp_path / "nothing", tmp_path / "p2")
