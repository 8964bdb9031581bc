"""kerasgan: a Keras 3 model zoo of generative adversarial networks.

Submodules are imported on first use, so ``import kerasgan`` and the CLI's
``--help`` stay fast and do not load TensorFlow until a model is needed::

    import kerasgan
    gan = kerasgan.zoo.load("dcgan_mnist")
    images = gan.sample(16, seed=0)

Keras classes (models, layers) are registered as soon as Keras is imported,
before or after kerasgan, so ``keras.models.load_model("gan.keras")`` works
after a plain ``import kerasgan`` (see ``kerasgan._registration``).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "callbacks",
    "cli",
    "convert",
    "data",
    "export",
    "losses",
    "metrics",
    "models",
    "regularizers",
    "utils",
    "zoo",
)

__all__ = list(_SUBMODULES) + ["__version__"]


from kerasgan import _registration

_registration.install()


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"kerasgan.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
