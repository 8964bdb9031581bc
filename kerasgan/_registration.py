"""Makes ``keras.models.load_model`` find kerasgan's classes after a plain ``import kerasgan``.

Keras resolves a saved class by its registered name (``kerasgan>DCGAN``), and
a class is registered only once the module defining it has run. kerasgan
imports its submodules lazily, so that ``import kerasgan`` and the CLI's
``--help`` do not load TensorFlow. To keep both promises:

- if Keras is already imported when kerasgan is, the modules that define
  Keras classes are imported at once (Keras and TensorFlow are loaded
  already, so this costs only kerasgan's own modules);
- otherwise an import hook waits for Keras to be loaded (by ``import keras``,
  or by ``import tensorflow``, which loads Keras while it initialises) and
  imports them once neither package is still initialising; then it removes
  itself. A program that never imports Keras (``kerasgan --help``,
  ``kerasgan list``) never pays for TensorFlow.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: Modules whose import registers every Keras-serializable kerasgan class.
SERIALIZABLE_MODULES = ("kerasgan.layers", "kerasgan.augment", "kerasgan.schedules", "kerasgan.models")

_registered = False


def register_all():
    """Imports every module that registers kerasgan classes with Keras (idempotent)."""
    global _registered
    if _registered:
        return
    for module in SERIALIZABLE_MODULES:
        importlib.import_module(module)
    _registered = True


#: Top-level packages whose loading is watched: TensorFlow imports Keras while
#: it initialises itself, so registration waits until neither is mid-import.
_WATCHED = ("keras", "tensorflow")


def _initializing(name):
    module = sys.modules.get(name)
    return module is not None and bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _maybe_register(finished):
    """Registers once Keras is loaded and neither Keras nor TensorFlow is still initialising.

    ``finished``: the watched package whose code has just run (its import
    system flag still says "initialising" until its loader returns).
    """
    if "keras" not in sys.modules or any(_initializing(name) for name in _WATCHED if name != finished):
        return
    _remove_hook()
    try:
        register_all()
    except Exception as error:  # never break the user's `import keras`
        warnings.warn(
            f"kerasgan could not register its Keras classes ({type(error).__name__}: {error}); "
            f"`import kerasgan.models` before keras.models.load_model",
            stacklevel=3,
        )


class _WatchingLoader(importlib.abc.Loader):
    """Runs a watched package's own loader, then registers kerasgan's classes if the time has come."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        # Hand the module its real loader (resource readers use it), then run it.
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        _maybe_register(module.__name__)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _KerasImportHook(importlib.abc.MetaPathFinder):
    """A meta-path finder that wraps the loaders of ``keras`` and ``tensorflow``.

    It stays installed until registration happened: a mere ``find_spec``
    probe (TensorFlow checks for Keras that way) loads nothing.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname not in _WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _WatchingLoader(spec.loader)
                return spec
        return None


def _remove_hook():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasImportHook)]


def install():
    """Registers now if Keras is loaded, else as soon as Keras (or TensorFlow, which loads it) is imported."""
    keras = sys.modules.get("keras")
    if keras is not None and not any(_initializing(name) for name in _WATCHED):
        register_all()
        return
    if not any(isinstance(f, _KerasImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasImportHook())
