"""The zoo registry: entries declared beside their architectures, weights verified on load."""

import copy
import dataclasses
import difflib
import importlib
import json
import pathlib

from kerasgan.utils.files import kerasgan_home
from kerasgan.utils.files import sha256 as file_sha256

_ENTRIES = {}
_PRESET_MODULES = (
    "kerasgan.models.vanilla_gan.presets",
    "kerasgan.models.dcgan.presets",
)
_loaded = False


@dataclasses.dataclass
class ZooEntry:
    """A released (or convertible) model of the zoo.

    Attributes:
        name: ``<architecture>_<dataset>`` style name.
        architecture: registered architecture name.
        model_args: keyword arguments of the architecture class.
        description: one line.
        dataset: what it was trained on.
        recipe: the training config that reproduces it
            (``kerasgan train --recipe NAME``).
        files: weight file name -> sha256; empty when no weights are shipped.
        license: license of the weights.
        paper: reference of the architecture.
        url: base URL the files can be downloaded from, if any.
        no_weights_help: what to tell a user when weights are unavailable.
    """

    name: str
    architecture: str
    model_args: dict
    description: str
    dataset: str
    recipe: dict
    files: dict = dataclasses.field(default_factory=dict)
    license: str = "Apache-2.0"
    paper: str = ""
    url: str = None
    no_weights_help: str = ""


def register(entry):
    """Adds a ``ZooEntry``; called from each architecture's ``presets.py``."""
    if entry.name in _ENTRIES:
        raise ValueError(f"zoo entry {entry.name!r} is already registered")
    _ENTRIES[entry.name] = entry
    return entry


def _ensure_loaded():
    global _loaded
    if not _loaded:
        for module in _PRESET_MODULES:
            importlib.import_module(module)
        _loaded = True


def list():  # noqa: A001 - the public name mirrors timm/keras-hub
    """Sorted names of all zoo entries."""
    _ensure_loaded()
    return sorted(_ENTRIES)


def get_entry(name):
    """The ``ZooEntry`` called ``name``; unknown names get close-match suggestions."""
    _ensure_loaded()
    if not isinstance(name, str):
        raise TypeError(
            f"zoo names are strings, got {type(name).__name__}: pass a name from kerasgan.zoo.list() (e.g. 'dcgan_mnist')"
        )
    if name in _ENTRIES:
        return _ENTRIES[name]
    close = difflib.get_close_matches(name, sorted(_ENTRIES), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise ValueError(f"unknown zoo entry {name!r}: {hint}run `kerasgan list` to see all entries")


def released_dir(name):
    """Folder holding the released files of ``name`` (installed package data or source tree)."""
    try:
        import kerasgan.zoo_files as files

        base = pathlib.Path(files.__file__).parent
    except ImportError:
        base = pathlib.Path(__file__).resolve().parents[2] / "zoo"
    return base / name


def _released_config(name):
    path = released_dir(name) / "config.json"
    if path.is_file():
        with open(path) as f:
            return json.load(f)
    return {}


def info(name):
    """A dict describing entry ``name``: architecture, data, recipe, files, scores, license."""
    entry = get_entry(name)
    data = copy.deepcopy(dataclasses.asdict(entry))
    released = _released_config(name)
    for key in ("metrics", "training", "image_shape", "latent_dim"):
        if key in released:
            data[key] = released[key]
    data["weights_available"] = bool(entry.files) and all(
        _find_local(entry, f) is not None for f in entry.files
    )
    return data


def home():
    """``$KERASGAN_HOME`` (default ``~/.kerasgan``)."""
    return kerasgan_home()


sha256 = file_sha256


def verify_file(path, expected, what):
    """Raises ValueError unless ``path`` has sha256 ``expected``."""
    actual = sha256(path)
    if actual != expected:
        raise ValueError(
            f"{what}: {path} is corrupt or not the released file (sha256 {actual[:16]}…, "
            f"expected {expected[:16]}…): delete it and reinstall kerasgan or re-download"
        )
    return path


def _find_local(entry, filename):
    for folder in (home() / "zoo" / entry.name, released_dir(entry.name)):
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    return None


def resolve_file(entry, filename):
    """Local path of a verified weight file: cache, then package, then URL."""
    expected = entry.files[filename]
    what = f"zoo entry {entry.name!r}, file {filename}"
    local = _find_local(entry, filename)
    if local is not None:
        return verify_file(local, expected, what)
    if entry.url:
        from kerasgan.utils.files import download_verified

        # download_verified keeps the file only after its sha256 matched: no second hash pass.
        return download_verified(f"{entry.url.rstrip('/')}/{filename}", home() / "zoo" / entry.name / filename, expected, what)
    raise FileNotFoundError(
        f"{what} is not installed (looked in {home() / 'zoo' / entry.name} and the package): "
        f"reinstall kerasgan, or retrain it with `kerasgan train --recipe {entry.name}`"
    )
