"""The kerasgan model zoo: ``list()``, ``info(name)``, ``load(name)``.

Entries are declared beside their architectures (``models/*/presets.py``)
with the sha256 of every weight file; released files live in the top-level
``zoo/<name>/`` folder and ship inside the wheel, except the weights of large
entries (``kerasgan.zoo.bundle``), which are found in ``$KERASGAN_HOME/zoo``,
``$KERASGAN_ZOO_DIR`` or a source checkout's ``zoo/``, or downloaded from
``$KERASGAN_ZOO_URL/NAME/FILE`` (sha256-checked; ``kerasgan download NAME``).

Example:
>>> import kerasgan
>>> kerasgan.zoo.list()
['dcgan_mnist', 'gan_mnist', ...]
>>> gan = kerasgan.zoo.load("dcgan_mnist")
>>> images = gan.sample(16, seed=0)
"""

import os
import warnings

from kerasgan.zoo.registry import (
    ZooEntry,
    download,
    get_entry,
    home,
    info,
    list,
    register,
    released_dir,
    WEIGHTS_SUFFIX,
    network_files,
    network_for_file,
    resolve_file,
    sha256,
    verify_file,
    weights_filename,
)

#: The files of a GAN with the two standard networks (models with more add ``NAME.weights.h5`` per network).
WEIGHT_FILES = ("generator.weights.h5", "discriminator.weights.h5")

__all__ = [
    "ZooEntry",
    "download",
    "list",
    "info",
    "load",
    "load_any",
    "register",
    "get_entry",
    "home",
    "released_dir",
    "resolve_file",
    "sha256",
    "verify_file",
    "WEIGHT_FILES",
    "network_files",
    "weights_filename",
]


def build(name):
    """The untrained model of entry ``name`` (architecture and arguments only)."""
    from kerasgan import models

    entry = get_entry(name)
    cls = models.get_architecture(entry.architecture)
    return cls(**entry.model_args, seed=entry.recipe.get("seed", 0))


def _load_part(network, path, what, role):
    # Keras warns once per layer it cannot fill before it raises; those
    # warnings are dropped when the load fails (the error says it all) and
    # passed on when it succeeds.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            network.load_weights(str(path))
            error = None
        except (ValueError, KeyError, OSError) as err:
            error = err
    if error is not None:
        text = str(error).strip()
        first = text.splitlines()[0].rstrip(" :") if text else type(error).__name__
        raise ValueError(
            f"{what}: cannot load {path} into the {network.name} ({first}): pass a .weights.h5 file saved "
            f"from this entry's {role} (gan.{role}.save_weights(path)), or weights=True for the released ones"
        ) from None
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _check_explicit_path(weights, first=WEIGHT_FILES[0]):
    path = os.fspath(weights)
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, first)):
            raise FileNotFoundError(f"{path} has no {first}: pass the folder a converter or `kerasgan train` wrote")
        return
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"weights file {path} does not exist: check the path, or pass weights=True for the released weights"
        )
    if not path.endswith(WEIGHTS_SUFFIX):
        raise ValueError(f"weights file {path} must be a Keras .weights.h5 file (or a folder of them)")


def _explicit_weights(gan, weights, name):
    files = network_files(gan)
    sampling = next(iter(files))
    _check_explicit_path(weights, sampling)
    path = os.fspath(weights)
    if not os.path.isdir(path):  # one file: the sampling network's
        _load_part(files[sampling], path, name, sampling[: -len(WEIGHTS_SUFFIX)])
        return
    for filename, network in files.items():
        part = os.path.join(path, filename)
        if filename == sampling or os.path.isfile(part):
            _load_part(network, part, name, filename[: -len(WEIGHTS_SUFFIX)])


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
    if weights is True and not entry.files:  # before building: fail fast
        raise FileNotFoundError(
            entry.no_weights_help
            or f"zoo entry {name!r} ships no weights: train it with `kerasgan train --recipe {name}`"
        )
    if weights is True:  # verified before building: a bad file fails fast
        released = {f: resolve_file(entry, f) for f in entry.files if f.endswith(WEIGHTS_SUFFIX)}
    elif weights is not False and weights is not None and not os.path.isdir(os.fspath(weights)):
        _check_explicit_path(weights)
    gan = build(name)
    if weights is True:
        for filename, path in released.items():
            network = network_for_file(gan, filename, f"zoo entry {name!r}")
            _load_part(network, path, f"zoo entry {name!r}", filename[: -len(WEIGHTS_SUFFIX)])
    elif weights is not False and weights is not None:
        _explicit_weights(gan, weights, f"zoo entry {name!r}")
    if compile:
        gan.compile(**(entry.recipe.get("compile_args") or {}))
    return gan


def load_any(name_or_path, weights=None, compile=False):
    """A zoo entry by name, or a model saved with ``model.save("x.keras")`` by path.

    What the CLI and the tools accept wherever they take a model: a string
    that ends with ``.keras`` or contains a path separator is a file, anything
    else a zoo name.

    Args:
        name_or_path: zoo entry name, or path to a ``.keras`` file.
        weights: for zoo names, as in ``load`` (``None`` means the released
            weights); must be ``None`` for files, which carry their own.
        compile: for zoo names, compile with the entry's recipe; a ``.keras``
            file comes back as it was saved.

    Raises:
        ValueError: (one line) a missing or unreadable file, or ``weights``
            given with a file.
    """
    import keras

    import kerasgan.models  # noqa: F401 - registers the classes load_model needs

    name_or_path = os.fspath(name_or_path)
    if name_or_path.endswith(".keras") or os.path.sep in name_or_path:
        if not os.path.exists(name_or_path):
            raise ValueError(f"no such model file: {name_or_path}: check the path, or give a zoo name (see `kerasgan list`)")
        if weights is not None and weights is not True:
            raise ValueError("--weights applies to zoo names, not to .keras files")
        try:
            return keras.models.load_model(name_or_path, safe_mode=True)
        except (ValueError, OSError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(f"cannot load {name_or_path}: {first}") from err
    return load(name_or_path, weights=True if weights is None else weights, compile=compile)
