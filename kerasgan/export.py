"""Export a model for serving: SavedModel and TFLite.

The model names its endpoints (``model.serving_endpoints()``); this module
writes them. A latent -> image GAN has two signatures:

- ``serving_default``: ``z`` (float32 ``[None, latent_dim]``) -> ``images``
  (float32 in [-1, 1], ``[None, H, W, C]``);
- ``sample``: ``num`` (int32 scalar) and ``seed`` (int64 scalar) -> ``images``
  (uint8 ``[num, H, W, C]``), drawing the same latents as ``gan.sample``.

(with int32 ``labels`` beside ``z`` / ``num, seed`` for class-conditional
GANs); an image -> image model has ``serving_default`` (float images ->
float images) and ``translate_uint8`` (uint8 -> uint8). It loads with
``tf.saved_model.load`` in a process that never imports kerasgan (or as
``keras.layers.TFSMLayer``).
"""

import os
import shutil
import tempfile

import keras
import tensorflow as tf

from kerasgan.models.gan import stateless_latents

FORMATS = ("savedmodel", "tflite")


def to_uint8(images):
    """[-1, 1] floats -> uint8: (x + 1) * 127.5 rounded to the nearest integer (ties to even)."""
    return tf.cast(tf.round((tf.cast(images, tf.float32) + 1.0) * 127.5), tf.uint8)


def _archive(model):
    """An ExportArchive of the endpoints the model names (``model.serving_endpoints()``)."""
    spec = model.serving_endpoints()
    if "serving_default" not in spec["endpoints"]:
        raise ValueError(f"{type(model).__name__}.serving_endpoints() must name a 'serving_default' endpoint")
    archive = keras.export.ExportArchive()
    for network in spec["track"]:
        archive.track(network)
    for name, (fn, signature) in spec["endpoints"].items():
        archive.add_endpoint(name, fn, input_signature=signature)
    return archive


def _checked_range(values, count, name):
    """int32 ``values`` that the graph uses only after asserting 0 <= values < count.

    The identity under the control dependency makes every use wait for the
    checks, so an out-of-range value fails with this message instead of a
    gather error deep in the network (or, on some kernels, silently).
    """
    values = tf.cast(values, tf.int32)
    checks = [
        tf.debugging.assert_greater_equal(values, 0, message=f"{name} must be >= 0"),
        tf.debugging.assert_less(values, count, message=f"{name} must be < {count}"),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(values)


def latent_endpoints(generator, latent_dim, distribution, num_classes=None, raw_latent_dim=None, structure=None):
    """Endpoints of a latent -> image generator (unconditional or class-conditional).

    ``serving_default``: ``z`` (and int32 ``labels``) -> float ``images``;
    ``sample``: ``num``, ``seed`` (and ``labels``) -> uint8 ``images`` drawn
    from the same latents as ``GAN.sample``. Labels outside
    [0, num_classes) fail an assertion instead of indexing garbage.
    ``structure`` maps raw draws of ``raw_latent_dim`` values to latents
    (``GAN.structure_latents``; the identity by default).
    """
    raw_dim = latent_dim if raw_latent_dim is None else raw_latent_dim

    def draw(num, seed):
        raw = stateless_latents(raw_dim, distribution, num, seed)
        return raw if structure is None else structure(raw)

    if num_classes is None:
        def images_fn(z):
            return {"images": tf.cast(generator(z, training=False), tf.float32)}

        def sample_fn(num, seed):
            return {"images": to_uint8(generator(draw(num, seed), training=False))}

        label_specs = []
    else:
        def checked(labels):
            return _checked_range(labels, num_classes, "labels")

        def images_fn(z, labels):
            return {"images": tf.cast(generator([z, checked(labels)], training=False), tf.float32)}

        def sample_fn(num, seed, labels):
            return {"images": to_uint8(generator([draw(num, seed), checked(labels)], training=False))}

        label_specs = [tf.TensorSpec([None], tf.int32, name="labels")]
    return {
        "track": [generator],
        "endpoints": {
            "serving_default": (images_fn, [tf.TensorSpec([None, latent_dim], tf.float32, name="z"), *label_specs]),
            "sample": (sample_fn, [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int64, name="seed"), *label_specs]),
        },
    }


def translation_endpoints(generator, image_shape, num_domains=None):
    """Endpoints of an image -> image generator.

    ``serving_default``: float ``images`` in [-1, 1] (and int32 ``domain``,
    the target of a multi-domain model) -> float ``images``;
    ``translate_uint8``: uint8 ``images`` -> uint8 ``images``.
    """
    shape = [None, *image_shape]
    domain_specs = [] if num_domains is None else [tf.TensorSpec([None], tf.int32, name="domain")]

    def run(images, domain):
        if num_domains is None:
            return generator(images, training=False)
        return generator([images, _checked_range(domain, num_domains, "domain")], training=False)

    if num_domains is None:
        def float_fn(images):
            return {"images": tf.cast(run(images, None), tf.float32)}

        def uint8_fn(images):
            x = tf.cast(images, tf.float32) / 127.5 - 1.0
            return {"images": to_uint8(run(x, None))}
    else:
        def float_fn(images, domain):
            return {"images": tf.cast(run(images, domain), tf.float32)}

        def uint8_fn(images, domain):
            x = tf.cast(images, tf.float32) / 127.5 - 1.0
            return {"images": to_uint8(run(x, domain))}

    return {
        "track": [generator],
        "endpoints": {
            "serving_default": (float_fn, [tf.TensorSpec(shape, tf.float32, name="images"), *domain_specs]),
            "translate_uint8": (uint8_fn, [tf.TensorSpec(shape, tf.uint8, name="images"), *domain_specs]),
        },
    }


def _prepare_target(path, overwrite):
    path = os.path.abspath(os.fspath(path))
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists: choose another path or pass overwrite=True")
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = parent
        while not os.path.exists(blocker):
            blocker = os.path.dirname(blocker)
        raise NotADirectoryError(
            f"cannot create {parent}: {blocker} is a file, not a folder: choose another output path"
        ) from None
    except OSError as err:
        raise OSError(f"cannot create {parent}: {err.strerror or err}: choose a writable output path") from None
    if not os.access(parent, os.W_OK):
        raise PermissionError(f"cannot write to {parent}: choose a writable output path")
    return path, parent


def export_savedmodel(gan, path, overwrite=False):
    """Writes a SavedModel of ``gan``'s generator to the folder ``path``.

    Written to a temporary folder beside ``path`` and renamed into place, so
    an interrupted export never leaves a half-written model under ``path``.
    """
    path, parent = _prepare_target(path, overwrite)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        _archive(gan).write_out(tmp, verbose=False)
        if os.path.exists(path):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
    return path


def export_tflite(gan, path, quantize=None, overwrite=False):
    """Writes a TFLite flatbuffer of the ``z -> images`` generator.

    Args:
        quantize: ``None`` for float32 or ``"dynamic_int8"`` for dynamic-range
            int8 weights.
    """
    if quantize not in (None, "dynamic_int8"):
        raise ValueError(f"quantize must be None or 'dynamic_int8', got {quantize!r}")
    path, parent = _prepare_target(path, overwrite)
    with tempfile.TemporaryDirectory(dir=parent) as tmp:
        saved = os.path.join(tmp, "savedmodel")
        _archive(gan).write_out(saved, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved, signature_keys=["serving_default"])
        if quantize == "dynamic_int8":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        flatbuffer = converter.convert()
        staged = os.path.join(tmp, "model.tflite")
        with open(staged, "wb") as f:
            f.write(flatbuffer)
        os.replace(staged, path)
    return path


def export(gan, path, format="savedmodel", quantize=None, overwrite=False):
    """Exports ``gan`` as ``format`` ("savedmodel" or "tflite")."""
    if format in ("tf_saved_model", "saved_model"):
        format = "savedmodel"
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: use one of {', '.join(FORMATS)}")
    if format == "savedmodel":
        if quantize is not None:
            raise ValueError("quantize applies to format='tflite' only: drop quantize or export to tflite")
        return export_savedmodel(gan, path, overwrite=overwrite)
    return export_tflite(gan, path, quantize=quantize, overwrite=overwrite)
