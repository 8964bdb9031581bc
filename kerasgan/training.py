"""Training runs from a plain config dict: what ``kerasgan train`` and zoo recipes call.

A run lives in one output folder::

    DIR/run_config.json          the config (written first; ``--resume`` reads it)
    DIR/checkpoints/ckpt-0000500.weights.h5  everything a run needs (G, D, both
                                 optimizers, EMA/ADA state, RNG state, step)
    DIR/checkpoints/ckpt-0000500.json        its manifest (step, history, sha256)
    DIR/samples/step_000500.png  sample grids from fixed latents
    DIR/model.keras, history.json, config.json   written when the run ends

Checkpoint files are written under a temporary name and renamed; a
checkpoint counts only once its manifest exists and the weights match the
manifest's sha256, so a job killed at any moment resumes from the last
complete checkpoint. The data order is re-derived from the seed and the
step (the shuffled, repeated dataset skips the batches already used), so a
resumed run trains on exactly the batches the uninterrupted run would have.
"""

import copy
import glob
import json
import math
import os
import re
import time
import warnings

import keras
import numpy as np

from kerasgan.utils.files import sha256

_CKPT_RE = re.compile(r"^ckpt-(\d{7})\.json$")
#: Config keys that must agree between a run and its resumption.
_RUN_KEYS = (
    "architecture", "dataset", "batch_size", "seed", "image_size", "loss", "model_args", "compile_args", "precision",
    "num_labelled", "label_seed", "split",
)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or Inf; the message names the step and the last good checkpoint."""


def _steps_per_call(model):
    """Training steps behind one ``on_train_batch_end`` call: the model's ``steps_per_execution``.

    Keras runs ``steps_per_execution`` steps per call of the train function
    and calls batch callbacks once per call, so step counters advance by it.
    """
    return int(getattr(model, "steps_per_execution", 1) or 1)


class StopAtStep(keras.callbacks.Callback):
    """Stops ``fit`` after exactly ``steps`` training steps."""

    def __init__(self, steps):
        super().__init__()
        self.steps = int(steps)
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += _steps_per_call(self.model)
        if self.seen >= self.steps:
            self.model.stop_training = True


class StopOnDivergence(keras.callbacks.Callback):
    """Stops training at the first step whose reported losses are not finite.

    Unlike ``keras.callbacks.TerminateOnNaN`` (which watches ``loss`` only)
    it checks every loss the GAN reports (``d_loss``, ``g_loss``, ...) and
    remembers the step and the offending value in ``self.diverged``.

    Args:
        initial_step: steps done before this ``fit`` (for resumed runs).
    """

    def __init__(self, initial_step=0, keys=None):
        super().__init__()
        self.step = int(initial_step)
        self.keys = keys
        self.diverged = None

    def on_train_batch_end(self, batch, logs=None):
        self.step += _steps_per_call(self.model)
        for key, value in (logs or {}).items():
            if self.keys is None and "loss" not in key:
                continue
            if self.keys is not None and key not in self.keys:
                continue
            value = float(value)
            if not math.isfinite(value):
                self.diverged = (self.step, key, value)
                self.model.stop_training = True
                return


class _RunCallback(keras.callbacks.Callback):
    """Sample grids and checkpoints at global step multiples (one run = one output folder)."""

    def __init__(self, run, config, initial_step, steps, sample_every, checkpoint_every, divergence):
        super().__init__()
        self.run = run
        self.config = config
        self.step = int(initial_step)
        self.steps = int(steps)
        self.sample_every = sample_every
        self.checkpoint_every = checkpoint_every
        self.divergence = divergence
        self.history = {}
        self.grid_paths = []
        self._preview = None

    def on_train_begin(self, logs=None):
        self._preview = self.model.preview_function(self.config, self.run.seed)

    def on_train_batch_end(self, batch, logs=None):
        self.step += _steps_per_call(self.model)
        if self.divergence.diverged:
            return
        if self.step % self.sample_every == 0 or self.step == self.steps:
            from kerasgan.utils.images import save_grid

            path = os.path.join(self.run.output, "samples", f"step_{self.step:06d}.png")
            images, per_row = self._preview()
            save_grid(images, path, nrow=per_row)
            self.grid_paths.append(path)

    def on_epoch_end(self, epoch, logs=None):
        if self.divergence.diverged:
            return
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self.checkpoint_every and (self.step % self.checkpoint_every == 0 or self.step == self.steps):
            # Losses are computed before a step's update, so finite losses
            # can hide an update that made weights Inf: check before saving.
            bad = _first_non_finite(_all_float_variables(self.model))
            if bad is not None:
                self.divergence.diverged = (self.step, f"weight {bad}", float("nan"))
                self.model.stop_training = True
                return
            self.run.save_checkpoint(self.model, self.step, self.history)


def _all_float_variables(gan):
    variables = list(gan.weights)
    for optimizer in (getattr(gan, "g_optimizer", None), getattr(gan, "d_optimizer", None)):
        if optimizer is not None:
            variables.extend(optimizer.variables)
    return [v for v in variables if "float" in str(v.dtype)]


def _first_non_finite(variables):
    import tensorflow as tf

    for v in variables:
        if not bool(tf.reduce_all(tf.math.is_finite(v))):
            return v.path
    return None


class Run:
    """An output folder: its config, checkpoints and resumption."""

    def __init__(self, output, keep_checkpoints=3):
        self.output = os.path.abspath(os.fspath(output))
        self.checkpoint_dir = os.path.join(self.output, "checkpoints")
        self.keep = int(keep_checkpoints)
        if self.keep < 1:
            raise ValueError(f"keep_checkpoints must be at least 1, got {keep_checkpoints}")
        self.seed = 0

    # ---------------------------------------------------------------- files
    def config_path(self):
        return os.path.join(self.output, "run_config.json")

    def read_config(self):
        try:
            with open(self.config_path()) as f:
                return json.load(f)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{self.output} holds no run to resume (no run_config.json): start a run there "
                f"without --resume"
            ) from None

    def write_config(self, config):
        _write_json_atomic(self.config_path(), config)

    def checkpoints(self):
        """Complete checkpoints as ``[(step, weights_path, manifest)]``, oldest first."""
        found = []
        for path in glob.glob(os.path.join(self.checkpoint_dir, "ckpt-*.json")):
            match = _CKPT_RE.match(os.path.basename(path))
            if not match:
                continue
            try:
                with open(path) as f:
                    manifest = json.load(f)
            except (OSError, ValueError):
                continue
            weights = os.path.join(self.checkpoint_dir, manifest.get("weights", ""))
            found.append((int(match.group(1)), weights, manifest))
        return sorted(found, key=lambda item: item[0])

    def is_complete(self, weights, manifest):
        """Whether a checkpoint's weights exist and match its manifest's sha256."""
        return os.path.isfile(weights) and sha256(weights) == manifest.get("sha256")

    def latest_checkpoint(self):
        """The newest checkpoint whose weights match their manifest's sha256, or None."""
        for step, weights, manifest in reversed(self.checkpoints()):
            if self.is_complete(weights, manifest):
                return step, weights, manifest
        return None

    def save_checkpoint(self, gan, step, history):
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        name = f"ckpt-{step:07d}"
        weights = os.path.join(self.checkpoint_dir, name + ".weights.h5")
        tmp = os.path.join(self.checkpoint_dir, f".tmp-{os.getpid()}-{name}.weights.h5")
        try:
            gan.save_weights(tmp)
            _fsync(tmp)
            pause = os.environ.get("KERASGAN_DEBUG_CHECKPOINT_PAUSE")
            if pause:  # lets the fault test kill a job in the middle of a write
                time.sleep(float(pause))
            os.replace(tmp, weights)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        manifest = {
            "step": int(step),
            "weights": os.path.basename(weights),
            "sha256": sha256(weights),
            "history": history,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        _write_json_atomic(os.path.join(self.checkpoint_dir, name + ".json"), manifest)
        self._prune()
        return weights

    def _prune(self):
        complete = self.checkpoints()
        for step, weights, _ in complete[: max(0, len(complete) - self.keep)]:
            # Manifest first: a crash between the two leaves an orphan weights
            # file, never a manifest that points at nothing.
            os.remove(os.path.join(self.checkpoint_dir, f"ckpt-{step:07d}.json"))
            if os.path.exists(weights):
                os.remove(weights)

    def finished_model(self):
        """``(step, model.keras path, history)`` of a run that ended here, or None."""
        model = os.path.join(self.output, "model.keras")
        try:
            with open(os.path.join(self.output, "config.json")) as f:
                step = int(json.load(f)["steps"])
            with open(os.path.join(self.output, "history.json")) as f:
                history = json.load(f)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (step, model, history) if os.path.isfile(model) else None

    def clean_temporaries(self):
        for path in glob.glob(os.path.join(self.checkpoint_dir, ".tmp-*")) + glob.glob(
            os.path.join(self.output, ".tmp-*")
        ):
            os.remove(path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomic(path, obj):
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    try:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2, default=_json_default)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _json_default(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return str(value)


def _normalise(value):
    # Tuples and lists compare equal after a JSON round trip.
    return json.loads(json.dumps(value, default=_json_default))


def load_checkpoint(output, step=None):
    """The GAN of run folder ``output`` at checkpoint ``step`` (default: the newest complete one).

    The model is built from the run's saved config and the checkpoint's
    sha256 is checked first; use it to score or release any step of a run.

    Raises:
        FileNotFoundError: no run config, or no complete checkpoint at ``step``.
    """
    run = Run(output)
    config = run.read_config()
    complete = {s: w for s, w, m in run.checkpoints() if run.is_complete(w, m)}
    if step is None:
        if not complete:
            raise FileNotFoundError(f"{run.output} holds no complete checkpoint")
        step = max(complete)
    if step not in complete:
        raise FileNotFoundError(
            f"{run.output} holds no complete checkpoint at step {step}: steps available: {sorted(complete) or 'none'}"
        )
    from kerasgan import data

    shape = config.get("model_args", {}).get("image_shape")
    if shape is None:
        dataset = data.load(config["dataset"], batch_size=2, seed=0)
        shape = tuple(int(d) for d in dataset.element_spec.shape[1:])
    gan = build_model(config, tuple(shape))
    gan.load_weights(complete[step])
    return gan


def _image_shape(spec):
    """(H, W, C) of the images in a dataset whose elements are images, (images, labels) or a dict with "images"."""
    if isinstance(spec, dict):
        spec = spec["images"]
    elif isinstance(spec, (tuple, list)):
        spec = spec[0]
    return tuple(int(d) for d in spec.shape[1:])


def recipe_config(name):
    """The training config of zoo entry ``name`` (a copy you may change)."""
    from kerasgan import zoo

    return copy.deepcopy(zoo.info(name)["recipe"])


def build_model(config, image_shape):
    """Builds and compiles the architecture named in ``config``."""
    from kerasgan import models

    cls = models.get_architecture(config["architecture"])
    kwargs = dict(config.get("model_args") or {})
    kwargs.setdefault("image_shape", tuple(image_shape))
    kwargs["seed"] = config.get("seed", 0)
    gan = cls(**kwargs)
    compile_args = dict(config.get("compile_args") or {})
    if config.get("loss"):
        compile_args["loss"] = config["loss"]
    if config.get("jit_compile") is not None:
        compile_args["jit_compile"] = config["jit_compile"]
    if config.get("steps_per_execution"):
        compile_args["steps_per_execution"] = int(config["steps_per_execution"])
    gan.compile(**compile_args)
    return gan


def save_model_atomic(gan, path):
    """Saves ``gan`` to ``path`` (.keras) via a temporary file and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    try:
        gan.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _positive(value, name):
    if isinstance(value, bool) or int(value) != value or int(value) <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_compile_args(cls, compile_args):
    """Unknown ``compile_args`` fail before the run writes anything, with the close matches."""
    import difflib
    import inspect

    if not compile_args:
        return
    if not isinstance(compile_args, dict):
        raise ValueError(f"compile_args must be a dict of {cls.__name__}.compile options, got {compile_args!r}")
    params = inspect.signature(cls.compile).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    known = [name for name in params if name != "self"]
    for key in compile_args:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=3)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ValueError(f"unknown compile option {key!r} for {cls.__name__}: {hint}the options are {', '.join(known)}")


def _resolve_config(config, run, resume):
    """The run's config: the given one, or on ``resume`` the saved one (checked against the given)."""
    if not resume:
        if config is None:
            raise ValueError("train needs a config (architecture, dataset, steps, ...)")
        if run.checkpoints():
            raise ValueError(
                f"{run.output} already holds checkpoints of a run: pass resume=True (--resume) to "
                f"continue it, or choose a new output folder"
            )
        return dict(config)
    saved = run.read_config()
    if config is None:
        return saved
    config = dict(config)
    for key in _RUN_KEYS:
        if config.get(key) is not None and _normalise(config.get(key)) != _normalise(saved.get(key)):
            raise ValueError(
                f"--resume: {key}={config.get(key)!r} differs from the run being resumed "
                f"({saved.get(key)!r}): drop it, or start a new run in another output folder"
            )
    merged = {**saved, **{k: v for k, v in config.items() if v is not None}}
    return merged


def _lr_decay(value):
    """``lr_decay`` of a config as ``(start, steps)``, or None; from ``{"start": S, "steps": N}`` or ``[S, N]``."""
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"start", "steps"}:
        value = (value["start"], value["steps"])
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f'lr_decay must be {{"start": STEP, "steps": N}}, got {value!r}')
    start, steps = value
    if isinstance(start, bool) or int(start) != start or int(start) < 0:
        raise ValueError(f"lr_decay start must be a step >= 0, got {start!r}")
    return int(start), _positive(steps, "lr_decay steps")


def _lr_decay_callback(config, model, initial_step):
    """The run's ``LinearLearningRateDecay`` (in a list, empty without ``lr_decay``), its base rates as compiled."""
    decay = _lr_decay(config.get("lr_decay"))
    if decay is None:
        return []
    from kerasgan.callbacks import LinearLearningRateDecay, learning_rates

    return [LinearLearningRateDecay(*decay, initial_step=initial_step, base=learning_rates(model))]


def _check_lr_decay_change(saved, given, initial_step):
    """A resumed run may add or change ``lr_decay`` only where it has not trained yet (the result equals a run that had it from the start)."""
    saved, given = _lr_decay(saved), _lr_decay(given)
    if saved == given:
        return
    earliest = min(d[0] for d in (saved, given) if d is not None)
    if earliest < initial_step:
        raise ValueError(
            f"--resume: lr_decay {given} differs from the run's {saved} before step {initial_step}, which is "
            f"already trained: let the decay start at step {initial_step} or later, or start a new run"
        )


def train(
    config,
    output,
    sample_every=None,
    verbose=1,
    callbacks=(),
    checkpoint_every=None,
    keep_checkpoints=None,
    resume=False,
):
    """Trains a GAN as described by ``config`` and writes it to ``output``.

    Args:
        config: dict with ``architecture``, ``dataset``, ``steps``, and
            optionally ``batch_size``, ``seed``, ``image_size``, ``loss``,
            ``model_args``, ``compile_args``, ``precision`` (float32,
            mixed_float16, mixed_bfloat16 or auto), ``strategy`` (default,
            mirrored, multiworker, tpu), ``jit_compile`` and
            ``steps_per_execution`` (steps per call of the train function;
            it must divide ``steps`` and the checkpoint and sample
            cadences), ``lr_decay`` (``{"start": S, "steps": N}``: every
            optimizer's rate held until step S, then linearly to 0 at S + N;
            see ``callbacks.LinearLearningRateDecay``). With
            ``resume=True`` it may be None (the saved config is used) or
            change only ``steps``, the cadences, and ``lr_decay`` from a step
            not yet trained on.
        output: the run folder (see the module docstring).
        sample_every: steps between sample grids (default: steps / 10).
        checkpoint_every: steps between checkpoints (default: no
            checkpoints). A checkpoint is always written after the last step.
        keep_checkpoints: how many complete checkpoints to keep (default 3;
            a resumed run keeps the number it was started with unless told).
        resume: continue from the last complete checkpoint in ``output``,
            or from its finished ``model.keras`` if that is newer (a run
            trained without checkpoints can be extended with a larger
            ``steps``); with neither it warns and starts at step 0.

    Returns:
        dict with ``model``, ``model_path``, ``last_grid``, ``history``,
        ``seconds`` and ``initial_step``.

    Raises:
        TrainingDiverged: a loss became NaN/Inf; the last good checkpoint
            is left as it was.
    """
    from kerasgan import data, distribute, models

    run = Run(output)
    config = _resolve_config(config, run, resume)
    run.keep = _positive(keep_checkpoints or config.get("keep_checkpoints") or 3, "keep_checkpoints")
    config["keep_checkpoints"] = run.keep
    steps = _positive(config.get("steps", 0) or 0, "steps")
    config["steps"] = steps
    seed = int(config.get("seed", 0) or 0)
    config["seed"] = seed
    run.seed = seed
    cls = models.get_architecture(config["architecture"])
    if not hasattr(cls, "training_data"):
        raise ValueError(f"kerasgan train cannot train {config['architecture']!r} ({cls.__name__}): fit it in Python")
    _check_compile_args(cls, config.get("compile_args"))
    config["batch_size"] = _positive(config.get("batch_size") or cls.recipe.get("batch_size", 64), "batch_size")
    # A resumed run keeps its grid and checkpoint cadence unless told otherwise.
    checkpoint_every = checkpoint_every or config.get("checkpoint_every")
    if checkpoint_every is not None:
        checkpoint_every = _positive(checkpoint_every, "checkpoint_every")
    # Steps run per call of the compiled train function (Keras's
    # steps_per_execution): fewer Python round trips, the same updates.
    # Callbacks see one call per spe steps, so every cadence is a multiple.
    spe = _positive(config.get("steps_per_execution") or 1, "steps_per_execution")
    config["steps_per_execution"] = spe
    default_every = max(spe, steps // 10 // spe * spe)
    sample_every = _positive(sample_every or config.get("sample_every") or default_every, "sample_every")
    config["checkpoint_every"], config["sample_every"] = checkpoint_every, sample_every
    for key, value in (("steps", steps), ("checkpoint_every", checkpoint_every), ("sample_every", sample_every)):
        if value is not None and value % spe:
            raise ValueError(
                f"{key}={value} is not a multiple of steps_per_execution={spe}: callbacks run once per "
                f"{spe} steps, so pick {key} and steps_per_execution so that it divides"
            )

    keras.utils.set_random_seed(seed)
    # Keras turns XLA off whenever op determinism is on, so an explicit
    # jit_compile=True trains without it (XLA on CPU repeated its results
    # here, but that is not guaranteed bit for bit).
    if config.get("deterministic", config.get("jit_compile") is not True):
        # Same seed -> same weights, bit for bit, on the same machine and
        # versions (op determinism costs little on CPU).
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    precision = distribute.set_precision(config.get("precision") or "float32")
    strategy = distribute.get_strategy(config.get("strategy") or "default")

    os.makedirs(run.output, exist_ok=True)
    run.clean_temporaries()
    initial_step, history, start_weights = 0, {}, None
    if resume:
        latest = run.latest_checkpoint()
        finished = run.finished_model()
        if latest is not None and (finished is None or latest[0] >= finished[0]):
            initial_step, start_weights, manifest = latest
            history = manifest.get("history", {})
        elif finished is not None:
            # A run that ended without checkpoints (checkpoint_every=None):
            # its model.keras holds the same state as a last-step checkpoint.
            initial_step, start_weights, history = finished
        else:
            warnings.warn(
                f"{run.output} holds no complete checkpoint and no finished model: training starts at step 0 "
                f"(pass --checkpoint-every N to make a run resumable part-way)",
                stacklevel=2,
            )
        if initial_step % spe:
            raise ValueError(
                f"the run in {run.output} stopped at step {initial_step}, not a multiple of "
                f"steps_per_execution={spe}: resume with a steps_per_execution that divides {initial_step}"
            )
        if initial_step >= steps:
            raise ValueError(
                f"the run in {run.output} already reached step {initial_step} of {steps}: "
                f"pass a larger --steps to train on"
            )
    if resume:
        _check_lr_decay_change(run.read_config().get("lr_decay"), config.get("lr_decay"), initial_step)
    run.write_config({**config, "precision": precision})

    dataset = cls.training_data(config, batch_size=config["batch_size"], seed=seed, repeat=True, image_size=config.get("image_size"))
    image_shape = _image_shape(dataset.element_spec)
    with strategy.scope():
        gan = build_model(config, image_shape)
        lr_decay = _lr_decay_callback(config, gan, initial_step)  # the compiled rates, before a checkpoint's
        if start_weights is not None:
            gan.load_weights(start_weights)
    if initial_step:
        # Re-derive the data position: skip the batches already trained on.
        dataset = dataset.skip(initial_step * getattr(gan, "d_steps", 1))

    epoch_steps = checkpoint_every or sample_every
    divergence = StopOnDivergence(initial_step)
    tracker = _RunCallback(run, config, initial_step, steps, sample_every, checkpoint_every, divergence)
    tracker.history = {k: list(v) for k, v in history.items()}
    extra = []
    if config.get("log_coverage"):
        # Mode-collapse diagnostics (MNIST-shaped data): classes covered and
        # KL(class histogram || uniform) by the shipped MNIST classifier.
        from kerasgan.callbacks import FIDCallback

        num = 1000 if config["log_coverage"] is True else int(config["log_coverage"])
        extra.append(FIDCallback(metrics=("coverage",), num=num, features="mnist", seed=seed))
    start = time.time()
    gan.fit(
        dataset,
        epochs=math.ceil(steps / epoch_steps),
        initial_epoch=initial_step // epoch_steps,
        steps_per_epoch=epoch_steps,
        verbose=verbose,
        callbacks=[divergence, *lr_decay, *extra, tracker, StopAtStep(steps - initial_step), *callbacks],
    )
    seconds = time.time() - start
    if divergence.diverged:
        step, key, value = divergence.diverged
        latest = run.latest_checkpoint()
        where = (
            f"the last good checkpoint (step {latest[0]}) is {latest[1]}: resume from it with a "
            f"lower learning rate or another loss"
            if latest
            else "no checkpoint was written (use --checkpoint-every N)"
        )
        raise TrainingDiverged(f"training diverged at step {step}: {key} is {value}; {where}")
    model_path = save_model_atomic(gan, os.path.join(run.output, "model.keras"))
    final = {**config, "precision": precision, "seconds": round(seconds, 1), "initial_step": initial_step}
    _write_json_atomic(os.path.join(run.output, "config.json"), final)
    _write_json_atomic(os.path.join(run.output, "history.json"), tracker.history)
    return {
        "model": gan,
        "model_path": model_path,
        "last_grid": tracker.grid_paths[-1] if tracker.grid_paths else None,
        "history": tracker.history,
        "seconds": seconds,
        "initial_step": initial_step,
    }
