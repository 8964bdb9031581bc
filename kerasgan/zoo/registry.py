"""The zoo registry: entries declared beside their architectures, weights verified on load."""

import copy
import dataclasses
import difflib
import importlib
import json
import os
import pathlib

from kerasgan.utils.files import kerasgan_home
from kerasgan.utils.files import sha256 as file_sha256

_ENTRIES = {}
_loaded = False


def _preset_modules():
    """``kerasgan.models.<architecture>.presets`` for every architecture folder that has a ``presets.py``.

    Found on disk, so a new architecture's entries need no central list.
    """
    import importlib.util

    spec = importlib.util.find_spec("kerasgan.models")
    names = set()
    for location in spec.submodule_search_locations or ():
        for folder in pathlib.Path(location).iterdir():
            if (folder / "presets.py").is_file() and (folder / "__init__.py").is_file():
                names.add(f"kerasgan.models.{folder.name}.presets")
    return sorted(names)


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


WEIGHTS_SUFFIX = ".weights.h5"


def weights_filename(network_name):
    """The zoo file of one of a model's ``networks``: ``NAME.weights.h5``."""
    return network_name + WEIGHTS_SUFFIX


def network_files(gan):
    """``{file name: network}`` for every network of ``gan`` (``gan.networks``), the sampling one first."""
    networks = dict(gan.networks)
    first = getattr(gan, "sampling_network", "generator")
    order = [first] + [name for name in networks if name != first]
    return {weights_filename(name): networks[name] for name in order}


def network_for_file(gan, filename, what):
    """The network of ``gan`` that ``filename`` (``NAME.weights.h5``) holds; a one-line error if none."""
    files = network_files(gan)
    if filename not in files:
        raise ValueError(
            f"{what}: file {filename!r} names no network of {type(gan).__name__} "
            f"(its networks: {', '.join(gan.networks)}); expected one of {', '.join(files)}"
        )
    return files[filename]


def register(entry):
    """Adds a ``ZooEntry``; called from each architecture's ``presets.py``."""
    if entry.name in _ENTRIES:
        raise ValueError(f"zoo entry {entry.name!r} is already registered")
    _ENTRIES[entry.name] = entry
    return entry


def _ensure_loaded():
    global _loaded
    if not _loaded:
        for module in _preset_modules():
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


#: Environment variable: a folder laid out like the repository's ``zoo/`` (NAME/FILE).
ZOO_DIR_ENV = "KERASGAN_ZOO_DIR"
#: Environment variable: base URL of release assets, files at ``BASE/NAME/FILE``.
ZOO_URL_ENV = "KERASGAN_ZOO_URL"


def _source_zoo_dir():
    """The ``zoo/`` folder of a source checkout this package runs from, if any."""
    folder = pathlib.Path(__file__).resolve().parents[2] / "zoo"
    return folder if (folder.parent / "kerasgan" / "zoo" / "registry.py").is_file() else None


def search_dirs(name):
    """Where the files of entry ``name`` are looked for, in order.

    ``$KERASGAN_HOME/zoo/NAME`` (downloads and user copies), the installed
    package, ``$KERASGAN_ZOO_DIR/NAME``, then the ``zoo/`` folder of a source
    checkout. Large entries are not in the wheel: they come from a clone's
    ``zoo/``, a folder named by ``KERASGAN_ZOO_DIR``, or a download.
    """
    dirs = [home() / "zoo" / name, released_dir(name)]
    if os.environ.get(ZOO_DIR_ENV):
        dirs.append(pathlib.Path(os.environ[ZOO_DIR_ENV]).expanduser() / name)
    source = _source_zoo_dir()
    if source is not None:
        dirs.append(source / name)
    unique = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def download_url(entry, filename):
    """Where ``filename`` of ``entry`` is downloaded from: the entry's ``url``, else ``$KERASGAN_ZOO_URL/NAME``; or None."""
    if entry.url:
        return f"{entry.url.rstrip('/')}/{filename}"
    base = os.environ.get(ZOO_URL_ENV)
    if base:
        return f"{base.rstrip('/')}/{entry.name}/{filename}"
    return None


def _find_local(entry, filename):
    for folder in search_dirs(entry.name):
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    return None


def resolve_file(entry, filename):
    """Local path of a verified weight file: the search folders (``search_dirs``), then a download.

    A download goes to ``$KERASGAN_HOME/zoo/NAME/FILE`` and is kept only once
    its sha256 matches the entry's, so later calls find it offline.
    """
    expected = entry.files[filename]
    what = f"zoo entry {entry.name!r}, file {filename}"
    local = _find_local(entry, filename)
    if local is not None:
        return verify_file(local, expected, what)
    url = download_url(entry, filename)
    if url:
        from kerasgan.utils.files import download_verified

        # download_verified keeps the file only after its sha256 matched: no second hash pass.
        return download_verified(url, home() / "zoo" / entry.name / filename, expected, what)
    looked = ", ".join(str(d) for d in search_dirs(entry.name))
    raise FileNotFoundError(
        f"{what} is not installed (looked in {looked}): set {ZOO_URL_ENV} to the release assets' base URL "
        f"(or {ZOO_DIR_ENV} to a folder of zoo entries) and run `kerasgan download {entry.name}`, "
        f"or retrain it with `kerasgan train --recipe {entry.name}`"
    )


def download(name):
    """Makes every file of entry ``name`` available offline; returns ``{file: local path}`` (verified)."""
    entry = get_entry(name)
    if not entry.files:
        raise ValueError(entry.no_weights_help or f"zoo entry {name!r} ships no weights")
    return {filename: resolve_file(entry, filename) for filename in entry.files}
