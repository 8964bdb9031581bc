"""Training options of ``GAN.compile``: parsed and checked apart from the model.

``resolve(recipe, **given)`` is a pure function: every option left at
``None`` takes the recipe's value (or is off), every value is checked with a
one-line error naming the fix, and the result is a plain dict the model
stores. ``compile`` then only creates the state the chosen techniques need
(ADA's probability, the adaptive L2 weight, historical averages). A new
technique adds its parser here and its state in the model, not both in one
149-line method.
"""

import difflib

import keras
import numpy as np

from kerasgan import losses as losses_lib

#: Options ``resolve`` understands (the keyword arguments of ``GAN.compile`` minus Keras' own).
OPTION_NAMES = (
    "loss", "g_loss", "d_loss", "d_steps", "label_smoothing", "clip_weights", "gradient_penalty",
    "r1_gamma", "r1_every", "augment", "feature_matching", "adaptive_d_l2", "historical_averaging",
)

AUGMENT_NAMES = ("diffaugment", "ada")

#: The recipe both bases start from (Radford et al.'s Adam settings, the non-saturating loss).
DEFAULT_RECIPE = {
    "loss": "modified",
    "label_smoothing": 0.0,
    "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
    "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
    "d_steps": 1,
    "batch_size": 64,
}

def adam_recipe(loss, g_lr, d_lr, beta_1, beta_2, batch_size, **extra):
    """A class ``recipe``: ``loss``, Adam for both players (their rates, shared betas), one D step, ``batch_size``, and
    any other options (``r1_gamma``, ``r1_every``...)."""
    def adam(lr):
        return {"class_name": "Adam", "config": {"learning_rate": lr, "beta_1": beta_1, "beta_2": beta_2}}

    return {"loss": loss, "label_smoothing": 0.0, "g_optimizer": adam(g_lr), "d_optimizer": adam(d_lr), "d_steps": 1,
            "batch_size": batch_size, **extra}


_KNOWN_OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion", "lamb")


def resolve(recipe, **given):
    """The checked training options: ``given`` values, else the recipe's, else off.

    Returns a dict with ``d_loss_fn``, ``g_loss_fn`` (callables), ``d_steps``,
    ``label_smoothing``, ``clip_weights``, ``gradient_penalty``, ``r1_gamma``,
    ``r1_every``, ``augment`` (dict or None), ``feature_matching``,
    ``adaptive_d_l2`` (dict or None) and ``historical_averaging`` (dict or None).
    """
    unknown = set(given) - set(OPTION_NAMES)
    if unknown:
        close = difflib.get_close_matches(sorted(unknown)[0], OPTION_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise TypeError(f"unknown training option {sorted(unknown)[0]!r}{hint}; known: {', '.join(OPTION_NAMES)}")

    def option(key, default=None):
        value = given.get(key)
        return recipe.get(key, default) if value is None else value

    loss = option("loss", "modified")
    d_loss, g_loss = given.get("d_loss"), given.get("g_loss")
    return {
        "d_loss_fn": losses_lib.get(d_loss if d_loss is not None else loss, "discriminator"),
        "g_loss_fn": losses_lib.get(g_loss if g_loss is not None else loss, "generator"),
        "label_smoothing": label_smoothing(option("label_smoothing", 0.0)),
        "d_steps": positive_int(option("d_steps", 1), "d_steps"),
        "clip_weights": optional_positive(option("clip_weights"), "clip_weights"),
        "gradient_penalty": optional_positive(option("gradient_penalty"), "gradient_penalty"),
        "r1_gamma": optional_positive(option("r1_gamma"), "r1_gamma"),
        "r1_every": positive_int(option("r1_every", 1), "r1_every"),
        "augment": augment(option("augment")),
        "feature_matching": option("feature_matching", False) or False,
        "adaptive_d_l2": adaptive_l2(option("adaptive_d_l2")),
        "historical_averaging": historical(option("historical_averaging")),
    }


def positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def label_smoothing(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"label_smoothing must be a number in [0, 1), got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {float(value)}")
    return float(value)


def optional_positive(value, name):
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or value <= 0:
        raise ValueError(f"{name} must be a positive number or None, got {value!r}")
    return float(value)


def augment(value):
    """``"diffaugment[:policy]"``, ``"ada"`` or a dict with ``name`` -> normalised dict (or None)."""
    if value is None or value is False:
        return None
    if isinstance(value, str):
        name, _, policy = value.partition(":")
        value = {"name": name}
        if policy:
            value["policy"] = policy
    if not isinstance(value, dict) or value.get("name") not in AUGMENT_NAMES:
        raise ValueError(
            f"augment must be 'diffaugment[:policy]', 'ada' or a dict with name in {AUGMENT_NAMES}; got {value!r}"
        )
    value = dict(value)
    if value["name"] == "diffaugment":
        value.setdefault("policy", "color,translation,cutout")
        extra = set(value) - {"name", "policy"}
        if extra:
            raise ValueError(f"diffaugment takes only a policy; unexpected {sorted(extra)}")
    return value


def adaptive_l2(value):
    """A float (initial weight) or a dict of the adaptive D weight decay -> full dict (or None)."""
    if value is None or value is False:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = {"initial": float(value)}
    if not isinstance(value, dict):
        raise ValueError(f"adaptive_d_l2 must be a float or a dict, got {value!r}")
    cfg = {"initial": 1e-4, "target_gap": 0.5, "factor": 1.05, "min": 1e-6, "max": 1.0}
    extra = set(value) - set(cfg)
    if extra:
        raise ValueError(f"adaptive_d_l2: unknown keys {sorted(extra)}; valid: {sorted(cfg)}")
    cfg.update({k: float(v) for k, v in value.items()})
    if not (0 < cfg["min"] <= cfg["initial"] <= cfg["max"]) or cfg["factor"] <= 1.0:
        raise ValueError(f"adaptive_d_l2 needs 0 < min <= initial <= max and factor > 1, got {cfg}")
    return cfg


def historical(value):
    """A weight for both players or ``{"generator": w, "discriminator": w}`` -> dict of non-zero weights (or None)."""
    if value is None or value is False:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        value = {"generator": float(value), "discriminator": float(value)}
    if not isinstance(value, dict) or set(value) - {"generator", "discriminator"}:
        raise ValueError(
            f"historical_averaging must be a positive float or a dict with keys 'generator' and/or "
            f"'discriminator', got {value!r}"
        )
    cfg = {}
    for key, weight in value.items():
        if weight is None or weight == 0:
            continue
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.integer, np.floating)) or weight < 0:
            raise ValueError(f"historical_averaging[{key!r}] must be a number >= 0, got {weight!r}")
        cfg[key] = float(weight)
    return cfg or None


def optimizer(value, default_config, name):
    """An optimizer instance from an instance, a name, a config dict or (None) the recipe's config."""
    if value is None:
        return keras.optimizers.deserialize(default_config)
    if isinstance(value, (str, dict)):
        try:
            return keras.optimizers.get(value)
        except ValueError:
            given = value if isinstance(value, str) else str(value.get("class_name", value))
            close = difflib.get_close_matches(given.lower(), _KNOWN_OPTIMIZERS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(
                f"{name}: unknown optimizer {given!r}: {hint}use a keras optimizer name "
                f"({', '.join(_KNOWN_OPTIMIZERS)}) or instance"
            ) from None
    if not isinstance(value, keras.optimizers.Optimizer):
        raise TypeError(f"{name} must be a keras optimizer, got {type(value).__name__}")
    return value


def serialize(opts):
    """The non-default options of a resolved dict, as ``compile`` keyword arguments (for ``get_compile_config``)."""
    config = {
        "g_loss": losses_lib.serialize(opts["g_loss_fn"]),
        "d_loss": losses_lib.serialize(opts["d_loss_fn"]),
        "d_steps": opts["d_steps"],
        "label_smoothing": opts["label_smoothing"],
    }
    for key in ("clip_weights", "gradient_penalty", "r1_gamma", "augment", "feature_matching", "adaptive_d_l2", "historical_averaging"):
        if opts.get(key):
            config[key] = opts[key]
    if opts["r1_every"] != 1:
        config["r1_every"] = opts["r1_every"]
    return config
