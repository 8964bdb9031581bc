"""Keras callbacks for GAN training."""

import os

import keras
import numpy as np


class SampleGrid(keras.callbacks.Callback):
    """Saves a grid of samples from fixed latent vectors after every epoch.

    The same latent vectors are used at every epoch, so the grids show how
    the generator's mapping evolves. With ``log_dir`` the grid is also
    written to TensorBoard as an image summary.

    Args:
        directory: folder for ``epoch_XXXX.png`` files (created if needed).
        num: number of images in the grid.
        seed: seed of the fixed latent vectors.
        every: save every ``every`` epochs (and always after the last one).
        log_dir: optional TensorBoard log directory.
        prefix: file name prefix.
        unit: ``"epoch"`` names files by epoch (``epoch_0003.png``);
            ``"step"`` by training steps done (``step_000600.png``).

    Example:
    >>> gan.fit(ds, epochs=10, callbacks=[SampleGrid("run/samples")])
    """

    def __init__(self, directory, num=64, seed=0, every=1, log_dir=None, prefix=None, unit="epoch"):
        super().__init__()
        if int(num) <= 0:
            raise ValueError(f"num must be positive, got {num}")
        if int(every) <= 0:
            raise ValueError(f"every must be positive, got {every}")
        self.directory = os.fspath(directory)
        self.num = int(num)
        self.seed = int(seed)
        self.every = int(every)
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        if unit not in ("epoch", "step"):
            raise ValueError(f"unit must be 'epoch' or 'step', got {unit!r}")
        self.unit = unit
        self.prefix = unit if prefix is None else prefix
        self._steps = 0
        self.paths = []
        self._writer = None
        self._z = None

    def on_train_begin(self, logs=None):
        if self.log_dir is not None:
            try:
                import tensorboard  # noqa: F401 - tf.summary.image needs it
            except ImportError:
                raise ImportError(
                    "SampleGrid(log_dir=...) writes TensorBoard images and needs TensorBoard: "
                    "pip install tensorboard (or kerasgan[tensorboard])"
                ) from None
        os.makedirs(self.directory, exist_ok=True)
        self._z = self.model.latents(self.num, seed=self.seed)
        self._last_epoch = self.params.get("epochs", None)

    def on_train_batch_end(self, batch, logs=None):
        self._steps += 1

    def on_epoch_end(self, epoch, logs=None):
        last = self._last_epoch is not None and epoch + 1 == self._last_epoch
        if (epoch + 1) % self.every and not last and not self.model.stop_training:
            return
        self.write(self._steps if self.unit == "step" else epoch + 1)

    def write(self, index):
        """Writes the grid for ``index`` (an epoch number); returns its path."""
        from kerasgan.utils.images import make_grid, save_grid

        images = self.model.generate(self._z)
        digits = 6 if self.unit == "step" else 4
        path = os.path.join(self.directory, f"{self.prefix}_{index:0{digits}d}.png")
        save_grid(images, path)
        self.paths.append(path)
        if self.log_dir is not None:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            grid = make_grid(images)
            with self._writer.as_default():
                tf.summary.image("samples", grid[np.newaxis], step=index)
            self._writer.flush()
        return path

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class FIDCallback(keras.callbacks.Callback):
    """Scores the generator every ``every`` epochs and logs the result.

    The scores go into the epoch logs (so ``History`` and other callbacks see
    them, e.g. ``history.history["fid"]``) and, with ``log_dir``, to
    TensorBoard scalars. Uses ``kerasgan.metrics.evaluate`` with a fixed
    seed, so values are comparable across epochs.

    Args:
        metrics: metrics of ``kerasgan.metrics.evaluate`` (default ``("fid",)``).
        num: generated samples per evaluation (small values are cheap but biased).
        reference: ``source:split`` of the reference set.
        features: ``"mnist"`` (cheap, 28x28) or ``"inception"``.
        every: evaluate every ``every`` epochs (and after the last one).
        seed: seed of the samples.
        log_dir: optional TensorBoard log directory.

    Example:
    >>> gan.fit(ds, epochs=20, callbacks=[FIDCallback(num=2000, every=5)])
    """

    def __init__(self, metrics=("fid",), num=2000, reference="mnist:test", features="mnist", every=1, seed=0, log_dir=None):
        super().__init__()
        if int(every) <= 0:
            raise ValueError(f"every must be positive, got {every}")
        self.metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        self.num = int(num)
        self.reference = reference
        self.features = features
        self.every = int(every)
        self.seed = int(seed)
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.results = []

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1
        if (epoch + 1) % self.every and not last and not self.model.stop_training:
            return
        from kerasgan.metrics.evaluate import evaluate

        result = evaluate(self.model, self.metrics, num=self.num, reference=self.reference, features=self.features, seed=self.seed)
        self.results.append((epoch + 1, result))
        scalars = {}
        for name, value in result.items():
            if name == "protocol":
                continue
            if isinstance(value, (int, float)):
                scalars[name] = float(value)
            elif isinstance(value, dict):
                for key, number in value.items():
                    if isinstance(number, (int, float)) and key in ("mean", "precision", "recall", "density", "coverage", "classes_covered", "kl_to_uniform"):
                        scalars[name if key == "mean" else f"{name}_{key}"] = float(number)
        if logs is not None:
            logs.update(scalars)
        if self.log_dir is not None:
            import tensorflow as tf

            writer = tf.summary.create_file_writer(self.log_dir)
            with writer.as_default():
                for name, value in scalars.items():
                    tf.summary.scalar(name, value, step=epoch + 1)
            writer.close()


def model_optimizers(model):
    """``{attribute: optimizer}`` of every optimizer a model trains with (``g_optimizer``, ``d_optimizer``, ...)."""
    return {
        name: value
        for name, value in sorted(vars(model).items())
        if isinstance(value, keras.optimizers.Optimizer) and not name.startswith("_")
    }


def learning_rates(model):
    """``{attribute: current learning rate}`` of ``model_optimizers(model)``."""
    return {name: float(opt.learning_rate) for name, opt in model_optimizers(model).items()}


class LinearLearningRateDecay(keras.callbacks.Callback):
    """Every optimizer's learning rate held until step ``start``, then linearly to 0 at ``start + steps``.

    The rate at training step ``s`` is ``base * (1 - clip((s - start) / steps, 0, 1))``,
    where ``base`` is each optimizer's rate as compiled (pass ``base`` to fix it
    when the optimizers' own variables may already hold a decayed rate, as
    after resuming). Steps are the model's training steps (generator steps),
    counted from ``initial_step``; the rate is set before each call of the
    train function, so it changes every ``steps_per_execution`` steps. Keeping
    the optimizers' float learning rate (instead of swapping in a
    ``LearningRateSchedule``) keeps their saved variables, so a run's earlier
    checkpoints resume with their full optimizer state.
    """

    def __init__(self, start, steps, initial_step=0, base=None):
        super().__init__()
        start, steps = int(start), int(steps)
        if start < 0 or steps < 1:
            raise ValueError(f"lr_decay needs start >= 0 and steps >= 1, got start={start}, steps={steps}")
        self.start, self.steps, self.step = start, steps, int(initial_step)
        self.base = dict(base) if base is not None else None

    def factor(self, step):
        return 1.0 - min(max((step - self.start) / self.steps, 0.0), 1.0)

    def on_train_begin(self, logs=None):
        optimizers = model_optimizers(self.model)
        if not optimizers:
            raise ValueError(f"{type(self.model).__name__} has no optimizer attributes for lr_decay to set")
        scheduled = [n for n, o in optimizers.items() if isinstance(getattr(o, "_learning_rate", None), keras.optimizers.schedules.LearningRateSchedule)]
        if scheduled:
            raise ValueError(f"{', '.join(scheduled)} already follow a learning-rate schedule: drop lr_decay, or compile with float rates")
        if self.base is None:
            self.base = learning_rates(self.model)
        self._optimizers = optimizers

    def on_train_batch_begin(self, batch, logs=None):
        factor = self.factor(self.step)
        for name, opt in self._optimizers.items():
            opt.learning_rate = self.base[name] * factor

    def on_train_batch_end(self, batch, logs=None):
        self.step += int(getattr(self.model, "steps_per_execution", 1) or 1)
