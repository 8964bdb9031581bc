"""The kerasgan model zoo: ``list()``, ``info(name)``, ``load(name)``.

Entries are declared beside their architectures (``models/*/presets.py``)
with the sha256 of every weight file; released files live in the top-level
``zoo/<name>/`` folder and ship inside the wheel.

Example:
>>> import kerasgan
>>> kerasgan.zoo.list()
['dcgan_mnist', 'gan_mnist', ...]
>>> gan = kerasgan.zoo.load("dcgan_mnist")
>>> images = gan.sample(16, seed=0)
"""

import os

from kerasgan.zoo.registry import (
    ZooEntry,
    get_entry,
    home,
    info,
    list,
    register,
    released_dir,
    resolve_file,
    sha256,
    verify_file,
)

WEIGHT_FILES = ("generator.weights.h5", "discriminator.weights.h5")

__all__ = [
    "ZooEntry",
    "list",
    "info",
    "load",
    "register",
    "get_entry",
    "home",
    "released_dir",
    "resolve_file",
    "sha256",
    "verify_file",
    "WEIGHT_FILES",
]


def build(name):
    """The untrained model of entry ``name`` (architecture and arguments only)."""
    from kerasgan import models

    entry = get_entry(name)
    cls = models.get_architecture(entry.architecture)
    return cls(**entry.model_args, seed=entry.recipe.get("seed", 0))


def _load_part(network, path, what):
    try:
        network.load_weights(str(path))
    except (ValueError, KeyError, OSError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"{what}: cannot load {path} into the {network.name}: {first}") from None


def _explicit_weights(gan, weights, name):
    path = os.fspath(weights)
    if os.path.isdir(path):
        generator = os.path.join(path, WEIGHT_FILES[0])
        discriminator = os.path.join(path, WEIGHT_FILES[1])
        if not os.path.isfile(generator):
            raise FileNotFoundError(f"{path} has no {WEIGHT_FILES[0]}: pass the folder a converter or `kerasgan train` wrote")
        _load_part(gan.generator, generator, name)
        if os.path.isfile(discriminator):
            _load_part(gan.discriminator, discriminator, name)
        return
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights file {path} does not exist")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"weights file {path} must be a Keras .weights.h5 file (or a folder of them)")
    _load_part(gan.generator, path, name)


def _converted_folder(weights):
    """The folder when ``weights`` is one written by ``kerasgan convert``, else None."""
    if weights is True or weights is False or weights is None:
        return None
    path = os.fspath(weights)
    config = os.path.join(path, "config.json")
    if os.path.isdir(path) and os.path.isfile(config):
        import json

        try:
            with open(config) as f:
                if json.load(f).get("format") == "kerasgan-converted":
                    return path
        except (OSError, ValueError, AttributeError):
            return None
    return None


def load(name, weights=True, compile=True):
    """Builds zoo entry ``name`` and loads its verified weights.

    Args:
        name: entry name (see ``list()``).
        weights: ``True`` for the released weights (sha256-checked; looked up
            in ``$KERASGAN_HOME/zoo/NAME``, then in the installed package,
            then downloaded when the entry has a URL); ``False`` for random
            initialisation; or a path: a folder with ``generator.weights.h5``
            (and optionally ``discriminator.weights.h5``), a folder written
            by ``kerasgan convert`` (its own sizes are used, sha256-checked),
            or a generator ``.weights.h5`` file.
        compile: compile with the entry's training recipe, so ``fit`` works
            straight away (fine-tuning).

    Returns:
        A ``kerasgan.models.GAN`` ready for ``sample``, ``fit`` and ``export``.
    """
    entry = get_entry(name)
    converted = _converted_folder(weights)
    if converted is not None:
        from kerasgan import convert

        gan = convert.load_converted(converted, compile=False)
        if gan.architecture_name != entry.architecture:
            raise ValueError(
                f"{converted} holds a converted {gan.architecture_name} model, but zoo entry {name!r} "
                f"is a {entry.architecture}: load it with kerasgan.convert.load_converted(folder)"
            )
        if compile:
            gan.compile(**(entry.recipe.get("compile_args") or {}))
        return gan
    gan = build(name)
    if weights is True:
        if not entry.files:
            raise FileNotFoundError(
                entry.no_weights_help
                or f"zoo entry {name!r} ships no weights: train it with `kerasgan train --recipe {name}`"
            )
        for filename in WEIGHT_FILES:
            if filename in entry.files:
                part = gan.generator if filename.startswith("generator") else gan.discriminator
                _load_part(part, resolve_file(entry, filename), f"zoo entry {name!r}")
    elif weights is not False and weights is not None:
        _explicit_weights(gan, weights, f"zoo entry {name!r}")
    if compile:
        gan.compile(**(entry.recipe.get("compile_args") or {}))
    return gan
