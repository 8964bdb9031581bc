"""Import third-party PyTorch GAN checkpoints into kerasgan models.

Two layouts are supported, both read from ``state_dict`` files with
``torch.load(..., weights_only=True)`` (no arbitrary pickle code runs):

* ``pytorch_dcgan``: the DCGAN of pytorch/examples (``dcgan/main.py``),
  64x64 images, netG / netD saved with ``torch.save(net.state_dict(), ...)``.
* ``pytorch_cwgangp``: PyTorch-GAN-style class-conditional generators
  (label embedding concatenated to z, upsample + 3x3 conv blocks), e.g. a
  conditional WGAN-GP trained on MNIST.
* ``pytorch_mlp_gan``: fully connected GANs saved as an ``nn.Sequential`` of
  Linear layers with an activation between them (keys ``0.weight``,
  ``2.weight``, ...), e.g. csinva's MNIST GAN (64 -> 256 -> 256 -> 784).

``save_converted`` writes a folder that ``kerasgan.zoo.load(name,
weights=folder)`` and ``load_converted(folder)`` read back.

torch is an optional dependency, imported only when a checkpoint is read.

Example:
>>> from kerasgan import convert
>>> gan = convert.pytorch_dcgan("netG_epoch_24.pth", "netD_epoch_24.pth")
>>> convert.save_converted(gan, "lsun_weights")
>>> gan = convert.load_converted("lsun_weights")
"""

import json
import os
import re
import tempfile
import weakref

import numpy as np

CONFIG_FILE = "config.json"
FORMAT = "kerasgan-converted"

# What each converter produced, so that save_converted can record it:
# gan -> {"converter": ..., "generator": path, "discriminator": path or None}.
_PROVENANCE = weakref.WeakKeyDictionary()

# pytorch/examples dcgan/main.py, nn.Sequential indices of (conv, batch norm)
# and the matching kerasgan layer names. Activations sit at the other indices.
_DCGAN_G = (
    ("project", 0, 1), ("deconv1", 3, 4), ("deconv2", 6, 7), ("deconv3", 9, 10), ("deconv4", 12, None),
)
_DCGAN_D = (
    ("conv0", 0, None), ("conv1", 2, 3), ("conv2", 5, 6), ("conv3", 8, 9), ("logit_conv", 11, None),
)


# ----------------------------------------------------------------- reading
def _import_torch():
    try:
        import torch
    except ImportError:
        raise ImportError(
            "converting PyTorch checkpoints needs PyTorch, which is not installed: pip install torch"
        ) from None
    return torch


def _first_line(err):
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _read_state_dict(path, what):
    """``{key: numpy array}`` of a state_dict file (a leading ``module.`` is dropped)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such checkpoint file: {path}")
    with open(path, "rb") as f:
        head = f.read(4)
    # torch.save writes a zip archive ("PK..."), or a pickle (protocol >= 2
    # starts with 0x80) with the legacy serialisation.
    if not (head.startswith(b"PK") or head.startswith(b"\x80")):
        raise ValueError(
            f"{what} {path} is not a PyTorch checkpoint (neither a torch.save zip archive nor a pickle)"
        )
    torch = _import_torch()
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any failure means "not a checkpoint"
        if "weights only load failed" in str(err).lower():
            raise ValueError(
                f"{what} {path} holds Python objects besides tensors (a pickled model?), which are "
                f"not unpickled for safety: load it in PyTorch and save net.state_dict() instead"
            ) from None
        raise ValueError(f"{what} {path} is not a readable PyTorch checkpoint: {_first_line(err)}") from None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not obj:
        raise ValueError(
            f"{what} {path} holds a {type(obj).__name__}, not a state_dict: save it with "
            f"torch.save(net.state_dict(), path)"
        )
    arrays = {}
    for key, value in obj.items():
        if not torch.is_tensor(value):
            raise ValueError(
                f"{what} {path} is not a state_dict: entry {key!r} is of type "
                f"{type(value).__name__}, not a tensor"
            )
        name = key[len("module.") :] if str(key).startswith("module.") else str(key)
        value = value.detach().cpu()
        arrays[name] = value.float().numpy() if value.is_floating_point() else value.numpy()
    return arrays


def _fmt(shape):
    text = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({text},)" if len(shape) == 1 else f"({text})"


class _Checkpoint:
    """A state_dict being consumed key by key, with one-line errors."""

    def __init__(self, path, what, expected):
        self.path = os.fspath(path)
        self.what = what
        self.expected = expected  # e.g. "a pytorch/examples DCGAN netG state_dict"
        self.arrays = _read_state_dict(path, what)
        self.used = set()

    def error(self, message):
        return ValueError(f"{self.what} {self.path}: {message}; expected {self.expected}")

    def take(self, key, shape):
        """The array under ``key``; ``shape`` may hold ``None`` for "any size"."""
        if key not in self.arrays:
            found = ", ".join(repr(k) for k in list(self.arrays)[:4])
            more = ", ..." if len(self.arrays) > 4 else ""
            raise self.error(f"missing key {key!r} (the file has {found}{more})")
        array = self.arrays[key]
        if len(array.shape) != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, array.shape)
        ):
            raise self.error(f"{key} has shape {_fmt(array.shape)}, expected {_fmt(shape)}")
        self.used.add(key)
        return array

    def finish(self):
        """Raises on keys that were not consumed (BN batch counters excepted)."""
        extra = [
            k for k in self.arrays if k not in self.used and not k.endswith("num_batches_tracked")
        ]
        if extra:
            more = f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""
            raise self.error(f"unexpected key {extra[0]!r}{more}")


# ------------------------------------------------------------------ layouts
def _bn(ckpt, index, channels):
    prefix = f"main.{index}."
    return [
        ckpt.take(prefix + name, (channels,))
        for name in ("weight", "bias", "running_mean", "running_var")
    ]


def _set(model, layer_name, arrays):
    layer = model.get_layer(layer_name)
    expected = [tuple(w.shape) for w in layer.weights]
    actual = [tuple(a.shape) for a in arrays]
    if expected != actual:  # a bug in the mapping, not a user error
        raise AssertionError(f"{layer_name}: converted shapes {actual} != Keras shapes {expected}")
    layer.set_weights([np.ascontiguousarray(a, dtype="float32") for a in arrays])


def _dcgan_generator_weights(ckpt):
    """``(nz, ngf, nc, {layer name: [arrays]})`` of a pytorch/examples netG."""
    nz, c0, _, _ = ckpt.take("main.0.weight", (None, None, 4, 4)).shape
    if c0 % 8:
        raise ckpt.error(f"main.0.weight has {c0} output channels, expected 8 * ngf")
    ngf = c0 // 8
    nc = ckpt.take("main.12.weight", (ngf, None, 4, 4)).shape[1]
    channels = [nz, 8 * ngf, 4 * ngf, 2 * ngf, ngf, nc]
    weights = {}
    for i, (name, conv, bn) in enumerate(_DCGAN_G):
        w = ckpt.take(f"main.{conv}.weight", (channels[i], channels[i + 1], 4, 4))
        if name == "project":
            # ConvTranspose2d(nz, C, 4, 1, 0) on a 1x1 input writes
            # z[k] * w[k, c, i, j] at (c, i, j): a Dense layer whose output,
            # reshaped channels-last to (4, 4, C), is w moved to (k, i, j, c).
            kernel = w.transpose(0, 2, 3, 1).reshape(nz, 16 * channels[1])
        else:
            # (in, out, kh, kw) -> Keras Conv2DTranspose (kh, kw, out, in); both
            # are the transpose of a cross-correlation, so there is no flip,
            # and TF "same" padding for k=4, s=2 pads 1 on each side like
            # padding=1 (measured equal to 1e-7 in tests/test_convert.py).
            kernel = w.transpose(2, 3, 1, 0)
        weights[name] = [kernel]
        if bn is not None:
            weights[f"{name}_bn"] = _bn(ckpt, bn, channels[i + 1])
    ckpt.finish()
    return nz, ngf, nc, weights


def _dcgan_discriminator_weights(ckpt):
    """``(ndf, nc, {layer name: [arrays]})`` of a pytorch/examples netD."""
    ndf, nc, _, _ = ckpt.take("main.0.weight", (None, None, 4, 4)).shape
    channels = [nc, ndf, 2 * ndf, 4 * ndf, 8 * ndf, 1]
    weights = {}
    for i, (name, conv, bn) in enumerate(_DCGAN_D):
        w = ckpt.take(f"main.{conv}.weight", (channels[i + 1], channels[i], 4, 4))
        weights[name] = [w.transpose(2, 3, 1, 0)]  # (out, in, kh, kw) -> (kh, kw, in, out)
        if bn is not None:
            weights[f"{name}_bn"] = _bn(ckpt, bn, channels[i + 1])
    ckpt.finish()
    return ndf, nc, weights


def _linear_stack(ckpt):
    """``[(W, b), ...]`` of an nn.Sequential of Linear layers, checked to chain."""
    indices = sorted({int(m.group(1)) for k in ckpt.arrays if (m := re.fullmatch(r"(\d+)\.weight", k))})
    if not indices:
        ckpt.take("0.weight", (None, None))  # raises "missing key '0.weight'"
    layers = []
    for index in indices:
        fan_in = layers[-1][0].shape[0] if layers else None
        w = ckpt.take(f"{index}.weight", (None, fan_in))
        b = ckpt.take(f"{index}.bias", (w.shape[0],))
        layers.append((w, b))
    ckpt.finish()
    return layers


def _infer_image_shape(size, image_shape, ckpt):
    if image_shape is None:
        if size != 28 * 28:
            raise ckpt.error(f"{size} pixels is not a 28x28x1 image; pass image_shape=(H, W, C)")
        return (28, 28, 1)
    image_shape = tuple(int(d) for d in image_shape)
    if int(np.prod(image_shape)) != size:
        raise ckpt.error(f"{size} pixels do not make an image of shape {image_shape}")
    return image_shape


def _chw_to_hwc(image_shape):
    """Index map: flat HWC position -> flat CHW position (PyTorch's view order)."""
    h, w, c = image_shape
    return np.arange(h * w * c).reshape(c, h, w).transpose(1, 2, 0).reshape(-1)


# -------------------------------------------------------------- converters
def pytorch_dcgan(generator_path, discriminator_path=None):
    """A ``DCGAN`` holding the weights of a pytorch/examples DCGAN checkpoint.

    The checkpoint files are the ``netG_epoch_N.pth`` / ``netD_epoch_N.pth``
    state_dicts written by pytorch/examples ``dcgan/main.py`` (64x64 images).
    nz, ngf, ndf and the channels are read from the tensor shapes. Without a
    discriminator file the discriminator keeps its random initialisation.

    Args:
        generator_path: netG state_dict file.
        discriminator_path: optional netD state_dict file.

    Returns:
        ``kerasgan.models.DCGAN(image_shape=(64, 64, nc), latent_dim=nz,
        g_width=ngf, d_width=ndf)`` whose generator maps the same z (flat,
        shape (batch, nz)) to the same images as netG in eval mode (channels
        last), and whose discriminator returns the logit of netD's
        probability.

    Raises:
        ImportError: torch is not installed.
        FileNotFoundError: a file does not exist.
        ValueError: a file is not such a checkpoint (the message names the
            missing or unexpected key, or the tensor of the wrong shape).

    Reference:
        Radford, Metz & Chintala, ICLR 2016; pytorch/examples dcgan/main.py.
    """
    from kerasgan.models import DCGAN

    g_ckpt = _Checkpoint(generator_path, "generator checkpoint", "a pytorch/examples DCGAN netG state_dict")
    nz, ngf, nc, g_weights = _dcgan_generator_weights(g_ckpt)
    d_weights, ndf = None, None
    if discriminator_path is not None:
        d_ckpt = _Checkpoint(
            discriminator_path, "discriminator checkpoint", "a pytorch/examples DCGAN netD state_dict"
        )
        ndf, d_nc, d_weights = _dcgan_discriminator_weights(d_ckpt)
        if d_nc != nc:
            raise d_ckpt.error(f"it takes {d_nc}-channel images but the generator makes {nc}-channel ones")
    gan = DCGAN(image_shape=(64, 64, int(nc)), latent_dim=int(nz), g_width=int(ngf), d_width=ndf)
    for name, arrays in g_weights.items():
        _set(gan.generator, name, arrays)
    for name, arrays in (d_weights or {}).items():
        _set(gan.discriminator, name, arrays)
    _record(gan, "pytorch_dcgan", generator_path, discriminator_path)
    return gan


def pytorch_mlp_gan(generator_path, discriminator_path=None, image_shape=None):
    """A ``VanillaGAN`` holding the weights of a fully connected PyTorch GAN.

    Expects ``nn.Sequential`` state_dicts of Linear layers (keys
    ``0.weight``, ``0.bias``, ``2.weight``, ...): a generator
    ``Linear, ReLU, ..., Linear, Tanh`` and a discriminator
    ``Linear, LeakyReLU(0.2), ..., Linear(., 1), Sigmoid`` (the activations
    are not stored in the files; these are assumed). The latent size, the
    hidden sizes and the image size are read from the shapes; images are
    flattened in PyTorch's (C, H, W) order.

    Args:
        generator_path: generator state_dict file.
        discriminator_path: optional discriminator state_dict file; without
            it the discriminator mirrors the generator's hidden sizes and
            keeps its random initialisation.
        image_shape: (H, W, C); default (28, 28, 1) for 784 pixels.

    Returns:
        ``kerasgan.models.VanillaGAN`` with ReLU generator, LeakyReLU(0.2)
        discriminator, no dropout and normal latents.

    Example:
    >>> gan = convert.pytorch_mlp_gan("G--300.ckpt", "D--300.ckpt")
    >>> gan.sample(16, seed=0).shape
    (16, 28, 28, 1)
    """
    from kerasgan.models import VanillaGAN

    g_ckpt = _Checkpoint(
        generator_path, "generator checkpoint", "an MLP generator state_dict (0.weight, 2.weight, ...)"
    )
    g_layers = _linear_stack(g_ckpt)
    image_shape = _infer_image_shape(g_layers[-1][0].shape[0], image_shape, g_ckpt)
    hwc = _chw_to_hwc(image_shape)
    nz = g_layers[0][0].shape[1]
    g_units = tuple(int(w.shape[0]) for w, _ in g_layers[:-1])
    d_layers = None
    if discriminator_path is not None:
        d_ckpt = _Checkpoint(
            discriminator_path,
            "discriminator checkpoint",
            "an MLP discriminator state_dict (0.weight, 2.weight, ...)",
        )
        d_layers = _linear_stack(d_ckpt)
        size = int(np.prod(image_shape))
        if d_layers[0][0].shape[1] != size:
            raise d_ckpt.error(f"it takes {d_layers[0][0].shape[1]} inputs but the images have {size} pixels")
        if d_layers[-1][0].shape[0] != 1:
            raise d_ckpt.error(f"its last layer has {d_layers[-1][0].shape[0]} outputs, expected 1")
        d_units = tuple(int(w.shape[0]) for w, _ in d_layers[:-1])
    else:
        d_units = tuple(reversed(g_units))
    gan = VanillaGAN(
        image_shape=image_shape,
        latent_dim=int(nz),
        g_units=g_units,
        g_activation="relu",
        d_units=d_units,
        d_activation="leaky_relu",
        input_dropout=0.0,
        d_dropout=0.0,
        latent_distribution="normal",
    )
    for i, (w, b) in enumerate(g_layers):
        if i == len(g_layers) - 1:
            w, b = w[hwc], b[hwc]  # output rows in channels-last order
        _set(gan.generator, f"dense{i}", [w.T, b])
    for i, (w, b) in enumerate(d_layers or []):
        if i == 0:
            w = w[:, hwc]  # input columns in channels-last order
        name = "logits" if i == len(d_layers) - 1 else f"dense{i}"
        _set(gan.discriminator, name, [w.T, b])
    _record(gan, "pytorch_mlp_gan", generator_path, discriminator_path)
    return gan


def pytorch_cwgangp(generator_path):
    """A ``ConditionalGAN`` holding a PyTorch-GAN-style conditional generator (e.g. a conditional WGAN-GP on MNIST).

    The state_dict has ``label_emb.weight`` (classes x E), ``l1.0`` (a
    Linear from z and the label embedding, concatenated in that order, to
    128 x s x s) and ``conv_blocks`` = BatchNorm(128), Upsample, Conv3x3,
    BatchNorm(eps 0.8), ReLU, Upsample, Conv3x3, BatchNorm(eps 0.8), ReLU,
    Conv3x3, Tanh (indices 0, 2, 3, 6, 7, 9 hold weights). Classes, the
    embedding size, z's size and the image size are read from the shapes.
    The checkpoint has no discriminator: the returned model's (a projection
    discriminator) is freshly initialised.

    Returns:
        ``ConditionalGAN(..., g_layout="upsample", g_bn_epsilon=0.8)`` whose
        ``generate(z, labels=y)`` equals the PyTorch generator's
        ``forward(z, y)`` in eval mode (channels last).
    """
    from kerasgan.models import ConditionalGAN

    ckpt = _Checkpoint(generator_path, "generator checkpoint", "a PyTorch-GAN conditional generator state_dict (label_emb, l1.0, conv_blocks)")
    emb = ckpt.take("label_emb.weight", (None, None))
    classes, emb_dim = emb.shape
    w1 = ckpt.take("l1.0.weight", (None, None))
    b1 = ckpt.take("l1.0.bias", (w1.shape[0],))
    latent_dim = w1.shape[1] - emb_dim
    if latent_dim <= 0:
        raise ckpt.error(f"l1.0.weight takes {w1.shape[1]} inputs, not more than the {emb_dim}-d label embedding")
    bn0 = [ckpt.take(f"conv_blocks.0.{n}", (None,)) for n in ("weight", "bias", "running_mean", "running_var")]
    c0 = bn0[0].shape[0]
    side = int(round((w1.shape[0] / c0) ** 0.5))
    if side * side * c0 != w1.shape[0]:
        raise ckpt.error(f"l1.0 has {w1.shape[0]} outputs, not {c0} x s x s")
    conv = {}
    for index, bn_index in ((2, 3), (6, 7), (9, None)):
        k = ckpt.take(f"conv_blocks.{index}.weight", (None, None, 3, 3))
        conv[index] = [k.transpose(2, 3, 1, 0), ckpt.take(f"conv_blocks.{index}.bias", (k.shape[0],))]
        if bn_index is not None:
            conv[bn_index] = [ckpt.take(f"conv_blocks.{bn_index}.{n}", (k.shape[0],)) for n in ("weight", "bias", "running_mean", "running_var")]
    width, channels = conv[6][0].shape[-1], conv[9][0].shape[-1]
    if conv[2][0].shape[-1] != c0 or c0 != 2 * width:
        raise ckpt.error(f"feature maps {c0} -> {conv[2][0].shape[-1]} -> {width}: expected 2w -> 2w -> w")
    ckpt.finish()
    gan = ConditionalGAN(
        image_shape=(side * 4, side * 4, int(channels)), num_classes=int(classes), latent_dim=int(latent_dim),
        embedding_dim=int(emb_dim), g_width=int(width), g_layout="upsample", g_bn_epsilon=0.8,
    )
    # PyTorch views the Linear's output as (C, s, s); Keras reshapes to (s, s, C).
    perm = np.arange(c0 * side * side).reshape(c0, side, side).transpose(1, 2, 0).reshape(-1)
    body = gan.generator.get_layer("upsample_generator")
    _set(gan.generator, "label_embedding", [emb])
    _set(body, "project", [w1.T[:, perm], b1[perm]])
    _set(body, "project_bn", bn0)
    for name, index in (("conv1", 2), ("conv1_bn", 3), ("conv2", 6), ("conv2_bn", 7), ("to_image", 9)):
        _set(body, name, conv[index])
    if hasattr(gan, "ema_generator") and gan.ema_generator is not None:
        gan.ema_generator.set_weights(gan.generator.get_weights())
    _record(gan, "pytorch_cwgangp", generator_path, None)
    return gan


# --------------------------------------------------------------- registry
# The CLI's `kerasgan convert KIND` reads this table: a new converter adds its
# row here (name -> function, whether it takes a discriminator file, a help line).
CONVERTERS = {
    "pytorch-dcgan": {"fn": pytorch_dcgan, "discriminator": True,
                      "help": "pytorch/examples dcgan/main.py netG (and netD), 64x64"},
    "pytorch-mlp-gan": {"fn": pytorch_mlp_gan, "discriminator": True,
                        "help": "fully connected nn.Sequential G (and D), e.g. an MNIST MLP GAN"},
    "pytorch-cwgangp": {"fn": pytorch_cwgangp, "discriminator": False,
                        "help": "PyTorch-GAN-style class-conditional generator (label embedding + upsample convs)"},
}


def convert(kind, generator_path, discriminator_path=None):
    """Runs the converter named ``kind`` (a key of ``CONVERTERS``) on the checkpoint files."""
    if kind not in CONVERTERS:
        raise ValueError(f"unknown converter {kind!r}: choose one of {', '.join(CONVERTERS)}")
    entry = CONVERTERS[kind]
    if discriminator_path is not None and not entry["discriminator"]:
        raise ValueError(f"{kind} converts a generator only: drop the discriminator file")
    if entry["discriminator"]:
        return entry["fn"](generator_path, discriminator_path)
    return entry["fn"](generator_path)


def _record(gan, converter, generator_path, discriminator_path):
    _PROVENANCE[gan] = {
        "converter": converter,
        "generator": os.path.abspath(os.fspath(generator_path)),
        "discriminator": (
            None if discriminator_path is None else os.path.abspath(os.fspath(discriminator_path))
        ),
    }


# ------------------------------------------------------------- save / load
def _normalise_source(gan, source):
    recorded = _PROVENANCE.get(gan, {})
    if source is None:
        source = dict(recorded)
    elif isinstance(source, (str, os.PathLike)):
        source = {"generator": source}
    elif isinstance(source, (list, tuple)):
        if not 1 <= len(source) <= 2:
            raise ValueError(
                f"source must list the generator checkpoint and optionally the discriminator's, "
                f"got {len(source)} paths"
            )
        source = {"generator": source[0], "discriminator": source[1] if len(source) > 1 else None}
    elif isinstance(source, dict):
        source = dict(source)
    else:
        raise TypeError(f"source must be checkpoint paths or a dict, got {type(source).__name__}")
    source.setdefault("converter", recorded.get("converter"))
    if not source.get("generator"):
        raise ValueError("save_converted needs the generator checkpoint path in source")
    return source


def save_converted(gan, out_dir, source=None):
    """Writes a converted GAN as ``out_dir/{generator,discriminator}.weights.h5`` + ``config.json``.

    The discriminator is written only when it was converted. ``config.json``
    records the architecture, its arguments, the converter, the source
    checkpoints with their sha256 and the sha256 of the written files. Every
    file is written under a temporary name and moved into place, config.json
    last, so no final name ever holds a half-written file.

    Args:
        gan: a model returned by ``pytorch_dcgan`` or ``pytorch_mlp_gan``.
        out_dir: output folder (created; existing converted files replaced).
        source: the checkpoint paths ``[generator, discriminator]`` (or a
            dict with ``generator``, ``discriminator``, ``converter``);
            default: what the converter recorded.

    Returns:
        ``out_dir`` as a string. Load it with ``load_converted(out_dir)``, or
        with ``kerasgan.zoo.load(name, weights=out_dir)`` when the zoo entry
        has the same architecture arguments.
    """
    from kerasgan.zoo.registry import network_files, sha256

    source = _normalise_source(gan, source)
    architecture = getattr(gan, "architecture_name", None)
    if architecture is None:
        raise ValueError(f"{type(gan).__name__} is not a registered kerasgan architecture")
    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise NotADirectoryError(f"output {out_dir} exists and is not a folder")
    os.makedirs(out_dir, exist_ok=True)

    sources = {}
    for part in gan.networks:
        path = source.get(part)
        if path:
            path = os.path.abspath(os.fspath(path))
            sources[part] = {"path": path, "sha256": sha256(path)}
    model_args = {k: v for k, v in gan.get_config().items() if k != "name"}
    # The sampling network always; the others when their source was converted.
    files = network_files(gan)
    sampling = next(iter(files))
    parts = [(f, n) for f, n in files.items() if f == sampling or f[: -len(".weights.h5")] in sources]

    temps = {}
    try:
        for filename, network in parts:
            temps[filename] = _temp_name(out_dir, filename)
            network.save_weights(temps[filename])
        config = {
            "format": FORMAT,
            "architecture": architecture,
            "model_args": model_args,
            "converter": source.get("converter"),
            "sources": sources,
            "files": {filename: sha256(temps[filename]) for filename, _ in parts},
        }
        temps[CONFIG_FILE] = _temp_name(out_dir, CONFIG_FILE)
        with open(temps[CONFIG_FILE], "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
        # An old config.json must not describe the new weights, nor an old
        # discriminator file sit beside a generator it was not trained with.
        for stale in (CONFIG_FILE, *files):
            if os.path.exists(os.path.join(out_dir, stale)):
                os.remove(os.path.join(out_dir, stale))
        for filename, _ in parts:
            os.replace(temps.pop(filename), os.path.join(out_dir, filename))
        os.replace(temps.pop(CONFIG_FILE), os.path.join(out_dir, CONFIG_FILE))
    finally:
        for path in temps.values():
            if os.path.exists(path):
                os.remove(path)
    return out_dir


def _temp_name(folder, filename):
    # Keras insists on the ".weights.h5" ending, so keep the file's suffix.
    suffix = ".weights.h5" if filename.endswith(".weights.h5") else ".json"
    fd, path = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    os.close(fd)
    return path


def load_converted(out_dir, compile=True):
    """Rebuilds a GAN written by ``save_converted`` and loads its verified weights.

    Args:
        out_dir: the folder ``save_converted`` wrote.
        compile: compile with the architecture's training recipe.

    Returns:
        The GAN (any architecture and sizes the converter produced).
    """
    from kerasgan.models import get_architecture
    from kerasgan.zoo.registry import network_files, network_for_file, verify_file

    out_dir = os.fspath(out_dir)
    config_path = os.path.join(out_dir, CONFIG_FILE)
    if not os.path.isfile(config_path):
        raise FileNotFoundError(f"{out_dir} has no {CONFIG_FILE}: pass a folder written by save_converted")
    try:
        with open(config_path) as f:
            config = json.load(f)
        if config.get("format") != FORMAT:
            raise ValueError(f"format is {config.get('format')!r}, not {FORMAT!r}")
        architecture, model_args, files = config["architecture"], config["model_args"], config["files"]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{config_path} is not a converted-model config: {_first_line(err)}") from None
    gan = get_architecture(architecture)(**model_args)
    sampling = next(iter(network_files(gan)))
    if sampling not in files:
        raise ValueError(f"{config_path} lists no {sampling}")
    for filename, expected in files.items():
        network = network_for_file(gan, filename, config_path)
        path = os.path.join(out_dir, filename)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path} is missing (listed in {config_path})")
        verify_file(path, expected, f"converted model {out_dir}")
        network.load_weights(path)
    if compile:
        gan.compile()
    return gan
