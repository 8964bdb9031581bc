"""Registry of GAN architectures, filled by the ``register_architecture`` decorator.

Each architecture module registers its model class under a short name
(``"dcgan"``, ``"vanilla_gan"``); the CLI and the shared test harness read
this registry instead of importing models by string.
"""

import difflib

_ARCHITECTURES = {}


def register_architecture(name):
    """Class decorator: registers a ``GAN`` subclass under ``name``."""

    def decorator(cls):
        if name in _ARCHITECTURES and _ARCHITECTURES[name] is not cls:
            raise ValueError(f"architecture {name!r} is already registered")
        _ARCHITECTURES[name] = cls
        cls.architecture_name = name
        return cls

    return decorator


def list_architectures():
    """Sorted names of the registered architectures."""
    return sorted(_ARCHITECTURES)


def get_architecture(name):
    """Returns the model class registered under ``name``.

    Raises:
        ValueError: unknown name (the message lists close matches).
    """
    if name in _ARCHITECTURES:
        return _ARCHITECTURES[name]
    close = difflib.get_close_matches(str(name), list(_ARCHITECTURES), n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise ValueError(
        f"unknown architecture {name!r}: {hint}"
        f"choose one of {', '.join(list_architectures())}"
    )
