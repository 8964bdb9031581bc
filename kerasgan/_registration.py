"""Makes ``keras.models.load_model`` find kerasgan's classes after a plain ``import kerasgan``.

Keras resolves a saved class by its registered name (``kerasgan>DCGAN``), and
a class is registered only once the module defining it has run. kerasgan
imports its submodules lazily, so that ``import kerasgan`` and the CLI's
``--help`` do not load TensorFlow. To keep both promises:

- if Keras is already imported when kerasgan is, the modules that define
  Keras classes are imported at once (Keras and TensorFlow are loaded
  already, so this costs only kerasgan's own modules);
- otherwise a one-shot import hook waits for ``import keras`` to finish and
  imports them right after it. A program that never imports Keras (``kerasgan
  --help``, ``kerasgan list``) never pays for TensorFlow.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: Modules whose import registers every Keras-serializable kerasgan class.
SERIALIZABLE_MODULES = ("kerasgan.layers", "kerasgan.augment", "kerasgan.models")

_registered = False


def register_all():
    """Imports every module that registers kerasgan classes with Keras (idempotent)."""
    global _registered
    if _registered:
        return
    for module in SERIALIZABLE_MODULES:
        importlib.import_module(module)
    _registered = True


class _KerasLoader(importlib.abc.Loader):
    """Runs Keras's own loader, then registers kerasgan's classes."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # Hand the module its real loader back (resource readers use it).
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        try:
            register_all()
        except Exception as error:  # never break the user's `import keras`
            warnings.warn(
                f"kerasgan could not register its Keras classes ({type(error).__name__}: {error}); "
                f"`import kerasgan.models` before keras.models.load_model",
                stacklevel=2,
            )

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _KerasImportHook(importlib.abc.MetaPathFinder):
    """A meta-path finder that only wraps the loader of the top-level ``keras`` package."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras":
            return None
        _remove_hook()
        spec = importlib.util.find_spec("keras")
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _KerasLoader(spec.loader)
        return spec


def _remove_hook():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasImportHook)]


def install():
    """Registers now if Keras is loaded, else when it is first imported."""
    keras = sys.modules.get("keras")
    if keras is not None and getattr(keras, "models", None) is not None:
        register_all()
        return
    if not any(isinstance(f, _KerasImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasImportHook())
