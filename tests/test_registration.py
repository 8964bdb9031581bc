"""`import kerasgan` alone is enough for keras.models.load_model, in a fresh process, in either import order."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import keras

from kerasgan import models

from test_models import TINY, _images, labels_for, outputs

# One model per architecture, plus the options that add layers or state of
# their own (spectral norm, minibatch discrimination, virtual batch norm,
# EMA generator, ADA's augmentation pipeline).
SAVED = [(name, variants[0], {}) for name, variants in sorted(TINY.items())] + [
    ("dcgan", {**TINY["dcgan"][0], "d_norm": "spectral", "d_minibatch_kernels": 4, "g_norm": "virtual", "ema_decay": 0.9},
     {"augment": "ada"}),
]

LOADERS = {
    "kerasgan_first": "import kerasgan\nimport keras",
    "keras_first": "import keras\nimport kerasgan",
    "keras_submodule_after": "import kerasgan\nimport keras.models\nimport keras",
    # TensorFlow loads Keras while it initialises itself (and probes for it first).
    "tensorflow_after": "import kerasgan\nimport tensorflow\nimport keras",
    "tensorflow_first": "import tensorflow\nimport kerasgan\nimport keras",
}


def _run(code, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    paths = []
    for i, (name, kwargs, compile_args) in enumerate(SAVED):
        keras.utils.set_random_seed(i)
        gan = models.get_architecture(name)(**kwargs, seed=i)
        gan.compile(**compile_args)
        path = folder / f"{i}_{name}.keras"
        gan.save(path)
        np.save(folder / f"{i}_{name}.npy", outputs(gan, 3, 5))
        if hasattr(gan, "translate"):
            np.save(folder / f"{i}_{name}.input.npy", _images(gan.image_shape, 3, seed=5))
        paths.append(path)
        # How the fresh process asks for the same samples (plain Python values: class ids or captions).
        kwargs = {k: [v.item() if hasattr(v, "item") else v for v in vals] for k, vals in labels_for(gan, 3).items()}
        (folder / f"{i}_{name}.kwargs").write_text(repr(kwargs))
    return folder, paths


@pytest.mark.parametrize("imports", sorted(LOADERS))
def test_load_model_after_plain_import(saved_models, imports, tmp_path):
    folder, paths = saved_models
    code = LOADERS[imports] + "\n" + textwrap.dedent(
        f"""
        import ast, sys
        import numpy as np
        for path in {[str(p) for p in paths]!r}:
            gan = keras.models.load_model(path)
            assert gan.compiled, path
            expected = np.load(path[:-len('.keras')] + '.npy')
            kw = ast.literal_eval(open(path[:-len('.keras')] + '.kwargs').read())
            if hasattr(gan, "translate"):
                domains = getattr(gan, "num_domains", None)
                dkw = {{"domain": np.arange(3) % domains}} if domains else {{}}
                got = gan.translate(np.load(path[:-len('.keras')] + '.input.npy'), **dkw)
            else:
                got = gan.sample(3, seed=5, **kw)
            np.testing.assert_allclose(got, expected, atol=1e-6)
            print(type(gan).__name__)
        from kerasgan import _registration
        print("hook-removed" if not any(isinstance(f, _registration._KerasImportHook) for f in sys.meta_path) else "hook-left")
        """
    )
    # Run from an empty folder: nothing in the tests' folder may help the import.
    result = _run(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    names = result.stdout.split()
    assert names[:-1] == [type(models.get_architecture(n)(**kw)).__name__ for n, kw, _ in SAVED]
    assert names[-1] == "hook-removed"  # the import hook takes itself out once its work is done


def test_plain_import_does_not_load_tensorflow(tmp_path):
    result = _run("import sys, kerasgan\nprint('tensorflow' in sys.modules, 'keras' in sys.modules)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "False"]


def test_keras_import_registers_classes(tmp_path):
    code = (
        "import kerasgan, keras\n"
        "print(keras.saving.get_registered_object('kerasgan>DCGAN').__name__)\n"
        "print(keras.saving.get_registered_object('kerasgan>SNConv2D').__name__)"
    )
    result = _run(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["DCGAN", "SNConv2D"]


def test_every_module_with_keras_classes_is_registered(tmp_path):
    # A module that registers a Keras class but is not reached by
    # register_all() would load only after an explicit import: find them all.
    import pathlib

    import kerasgan

    root = pathlib.Path(kerasgan.__file__).parent
    defining = sorted(
        "kerasgan." + ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in root.rglob("*.py")
        if "register_keras_serializable" in path.read_text() and path.name != "_registration.py"
    )
    assert "kerasgan.models.dcgan.dcgan" in defining
    code = f"import sys, kerasgan, keras\nmissing = [m for m in {defining!r} if m not in sys.modules]\nprint(missing)"
    result = _run(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
