"""Helpers every adversarial model shares (GAN now, image-to-image and autoencoder models next).

Composition, not inheritance: a model family imports what it needs from here
instead of subclassing a base that grows with every family. Nothing here
knows about generators, latents or labels.
"""

import inspect

import keras
import tensorflow as tf


def refuse_derived(cls, kwargs):
    """Refuses constructor arguments that an architecture sets itself (``cls._derived_config_keys``).

    The base ``GAN.get_config`` writes them (the networks, the latent
    distribution, ...) and ``from_config`` drops them again; a user who passes
    one would otherwise see it silently ignored.
    """
    given = [key for key in cls._derived_config_keys if key in kwargs]
    if not given:
        return
    networks = [key for key in given if key in ("generator", "discriminator")]
    fix = (f"drop {given[0]}=; to train networks of your own, use kerasgan.models.GAN(generator, discriminator)"
           f" (image-to-image: TranslationGAN)" if networks else f"drop {given[0]}=")
    raise TypeError(f"{cls.__name__} sets {', '.join(given)} itself: {fix}")


def num_replicas():
    """Replicas of the current tf.distribute strategy (1 without one)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def first_line(err):
    """The first line of an exception's message (its type name when empty): for one-line errors."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def assign_all(pairs):
    """Assigns ``(variable, value)`` pairs, also from a replica context under a strategy.

    Values must be equal on all replicas (they are computed from mirrored
    weights); under several replicas the assignment goes through
    ``merge_call`` so that mirrored variables of any aggregation accept it.
    """
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        for var, value in pairs:
            var.assign(value)
        return

    def merge(strategy, *values):
        for (var, _), value in zip(pairs, values):
            target = getattr(var, "value", var)
            strategy.extended.update(target, lambda v, t: v.assign(t), args=(value,), group=False)

    ctx.merge_call(merge, args=tuple(value for _, value in pairs))


def clone_network(network, name):
    """A frozen copy of ``network`` with the same weights (an EMA network starts as the original)."""
    clone = keras.models.clone_model(network)
    clone.set_weights(network.get_weights())
    clone.trainable = False
    return clone


def ema_pairs(average, network, decay):
    """(variable, new value) pairs moving ``average``'s weights towards ``network``'s.

    Trainable weights are averaged with ``decay``; the others (batch-norm
    statistics) are copied.
    """
    pairs = []
    for ema_var, var in zip(average.weights, network.weights):
        if var.trainable:
            pairs.append((ema_var, decay * ema_var + (1.0 - decay) * tf.cast(var, ema_var.dtype)))
        else:
            pairs.append((ema_var, tf.convert_to_tensor(var)))
    return pairs


def loss_scaled(optimizer):
    """``optimizer`` wrapped for dynamic loss scaling (float16 gradients underflow without it)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def seed_states(model):
    """State variables of every seed generator in ``model`` (latents, dropout, augmentation)."""
    states = []
    for layer in model._flatten_layers(include_self=True, recursive=True):
        states.extend(sg.state for sg in layer._seed_generators)
    return states


def sum_terms(terms):
    """The sum of a dict of named scalar loss terms (0 for none)."""
    return tf.add_n(list(terms.values())) if terms else tf.constant(0.0)


def unlocked(model):
    """Context manager: lets ``compile`` add state (optimizer-side variables) to a built Keras model."""
    return _Unlocked(model)


class _Unlocked:
    def __init__(self, model):
        self.tracker = getattr(model, "_tracker", None)

    def __enter__(self):
        if self.tracker is not None and getattr(self.tracker, "locked", False):
            self.tracker.unlock()

    def __exit__(self, *exc):
        if self.tracker is not None and hasattr(self.tracker, "lock"):
            self.tracker.lock()
        return False


def discriminator_loss(fn, batch, label_smoothing):
    """``fn(batch.real_logits, batch.fake_logits)``, with ``label_smoothing`` wherever ``fn`` takes it.

    Always passed, 0 included: the loss functions default to TF-GAN's 0.25,
    so leaving it out when the option was 0 smoothed silently (as every run
    before this helper existed did).
    """
    try:
        takes = "label_smoothing" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes = False
    kwargs = {"label_smoothing": label_smoothing} if takes else {}
    return fn(batch.real_logits, batch.fake_logits, **kwargs)


#: Key prefix of seed-generator states in a saved model's variable store.
SEED_PREFIX = "seed_state_"


def store_seed_states(model, store):
    """Adds every seed generator's state to ``store`` (Keras saves none), so a loaded model draws on as the original."""
    for i, state in enumerate(seed_states(model)):
        store[f"{SEED_PREFIX}{i}"] = keras.ops.convert_to_numpy(state)


def restore_seed_states(model, store):
    """Restores the states ``store_seed_states`` wrote; returns the rest of ``store`` (the model's own variables)."""
    keys = list(store.keys())
    for i, state in enumerate(seed_states(model)):
        if f"{SEED_PREFIX}{i}" in keys:
            state.assign(store[f"{SEED_PREFIX}{i}"])
    return {k: store[k] for k in keys if not k.startswith(SEED_PREFIX)}


class SavesSeedStates:
    """Mixin for a ``keras.Model``: its saved variables include every seed generator's state.

    Keras saves no seed-generator state; saving it makes a loaded model draw
    the same latents and dropout masks as the original from there on. Put it
    before ``keras.Model`` in the bases.
    """

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store_seed_states(self, store)

    def load_own_variables(self, store):
        super().load_own_variables(restore_seed_states(self, store))


def two_player_compile_config(model):
    """``get_compile_config`` of a model compiled with ``g_optimizer``, ``d_optimizer`` and parsed options."""
    from kerasgan.models import options

    if not getattr(model, "compiled", False) or not hasattr(model, "g_optimizer"):
        return None
    return {
        "g_optimizer": keras.optimizers.serialize(model.g_optimizer),
        "d_optimizer": keras.optimizers.serialize(model.d_optimizer),
        **options.serialize(model._options),
        "steps_per_execution": model.steps_per_execution,
    }


def two_player_compile_from_config(model, config):
    """The inverse of ``two_player_compile_config``: compiles ``model`` as it was."""
    from kerasgan import losses as losses_lib

    config = dict(config)
    model.compile(
        g_optimizer=keras.optimizers.deserialize(config.pop("g_optimizer")),
        d_optimizer=keras.optimizers.deserialize(config.pop("d_optimizer")),
        g_loss=losses_lib.deserialize(config.pop("g_loss")),
        d_loss=losses_lib.deserialize(config.pop("d_loss")),
        **config,
    )


def load_run_dataset(config, batch_size, seed, repeat=True, image_size=None, labels=False):
    """``kerasgan train``'s default data: ``data.load(config["dataset"], split=config["split"])`` (default split
    ``"train"``) batched, optionally resized, with labels."""
    from kerasgan import data

    load_args = {"batch_size": batch_size, "seed": seed, "repeat": repeat, "split": config.get("split") or "train"}
    if image_size:
        load_args["image_size"] = int(image_size)
    return data.load(config["dataset"], labels=labels, **load_args)


def require_emoji_set(config, image_size, what, elsewhere):
    """The checks of a model that ``kerasgan train`` trains on the 64x64 emoji set only (``elsewhere``: how to fit other data)."""
    if image_size:
        raise ValueError(f"{what} come at 64x64: drop image_size")
    if config.get("dataset") != "emoji_styles_64":
        raise ValueError(f"kerasgan train trains this model on dataset 'emoji_styles_64'; for other data, {elsewhere}")

