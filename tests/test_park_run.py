"""tools/park_run.py: a run parked in the repository resumes as the uninterrupted run would."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest


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


_SCENARIO = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
import test_park_run as t
tmp = t.pathlib.Path({tmp!r})
tool = t._tool()
training.train(t._config(tmp, 4), str(tmp / "first"), verbose=0, checkpoint_every=2, keep_checkpoints=5)
(tmp / "first" / "curve.json").write_text(json.dumps({{"steps": {{"2": {{"fid": 1.0}}}}}}))
parked_step = tool.park(tmp / "first", tmp / "parked")
unparked_step = tool.unpark(tmp / "parked", tmp / "later")
resumed = training.train(t._config(tmp, 6), str(tmp / "later"), verbose=0, checkpoint_every=2, resume=True)
in_place = training.train(t._config(tmp, 6), str(tmp / "first"), verbose=0, checkpoint_every=2, resume=True)
diff = max(float(np.abs(a - b).max()) for a, b in zip(resumed["model"].generator.get_weights(), in_place["model"].generator.get_weights()))
print(json.dumps({{"parked": parked_step, "unparked": unparked_step, "initial": resumed["initial_step"], "diff": diff}}))
"""


def test_park_then_unpark_resumes_the_same_run(tmp_path):
    # The unparked copy resumes exactly as the run resumed where it was (that a
    # resumed run equals an uninterrupted one is test_resume's business). In a
    # fresh process, so no earlier test's global TensorFlow state takes part.
    code = _SCENARIO.format(tests=str(ROOT / "tests"), tmp=str(tmp_path))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert (got["parked"], got["unparked"], got["initial"]) == (4, 4, 4)
    assert got["diff"] <= 1e-6
    parked = sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())
    assert parked == ["ckpt-0000004.json", "ckpt-0000004.weights.h5"]  # one resumable state
    assert json.loads((tmp_path / "later" / "curve.json").read_text()) == {"steps": {"2": {"fid": 1.0}}}
    tool = _tool()
    # Parking again replaces the parked checkpoint; unparking behind a newer one is refused.
    assert tool.park(tmp_path / "later", tmp_path / "parked") == 6
    assert sorted(p.name for p in (tmp_path / "parked" / "checkpoints").iterdir())[0] == "ckpt-0000006.json"
    with pytest.raises(SystemExit, match="already has step 6 >= the parked step 6"):
        tool.unpark(tmp_path / "parked", tmp_path / "later")
    with pytest.raises(SystemExit, match="has no complete checkpoint"):
        tool.park(tmp_path / "nothing", tmp_path / "p2")
