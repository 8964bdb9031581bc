"""Training runs from a plain config dict: what ``kerasgan train`` and zoo recipes call."""

import copy
import json
import math
import os
import time

import keras


class StopAtStep(keras.callbacks.Callback):
    """Stops ``fit`` after exactly ``steps`` training steps."""

    def __init__(self, steps):
        super().__init__()
        self.steps = int(steps)
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen >= self.steps:
            self.model.stop_training = True


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


def train(config, output, sample_every=None, verbose=1, callbacks=()):
    """Trains a GAN as described by ``config`` and writes it to ``output``.

    Args:
        config: dict with ``architecture``, ``dataset``, ``steps``, and
            optionally ``batch_size``, ``seed``, ``image_size``, ``loss``,
            ``model_args`` and ``compile_args``.
        output: folder for ``model.keras``, ``samples/step_XXXXXX.png``,
            ``history.json`` and ``config.json``.
        sample_every: steps between sample grids (default: steps / 10).

    Returns:
        dict with ``model``, ``model_path``, ``last_grid``, ``history`` and
        ``seconds``.
    """
    from kerasgan import data, models
    from kerasgan.callbacks import SampleGrid

    config = dict(config)
    steps = int(config["steps"])
    if steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps}")
    seed = int(config.get("seed", 0))
    cls = models.get_architecture(config["architecture"])
    batch_size = config.get("batch_size") or cls.recipe.get("batch_size", 64)
    config["batch_size"] = int(batch_size)
    keras.utils.set_random_seed(seed)
    if config.get("deterministic", True):
        # Same seed -> same weights, bit for bit, on the same machine and
        # versions (op determinism costs little on CPU).
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    load_args = {"batch_size": config["batch_size"], "seed": seed, "repeat": True}
    if config.get("image_size"):
        load_args["image_size"] = int(config["image_size"])
    dataset = data.load(config["dataset"], **load_args)
    image_shape = tuple(int(d) for d in dataset.element_spec.shape[1:])
    gan = build_model(config, image_shape)

    sample_every = int(sample_every or max(1, steps // 10))
    chunk = min(sample_every, steps)
    epochs = math.ceil(steps / chunk)
    os.makedirs(output, exist_ok=True)
    grids = SampleGrid(os.path.join(output, "samples"), num=64, seed=seed, unit="step")
    start = time.time()
    history = gan.fit(
        dataset,
        epochs=epochs,
        steps_per_epoch=chunk,
        verbose=verbose,
        callbacks=[grids, StopAtStep(steps), *callbacks],
    )
    seconds = time.time() - start
    model_path = save_model_atomic(gan, os.path.join(output, "model.keras"))
    with open(os.path.join(output, "config.json"), "w") as f:
        json.dump({**config, "seconds": round(seconds, 1)}, f, indent=2, default=str)
    with open(os.path.join(output, "history.json"), "w") as f:
        json.dump({k: [float(v) for v in vals] for k, vals in history.history.items()}, f)
    return {
        "model": gan,
        "model_path": model_path,
        "last_grid": grids.paths[-1] if grids.paths else None,
        "history": history.history,
        "seconds": seconds,
    }
