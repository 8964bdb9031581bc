"""Checkpoints, exact resumption after SIGKILL, and divergence handling (kerasgan.training)."""

import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from kerasgan import training
from kerasgan.utils.files import sha256

CONFIG = {"architecture": "dcgan", "dataset": "mnist", "batch_size": 8, "seed": 3}


def _weights(path):
    """Every array in a .weights.h5 / .keras file, by name."""
    out = {}
    if path.endswith(".keras"):
        import zipfile

        with zipfile.ZipFile(path) as z, z.open("model.weights.h5") as f:
            data = f.read()
        tmp = path + ".weights.h5"
        with open(tmp, "wb") as f:
            f.write(data)
        path = tmp
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def _assert_same_weights(a, b, atol=1e-6):
    wa, wb = _weights(a), _weights(b)
    assert sorted(wa) == sorted(wb)
    for name in wa:
        np.testing.assert_allclose(wa[name], wb[name], atol=atol, rtol=0, err_msg=name)


def _assert_run_folder_sound(directory):
    """No temporary files; every manifest matches its weights; model.keras loads."""
    leftovers = [n for _, _, files in os.walk(directory) for n in files if n.startswith(".tmp-")]
    assert leftovers == []
    run = training.Run(directory)
    checkpoints = run.checkpoints()
    assert checkpoints
    for step, weights, manifest in checkpoints:
        assert sha256(weights) == manifest["sha256"], weights
        assert manifest["step"] == step
    import keras

    import kerasgan.models  # noqa: F401 - registers the classes saved in model.keras

    keras.models.load_model(os.path.join(directory, "model.keras"))


def test_resume_in_process_equals_uninterrupted(tmp_path):
    full = training.train({**CONFIG, "steps": 12}, tmp_path / "full", checkpoint_every=4, verbose=0)
    training.train({**CONFIG, "steps": 8}, tmp_path / "part", checkpoint_every=4, verbose=0)
    resumed = training.train({"steps": 12}, tmp_path / "part", resume=True, verbose=0)
    assert resumed["initial_step"] == 8
    _assert_same_weights(str(tmp_path / "full" / "model.keras"), str(tmp_path / "part" / "model.keras"))
    _assert_same_weights(
        str(tmp_path / "full" / "checkpoints" / "ckpt-0000012.weights.h5"),
        str(tmp_path / "part" / "checkpoints" / "ckpt-0000012.weights.h5"),
    )
    # The history of the resumed run continues the saved one: same epochs, same values.
    for key, values in full["history"].items():
        np.testing.assert_allclose(resumed["history"][key], values, rtol=1e-6)
    assert sorted(os.listdir(tmp_path / "part" / "samples")) == sorted(os.listdir(tmp_path / "full" / "samples"))
    _assert_run_folder_sound(str(tmp_path / "part"))


def test_steps_per_execution_trains_the_same_steps_with_the_same_cadence(tmp_path):
    # 4 steps per call of the train function: checkpoints, grids and the
    # stopping step stay at the same global steps, and the weights equal
    # those of a one-step-per-call run (op determinism on in both).
    full = training.train({**CONFIG, "steps": 16}, tmp_path / "spe1", checkpoint_every=8, sample_every=4, verbose=0)
    fast = training.train({**CONFIG, "steps": 16, "steps_per_execution": 4}, tmp_path / "spe4",
                          checkpoint_every=8, sample_every=4, verbose=0)
    assert fast["model"].steps_per_execution == 4
    assert int(fast["model"].g_optimizer.iterations.numpy()) == 16
    assert [s for s, _, _ in training.Run(tmp_path / "spe4").checkpoints()] == [8, 16]
    assert sorted(os.listdir(tmp_path / "spe4" / "samples")) == [f"step_{s:06d}.png" for s in (4, 8, 12, 16)]
    _assert_same_weights(str(tmp_path / "spe1" / "model.keras"), str(tmp_path / "spe4" / "model.keras"))
    for key, values in full["history"].items():
        np.testing.assert_allclose(fast["history"][key], values, rtol=1e-5)
    # A resumed run may change it (it changes no update), and it is saved with the run.
    training.train({**CONFIG, "steps": 8, "steps_per_execution": 4}, tmp_path / "part", checkpoint_every=8, verbose=0)
    resumed = training.train({"steps": 16, "steps_per_execution": 2}, tmp_path / "part", resume=True, verbose=0)
    assert resumed["initial_step"] == 8 and resumed["model"].steps_per_execution == 2
    assert training.Run(tmp_path / "part").read_config()["steps_per_execution"] == 2
    _assert_same_weights(str(tmp_path / "spe1" / "model.keras"), str(tmp_path / "part" / "model.keras"))


def test_lr_decay_added_on_resume_equals_a_run_that_had_it_from_the_start(tmp_path):
    decay = {"start": 8, "steps": 4}
    full = training.train({**CONFIG, "steps": 12, "lr_decay": decay}, tmp_path / "full", checkpoint_every=4, verbose=0)
    training.train({**CONFIG, "steps": 8}, tmp_path / "part", checkpoint_every=4, verbose=0)
    with pytest.raises(ValueError, match=r"before step 8, which is already trained"):
        training.train({"steps": 12, "lr_decay": {"start": 6, "steps": 4}}, tmp_path / "part", resume=True, verbose=0)
    resumed = training.train({"steps": 12, "lr_decay": decay}, tmp_path / "part", resume=True, verbose=0)
    _assert_same_weights(str(tmp_path / "full" / "model.keras"), str(tmp_path / "part" / "model.keras"))
    # The last step (11) ran at 2e-4 * (1 - 3/4); the checkpoint at 8 resumed with its full optimizer state.
    for result in (full, resumed):
        for opt in (result["model"].g_optimizer, result["model"].d_optimizer):
            assert float(opt.learning_rate) == pytest.approx(0.5e-4, rel=1e-6)
    assert training.Run(tmp_path / "part").read_config()["lr_decay"] == decay
    with pytest.raises(ValueError, match="lr_decay start must be a step >= 0"):
        training.train({**CONFIG, "steps": 4, "lr_decay": {"start": -1, "steps": 4}}, tmp_path / "bad", verbose=0)


def test_linear_learning_rate_decay_sets_every_optimizer_per_call():
    import keras

    from kerasgan.callbacks import LinearLearningRateDecay

    class Probe(keras.Model):
        def __init__(self):
            super().__init__()
            self.g_optimizer = keras.optimizers.Adam(1e-3)
            self.d_optimizer = keras.optimizers.SGD(0.5)
            self.steps_per_execution = 2

    model, seen = Probe(), []
    decay = LinearLearningRateDecay(start=4, steps=4, initial_step=2)
    decay.set_model(model)
    decay.on_train_begin()
    for batch in range(5):  # calls begin at steps 2, 4, 6, 8, 10
        decay.on_train_batch_begin(batch)
        seen.append((float(model.g_optimizer.learning_rate), float(model.d_optimizer.learning_rate)))
        decay.on_train_batch_end(batch)
    np.testing.assert_allclose(seen, [(1e-3 * f, 0.5 * f) for f in (1, 1, 0.5, 0, 0)], rtol=1e-6)
    assert decay.base == {"d_optimizer": 0.5, "g_optimizer": pytest.approx(1e-3)}
    with pytest.raises(ValueError, match="steps >= 1"):
        LinearLearningRateDecay(start=0, steps=0)
    from kerasgan.schedules import ConstantThenLinearDecay

    model.d_optimizer = keras.optimizers.Adam(ConstantThenLinearDecay(1e-3, 10, 10))
    scheduled = LinearLearningRateDecay(start=0, steps=4)
    scheduled.set_model(model)
    with pytest.raises(ValueError, match="d_optimizer already follow a learning-rate schedule"):
        scheduled.on_train_begin()


@pytest.mark.parametrize("key,value", [("checkpoint_every", 6), ("sample_every", 3)])
def test_steps_per_execution_must_divide_the_cadences(tmp_path, key, value):
    with pytest.raises(ValueError, match=f"{key}={value} is not a multiple of steps_per_execution=4"):
        training.train({**CONFIG, "steps": 16, "steps_per_execution": 4}, tmp_path, verbose=0, **{key: value})
    assert not (tmp_path / "run_config.json").exists()


def test_a_run_without_checkpoints_is_extended_from_its_finished_model(tmp_path):
    # Trained with no checkpoints at all, then resumed to more steps: the same
    # weights as one uninterrupted run (model.keras holds optimizer and RNG state).
    full = training.train({**CONFIG, "steps": 8}, tmp_path / "full", sample_every=4, verbose=0)
    training.train({**CONFIG, "steps": 4}, tmp_path / "part", sample_every=4, verbose=0)
    assert not (tmp_path / "part" / "checkpoints").exists()
    resumed = training.train({"steps": 8}, tmp_path / "part", resume=True, verbose=0)
    assert resumed["initial_step"] == 4
    _assert_same_weights(str(tmp_path / "full" / "model.keras"), str(tmp_path / "part" / "model.keras"))
    for key, values in full["history"].items():
        np.testing.assert_allclose(resumed["history"][key], values, rtol=1e-6)
    with pytest.raises(ValueError, match="already reached step 8 of 8"):
        training.train(None, tmp_path / "part", resume=True, verbose=0)


def test_resume_with_nothing_to_resume_warns_and_starts_at_zero(tmp_path):
    training.Run(tmp_path).write_config({**CONFIG, "steps": 2})
    with pytest.warns(UserWarning, match="no complete checkpoint and no finished model: training starts at step 0"):
        result = training.train(None, tmp_path, resume=True, verbose=0)
    assert result["initial_step"] == 0


def test_keeps_last_k_checkpoints_and_refuses_to_clobber(tmp_path):
    training.train({**CONFIG, "steps": 10}, tmp_path, checkpoint_every=2, keep_checkpoints=2, verbose=0)
    names = sorted(n for n in os.listdir(tmp_path / "checkpoints"))
    assert names == ["ckpt-0000008.json", "ckpt-0000008.weights.h5", "ckpt-0000010.json", "ckpt-0000010.weights.h5"]
    with pytest.raises(ValueError, match="already holds checkpoints.*resume"):
        training.train({**CONFIG, "steps": 10}, tmp_path, checkpoint_every=2, verbose=0)
    with pytest.raises(ValueError, match="already reached step 10.*larger --steps"):
        training.train(None, tmp_path, resume=True, verbose=0)
    with pytest.raises(ValueError, match="batch_size=16 differs from the run being resumed"):
        training.train({**CONFIG, "batch_size": 16, "steps": 20}, tmp_path, resume=True, verbose=0)


def test_a_resumed_run_keeps_its_number_of_checkpoints(tmp_path):
    training.train({**CONFIG, "steps": 4}, tmp_path, checkpoint_every=1, keep_checkpoints=10, verbose=0)
    training.train({"steps": 8}, tmp_path, resume=True, verbose=0)  # no keep_checkpoints: the run's 10
    steps = [step for step, _, _ in training.Run(tmp_path).checkpoints()]
    assert steps == [1, 2, 3, 4, 5, 6, 7, 8]
    training.train({"steps": 9}, tmp_path, resume=True, keep_checkpoints=2, verbose=0)  # told otherwise
    assert [step for step, _, _ in training.Run(tmp_path).checkpoints()] == [8, 9]


def test_resume_skips_corrupt_newest_checkpoint(tmp_path):
    training.train({**CONFIG, "steps": 6}, tmp_path, checkpoint_every=3, verbose=0)
    newest = tmp_path / "checkpoints" / "ckpt-0000006.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])  # truncated, as by a dying disk
    # ...and the job died before writing its final model (a finished run would resume from that).
    for name in ("model.keras", "config.json", "history.json"):
        (tmp_path / name).unlink()
    run = training.Run(tmp_path)
    assert run.latest_checkpoint()[0] == 3
    result = training.train({"steps": 6}, tmp_path, resume=True, verbose=0)
    assert result["initial_step"] == 3


def test_resume_without_a_run_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no run to resume"):
        training.train(None, tmp_path, resume=True)


def test_divergence_stops_and_keeps_last_good_checkpoint(tmp_path):
    config = {
        **CONFIG,
        "steps": 30,
        "loss": "wasserstein",
        "compile_args": {"d_optimizer": {"class_name": "SGD", "config": {"learning_rate": 10.0}}},
    }
    with pytest.raises(training.TrainingDiverged) as info:
        training.train(config, tmp_path, checkpoint_every=1, verbose=0)
    message = str(info.value)
    assert "\n" not in message
    step = int(message.split("diverged at step ")[1].split(":")[0])
    assert 2 <= step < 30
    assert "is nan" in message or "is inf" in message
    run = training.Run(tmp_path)
    latest = run.latest_checkpoint()
    assert latest is not None and latest[0] == step - 1
    assert f"checkpoint (step {step - 1})" in message
    # The last good checkpoint holds finite weights, and no model.keras was written.
    assert all(np.all(np.isfinite(v)) for v in _weights(latest[1]).values() if v.dtype.kind == "f")
    assert not os.path.exists(tmp_path / "model.keras")


def test_stop_on_divergence_watches_every_loss():
    callback = training.StopOnDivergence(initial_step=5)

    class Model:
        stop_training = False

    callback.set_model(Model())
    callback.on_train_batch_end(0, {"d_loss": 0.5, "g_loss": 1.0, "d_real": float("nan")})
    assert callback.diverged is None  # d_real is not a loss
    callback.on_train_batch_end(1, {"d_loss": 0.5, "g_loss": float("inf")})
    assert callback.diverged == (7, "g_loss", float("inf")) and callback.model.stop_training


# ------------------------------------------------------------- SIGKILL test
STEPS, EVERY = 120, 20
TRAIN = [sys.executable, "-m", "kerasgan.cli", "train", "dcgan", "--dataset", "mnist", "--steps", str(STEPS),
         "--batch-size", "8", "--seed", "1", "--checkpoint-every", str(EVERY), "--keep-checkpoints", "2",
         "--verbose", "0"]


def _start(output, resume=False, env=None):
    argv = [*TRAIN, "--output", str(output)]
    if resume:
        argv = [sys.executable, "-m", "kerasgan.cli", "train", "--resume", "--output", str(output), "--verbose", "0"]
    return subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(predicate, proc, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            raise AssertionError(f"training ended before the kill point: {proc.communicate()[1].decode()[-2000:]}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("kill point not reached in time")


def _kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_at_several_points_then_resume_equals_uninterrupted(tmp_path):
    reference = tmp_path / "reference"
    proc = _start(reference)
    assert proc.wait(timeout=400) == 0, proc.communicate()[1].decode()[-2000:]

    run_dir = tmp_path / "killed"
    ckpts = run_dir / "checkpoints"

    def has(step):
        return lambda: (ckpts / f"ckpt-{step:07d}.json").exists()

    # 1. Between checkpoints: right after the step-40 checkpoint, mid-way to 60.
    proc = _start(run_dir)
    _wait_for(has(40), proc)
    time.sleep(0.3)
    _kill(proc)
    assert training.Run(run_dir).latest_checkpoint()[0] in (40, 60)

    # 2. During a checkpoint write: the weights are written to a temporary file
    #    and the job pauses before the rename; it is killed there.
    proc = _start(run_dir, resume=True, env={"KERASGAN_DEBUG_CHECKPOINT_PAUSE": "30"})
    _wait_for(lambda: any(n.startswith(".tmp-") for n in os.listdir(ckpts)), proc)
    before = training.Run(run_dir).latest_checkpoint()[0]
    _kill(proc)
    assert any(n.startswith(".tmp-") for n in os.listdir(ckpts))  # the half-done write...
    assert training.Run(run_dir).latest_checkpoint()[0] == before  # ...is not a checkpoint

    # 3. Right at startup of a resumed job (before any step).
    proc = _start(run_dir, resume=True)
    time.sleep(1.0)
    _kill(proc)

    # 4. Resume to the end.
    proc = _start(run_dir, resume=True)
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"resumed at step" in out

    _assert_same_weights(str(reference / "model.keras"), str(run_dir / "model.keras"))
    _assert_same_weights(
        str(reference / "checkpoints" / f"ckpt-{STEPS:07d}.weights.h5"),
        str(ckpts / f"ckpt-{STEPS:07d}.weights.h5"),
    )
    _assert_run_folder_sound(str(run_dir))
    with open(run_dir / "history.json") as f, open(reference / "history.json") as g:
        resumed_history, reference_history = json.load(f), json.load(g)
    for key in reference_history:
        np.testing.assert_allclose(resumed_history[key], reference_history[key], rtol=1e-6)


def test_log_coverage_records_mode_collapse_diagnostics(tmp_path):
    result = training.train({**CONFIG, "steps": 4, "log_coverage": 200}, tmp_path, sample_every=2, verbose=0)
    covered = result["history"]["coverage_classes_covered"]
    kl = result["history"]["coverage_kl_to_uniform"]
    assert len(covered) == len(kl) == 2  # one value per epoch (2 steps each)
    assert all(1 <= c <= 10 and c == int(c) for c in covered)
    assert all(k >= 0 for k in kl)


def test_jit_compile_on_really_compiles_with_xla(tmp_path):
    # Keras drops XLA when op determinism is on; train() must not turn it on
    # for an explicit jit_compile=True (a fresh process: determinism is global).
    code = (
        "import json, sys\n"
        "from tensorflow.python.framework.config import is_op_determinism_enabled\n"
        "from kerasgan import training\n"
        "config = {'architecture': 'dcgan', 'dataset': 'mnist', 'batch_size': 8, 'seed': 3, 'steps': 2,\n"
        "          'model_args': {'image_shape': (28, 28, 1), 'latent_dim': 8, 'g_width': 8, 'd_width': 8}, 'jit_compile': sys.argv[2] == 'on'}\n"
        "gan = training.train(config, sys.argv[1], verbose=0)['model']\n"
        "print(json.dumps([gan.jit_compile, is_op_determinism_enabled()]))\n"
    )
    for flag, expected in (("on", [True, False]), ("off", [False, True])):
        result = subprocess.run([sys.executable, "-c", code, str(tmp_path / flag), flag], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout.strip().splitlines()[-1]) == expected
