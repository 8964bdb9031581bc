"""A catalogue of bad inputs: every one fails with one actionable message.

Each Python case is ``(callable, exception type, regex)``: the callable gets a
``Ctx`` (a tiny compiled model, a folder of prepared bad files) and must raise
that type with a message matching the regex, which names both the problem and
the fix. Each CLI case is ``(argv, regex)``: ``kerasgan.cli.main(argv)`` must
exit with code 2 and print exactly one ``kerasgan: error: ...`` line on stderr,
without a traceback. A few cases run the real ``python -m kerasgan.cli`` to
prove that no warning or traceback reaches the terminal.
"""

import os
import re
import shutil
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import cli, data, losses, models, zoo
from kerasgan.metrics.evaluate import evaluate, evaluate_styles, evaluate_super_resolution, evaluate_text, evaluate_translation
from kerasgan.metrics.paired import paired_scores
from kerasgan.utils.images import make_grid, save_grid, save_image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE = (28, 28, 1)
LATENT = 8
MNIST_G_SHA = zoo.get_entry("dcgan_mnist").files["generator.weights.h5"]
RELEASED = zoo.released_dir("dcgan_mnist")


def text_model():
    keras.utils.set_random_seed(0)
    return models.TextToImageGAN(image_shape=(32, 32, 3), vocabulary=["cat", "dog", "face", "grinning", "smiling"], max_tokens=4,
                                 latent_dim=4, embed_dim=4, condition_dim=2, text_dim=2, g_width=2, d_width=2, seed=0)


def kerasgan_layers():
    from kerasgan import layers

    return layers


def tiny(name, **kwargs):
    """A tiny model of one of the later families (labels, codes, encoders, growing), seeded."""
    keras.utils.set_random_seed(0)
    args = {
        "cgan": dict(image_shape=SHAPE, num_classes=10, latent_dim=LATENT, g_width=4, d_width=4),
        "acgan": dict(image_shape=SHAPE, num_classes=10, latent_dim=LATENT, g_width=4, d_width=4),
        "infogan": dict(image_shape=SHAPE, noise_dim=4, categorical=(3,), continuous=2, g_width=4, d_width=4),
        "ssgan": dict(image_shape=SHAPE, num_classes=3, latent_dim=6, g_units=8, d_units=(16, 8)),
        "bigan": dict(image_shape=SHAPE, latent_dim=6, units=16),
        "progan": dict(image_shape=(8, 8, 1), latent_dim=8, g_width=4, d_width=4),
        "srgan": dict(image_shape=(8, 8, 3), scale=2, g_width=4, g_blocks=1, d_width=2, d_dense=8, feature_weight=0),
    }[name]
    return models.get_architecture(name)(**{**args, **kwargs}, seed=0)


def compiled(model):
    model.compile()
    return model


def head_missing(c):
    """AC-GAN's class loss on a discriminator output without the class head."""
    from kerasgan.models.batch import GANBatch

    gan, logits = tiny("acgan"), tf.zeros((2, 1))
    return gan.compute_auxiliary_terms("generator", GANBatch(real=None, fake=None, labels=tf.constant([0, 1]), fake_output=logits))


def latent_tools():
    from kerasgan import latent

    return latent


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def gan():
    keras.utils.set_random_seed(0)
    model = models.DCGAN(image_shape=SHAPE, latent_dim=LATENT, g_width=4, d_width=4, seed=0)
    model.compile()
    return model


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    """A tiny pix2pix (line art -> colour) and its .keras file."""
    model = models.get_architecture("pix2pix")(image_shape=(64, 64, 3), g_width=4, d_width=4, seed=0,
                                                styles=("openmoji_black", "openmoji"))
    model.compile()
    path = tmp_path_factory.mktemp("p2p") / "p2p.keras"
    model.save(path)
    return model, path


@pytest.fixture
def ctx(gan, translator, tmp_path, monkeypatch):
    """The tiny models, tmp_path with prepared bad files, and an isolated KERASGAN_HOME."""
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    shutil.copy(translator[1], tmp_path / "p2p.keras")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.png").write_bytes(b"")
    (tmp_path / "empty").mkdir()
    (tmp_path / "not_images").mkdir()
    (tmp_path / "not_images" / "readme.txt").write_text("hello")
    (tmp_path / "not_images" / "labels.csv").write_text("0,1\n")
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not a png")
    (tmp_path / "a_file.txt").write_text("a regular file, not a folder")
    (tmp_path / "existing").mkdir()
    (tmp_path / "garbage.npz").write_text("not a zip archive")
    (tmp_path / "table.csv").write_text("1,2,3\n")
    (tmp_path / "bad.weights.h5").write_bytes(os.urandom(512))
    (tmp_path / "no_weights").mkdir()
    (tmp_path / "model.keras").write_text("not a keras archive")
    np.savez(tmp_path / "no_x.npz", images=np.zeros((4, 28, 28), np.uint8))
    np.savez(tmp_path / "single.npz", x=np.zeros((4, 28, 28), np.uint8))
    return types.SimpleNamespace(gan=gan, translator=translator[0], tmp=tmp_path, monkeypatch=monkeypatch)


def images(n=8, lo=-1.0, hi=1.0, shape=SHAPE, dtype="float32"):
    return np.random.default_rng(0).uniform(lo, hi, (n,) + shape).astype(dtype)


def dataset(x, batch=4):
    return tf.data.Dataset.from_tensor_slices(x).batch(batch)


def with_value(x, value):
    x = x.copy()
    x[0, 0, 0, 0] = value
    return x


def tiny_generator(latent=4, shape=(8, 8, 1)):
    z = keras.Input((latent,))
    x = keras.layers.Dense(int(np.prod(shape)), activation="tanh")(z)
    return keras.Model(z, keras.layers.Reshape(shape)(x))


def tiny_discriminator(shape=(8, 8, 1), outputs=1):
    x = keras.Input(shape)
    return keras.Model(x, keras.layers.Dense(outputs)(keras.layers.Flatten()(x)))


def flat_generator(latent=4):
    z = keras.Input((latent,))
    return keras.Model(z, keras.layers.Dense(10)(z))


def cached_release(c, transform):
    """Puts a changed copy of dcgan_mnist's generator file into the KERASGAN_HOME cache."""
    cache = c.tmp / "home" / "zoo" / "dcgan_mnist"
    cache.mkdir(parents=True)
    transform(cache / "generator.weights.h5")


def truncate(path):
    path.write_bytes((RELEASED / "generator.weights.h5").read_bytes()[:-100])


def swap(path):
    shutil.copyfile(RELEASED / "discriminator.weights.h5", path)


def same_optimizer(c):
    opt = keras.optimizers.Adam()
    c.gan.compile(g_optimizer=opt, d_optimizer=opt)


# ------------------------------------------------------------ Python cases
P = pytest.param
PYTHON_CASES = [
    # --- zoo: names, weights
    P(lambda c: zoo.load("dcgan_mnst"), ValueError, r"unknown zoo entry 'dcgan_mnst': did you mean 'dcgan_mnist'", id="zoo-load-typo"),
    P(lambda c: zoo.info("gan_mnsit"), ValueError, r"unknown zoo entry 'gan_mnsit': did you mean 'gan_mnist'", id="zoo-info-typo"),
    P(lambda c: zoo.get_entry("stylegan_ffhq"), ValueError, r"unknown zoo entry 'stylegan_ffhq': run `kerasgan list`", id="zoo-unknown-no-match"),
    P(lambda c: zoo.load(42), TypeError, r"zoo names are strings.*got int.*kerasgan\.zoo\.list\(\)", id="zoo-name-not-str"),
    P(lambda c: zoo.load("dcgan_mnist", weights="missing.weights.h5"), FileNotFoundError,
      r"weights file .*missing\.weights\.h5 does not exist: check the path", id="zoo-weights-missing"),
    P(lambda c: zoo.load("dcgan_mnist", weights=c.tmp / "no_weights"), FileNotFoundError,
      r"has no generator\.weights\.h5: pass the folder", id="zoo-weights-folder-empty"),
    P(lambda c: zoo.load("dcgan_mnist", weights=c.tmp / "a_file.txt"), ValueError,
      r"must be a Keras \.weights\.h5 file", id="zoo-weights-wrong-suffix"),
    P(lambda c: zoo.load("dcgan_mnist", weights=c.tmp / "bad.weights.h5"), ValueError,
      r"cannot load .*bad\.weights\.h5 into the dcgan_generator.*: pass a \.weights\.h5 file saved from", id="zoo-weights-corrupt-explicit"),
    P(lambda c: zoo.load("dcgan_mnist", weights=RELEASED / "discriminator.weights.h5"), ValueError,
      r"cannot load .*discriminator\.weights\.h5 into the dcgan_generator.*: pass a \.weights\.h5 file saved from", id="zoo-weights-swapped-explicit"),
    P(lambda c: (cached_release(c, truncate), zoo.load("dcgan_mnist")), ValueError,
      rf"generator\.weights\.h5 is corrupt .*sha256 [0-9a-f]{{16}}.*expected {MNIST_G_SHA[:16]}.*: delete it", id="zoo-release-truncated"),
    P(lambda c: (cached_release(c, swap), zoo.load("dcgan_mnist")), ValueError,
      rf"not the released file \(sha256 [0-9a-f]{{16}}.*expected {MNIST_G_SHA[:16]}.*: delete it", id="zoo-release-swapped"),
    P(lambda c: zoo.load("dcgan_lsun"), FileNotFoundError, r"ships no weights.*kerasgan train --recipe dcgan_lsun", id="zoo-no-weights"),
    # --- GAN construction
    P(lambda c: models.GAN(tiny_generator(), tiny_discriminator((16, 16, 1))), ValueError,
      r"generator output shape \(8, 8, 1\) does not match discriminator input shape \(16, 16, 1\): make both", id="gan-shape-mismatch"),
    P(lambda c: models.GAN(tiny_generator(), tiny_discriminator(outputs=10)), ValueError,
      r"must output one logit per image.*got \(2, 10\): end it with Dense\(1\)", id="gan-d-many-logits"),
    P(lambda c: models.GAN(flat_generator(), tiny_discriminator()), ValueError,
      r"generator must output images \(batch, H, W, C\); got shape \(2, 10\)", id="gan-g-not-images"),
    P(lambda c: models.GAN(tiny_generator(latent=4), tiny_discriminator(), latent_dim=16), ValueError,
      r"does not accept latents of shape \(batch, 16\).*check latent_dim", id="gan-latent-dim-mismatch"),
    P(lambda c: models.GAN(lambda z: z, tiny_discriminator()), TypeError, r"generator must be a Keras model, got function", id="gan-g-not-model"),
    P(lambda c: models.GAN(tiny_generator(), tiny_discriminator(), latent_distribution="gaussian"), ValueError,
      r"latent_distribution must be one of \('normal', 'uniform'\), got 'gaussian'", id="gan-latent-distribution"),
    # --- modern generators (#17)
    P(lambda c: models.SAGAN(image_shape=(28, 28, 1), g_width=4, d_width=8), ValueError,
      r"SAGAN builds square images whose side is 4 times a power of two .*got 28x28", id="sagan-image-side"),
    P(lambda c: models.SAGAN(image_shape=(32, 32, 3), g_width=4, d_width=8, attention_resolution=12), ValueError,
      r"attention_resolution must be one of the feature-map sides \[8, 16, 32\] \(or None", id="sagan-attention-side"),
    P(lambda c: models.SAGAN(image_shape=(32, 32, 3), g_width=1, d_width=8, attention_resolution=16), ValueError,
      r"self-attention needs at least 8 maps .*G has 2 at attention_resolution: raise g_width", id="sagan-attention-too-narrow"),
    P(lambda c: models.StyleGAN(image_shape=(8, 8, 1), latent_dim=4, w_dim=4, mapping_layers=1, g_width=2, d_width=2).sample(
        2, seed=0, truncation=1.5), ValueError, r"StyleGAN's truncation psi must be in \(0, 1\] \(1: none", id="stylegan-truncation-range"),
    P(lambda c: models.StyleGAN(image_shape=(8, 8, 1), latent_dim=4, w_dim=4, mapping_layers=1, g_width=2, d_width=2).mix(
        np.zeros((1, 4)), np.zeros((1, 4)), 9), ValueError, r"crossover must be a layer index in \[0, 4\]", id="stylegan-crossover-past-layers"),
    P(lambda c: models.StyleGAN2(image_shape=(24, 24, 3), latent_dim=4, w_dim=4, mapping_layers=1, g_width=2, d_width=2), ValueError,
      r"StyleGAN2 builds square images whose side is 4 times a power of two .*got 24x24", id="stylegan2-resolution"),
    P(lambda c: models.BigGAN(image_shape=(16, 16, 3), num_classes=3, latent_dim=8, g_width=4, d_width=8, attention_resolution=8).sample(
        2, seed=0, labels=0, truncation=0.0), ValueError, r"truncation must be a threshold > 0", id="biggan-truncation"),
    # --- compile
    P(lambda c: c.gan.compile(loss="modifed"), ValueError, r"unknown discriminator loss 'modifed': did you mean modified", id="compile-loss-typo"),
    P(lambda c: c.gan.compile(g_loss="wasserstien"), ValueError, r"unknown generator loss 'wasserstien': did you mean wasserstein", id="compile-g-loss-typo"),
    P(lambda c: c.gan.compile(loss="focal"), ValueError, r"unknown discriminator loss 'focal': choose one of .*hinge", id="compile-loss-unknown"),
    P(lambda c: c.gan.compile(label_smoothing=1.0), ValueError, r"label_smoothing must be in \[0, 1\), got 1\.0", id="compile-smoothing-1"),
    P(lambda c: c.gan.compile(label_smoothing=-0.1), ValueError, r"label_smoothing must be in \[0, 1\), got -0\.1", id="compile-smoothing-negative"),
    P(lambda c: c.gan.compile(label_smoothing="high"), (ValueError, TypeError), r"label_smoothing must be a number in \[0, 1\)",
      id="compile-smoothing-str"),
    P(lambda c: c.gan.compile(d_steps=0), ValueError, r"d_steps must be a positive integer, got 0", id="compile-d-steps-0"),
    P(lambda c: c.gan.compile(d_steps=1.5), ValueError, r"d_steps must be a positive integer, got 1\.5", id="compile-d-steps-float"),
    P(lambda c: c.gan.compile(d_steps=True), ValueError, r"d_steps must be a positive integer, got True", id="compile-d-steps-bool"),
    P(lambda c: c.gan.compile(g_optimizer="adamm"), ValueError, r"g_optimizer: .*'adamm'.*did you mean 'adam'",
      id="compile-optimizer-typo"),
    P(lambda c: c.gan.compile(d_optimizer=42), TypeError, r"d_optimizer must be a keras optimizer, got int", id="compile-optimizer-type"),
    P(same_optimizer, ValueError, r"g_optimizer and d_optimizer must be two different optimizer objects", id="compile-same-optimizer"),
    # --- fit: numpy and tf.data
    P(lambda c: c.gan.fit(images()[..., 0], batch_size=4, verbose=0), ValueError,
      r"have shape \(8, 28, 28\); this model expects \(batch, 28, 28, 1\): resize", id="fit-rank-3"),
    P(lambda c: c.gan.fit(images(shape=(28, 28, 3)), batch_size=4, verbose=0), ValueError,
      r"have shape \(8, 28, 28, 3\); this model expects \(batch, 28, 28, 1\)", id="fit-channels"),
    P(lambda c: c.gan.fit(images(shape=(32, 32, 1)), batch_size=4, verbose=0), ValueError,
      r"have shape \(8, 32, 32, 1\); this model expects \(batch, 28, 28, 1\): resize", id="fit-size"),
    P(lambda c: c.gan.fit(dataset(images(shape=(32, 32, 1))), verbose=0), ValueError,
      r"the training data have shape \(4, 32, 32, 1\); this model expects \(batch, 28, 28, 1\)", id="fit-dataset-size"),
    P(lambda c: c.gan.fit(dataset(images(shape=(28, 28))), verbose=0), ValueError,
      r"the training data have shape \(4, 28, 28\); this model expects", id="fit-dataset-rank-3"),
    P(lambda c: c.gan.fit(images(lo=0, hi=255, dtype="uint8"), batch_size=4, verbose=0), ValueError,
      r"dtype uint8; expected float32 images in \[-1, 1\]: scale uint8 images with x / 127\.5 - 1", id="fit-uint8"),
    P(lambda c: c.gan.fit(dataset(images(lo=0, hi=255, dtype="uint8")), verbose=0), ValueError,
      r"the training data have dtype uint8.*x / 127\.5 - 1", id="fit-dataset-uint8"),
    P(lambda c: c.gan.fit(images(lo=0, hi=255), batch_size=4, verbose=0), ValueError,
      r"values in \[.*\]; expected \[-1, 1\]: scale \[0, 255\] data with x / 127\.5 - 1", id="fit-0-255-floats"),
    P(lambda c: c.gan.fit(dataset(images(lo=0, hi=255)), verbose=0), ValueError,
      r"the training data have values in .*expected \[-1, 1\]: scale", id="fit-dataset-0-255-floats"),
    P(lambda c: c.gan.fit(with_value(images(), np.nan), batch_size=4, verbose=0), ValueError,
      r"contain NaN or Inf values: clean the data", id="fit-nan"),
    P(lambda c: c.gan.fit(dataset(with_value(images(), np.inf)), verbose=0), ValueError,
      r"the training data contain NaN or Inf values: clean the data", id="fit-dataset-inf"),
    P(lambda c: c.gan.fit(None), ValueError, r"fit needs training images: pass a tf\.data\.Dataset or a numpy array", id="fit-none"),
    P(lambda c: c.gan.fit(dataset(images()), y=np.zeros(8)), ValueError, r"pass labels inside the dataset, not as y=", id="fit-dataset-with-y"),
    P(lambda c: c.gan.fit(images(), batch_size=0), ValueError, r"batch_size must be (a )?positive", id="fit-batch-size-0"),
    P(lambda c: c.gan.fit(images(), batch_size=-4), ValueError, r"batch_size must be (a )?positive", id="fit-batch-size-negative"),
    P(lambda c: c.gan.fit(images(), batch_size=True, epochs=0), (ValueError, TypeError), r"batch_size must be a positive integer, got True",
      id="fit-batch-size-bool"),
    P(lambda c: c.gan.fit(images(), batch_size=2.5, epochs=0), (ValueError, TypeError), r"batch_size must be a positive integer, got 2\.5",
      id="fit-batch-size-float"),
    P(lambda c: c.gan.fit(images(4), batch_size=32), ValueError, r"batch_size 32 is larger than the 4 images.*smaller batch_size",
      id="fit-batch-larger-than-data"),
    # --- generate / sample
    P(lambda c: c.gan.generate(np.zeros((4, LATENT + 1))), ValueError, rf"latent vectors must have shape \(num, {LATENT}\); got \(4, {LATENT + 1}\)", id="generate-latent-size"),
    P(lambda c: c.gan.generate(np.zeros(LATENT)), ValueError, rf"latent vectors must have shape \(num, {LATENT}\); got \({LATENT}\)", id="generate-latent-rank"),
    P(lambda c: c.gan.sample(0), ValueError, r"num must be a positive integer, got 0", id="sample-num-0"),
    P(lambda c: c.gan.sample(-3), ValueError, r"num must be a positive integer, got -3", id="sample-num-negative"),
    P(lambda c: c.gan.sample(2.5), ValueError, r"num must be a positive integer, got 2\.5", id="sample-num-float"),
    P(lambda c: c.gan.sample(True), ValueError, r"num must be a positive integer, got True", id="sample-num-bool"),
    # --- losses
    P(lambda c: losses.get("modifed", "generator"), ValueError, r"unknown generator loss 'modifed': did you mean modified", id="losses-typo"),
    P(lambda c: losses.get("modified", "critic"), ValueError, r"kind must be 'discriminator' or 'generator', got 'critic'", id="losses-kind"),
    # --- data.load / load_arrays
    P(lambda c: data.load(c.tmp / "empty"), ValueError, r"the folder has no files: point to a folder of images", id="data-empty-folder"),
    P(lambda c: data.load(c.tmp / "not_images"), ValueError, r"is not an image file .*remove it or pass skip_bad_files=True", id="data-non-images"),
    P(lambda c: data.load(c.tmp / "not_images", skip_bad_files=True), ValueError,
      r"the folder has no readable images \(2 files skipped\): add image files", id="data-non-images-skipped"),
    P(lambda c: data.load(c.tmp / "corrupt"), ValueError, r"cannot read image .*broken\.png .*remove it or pass skip_bad_files=True", id="data-corrupt-image"),
    P(lambda c: data.load("nowhere/missing.npz"), FileNotFoundError, r"no such folder or file: check the path", id="data-missing-npz"),
    P(lambda c: data.load(c.tmp / "no_x.npz"), ValueError, r"has no 'x' or 'x_train' array \(it has images\): save images under x", id="data-npz-without-x"),
    P(lambda c: data.load(c.tmp / "single.npz", split="test"), ValueError, r"has a single split \(x, y\): use split='train'", id="data-npz-single-split"),
    P(lambda c: data.load_arrays("mnist", split="tset"), ValueError, r"has no split 'tset' \(it has test, train\): use split='test' or 'train'", id="data-npz-split-typo"),
    P(lambda c: data.load(c.tmp / "garbage.npz"), ValueError, r"cannot read .*garbage\.npz as an \.npz file.*check the file", id="data-corrupt-npz"),
    P(lambda c: data.load(c.tmp / "table.csv"), ValueError, r"is a file but not an \.npz file: pass a folder of images or an \.npz file", id="data-not-npz"),
    P(lambda c: data.load("mnsit"), ValueError, r"unknown dataset: did you mean 'mnist'\?", id="data-unknown-name"),
    P(lambda c: data.load("fashion_mnsit"), ValueError, r"unknown dataset: did you mean 'fashion_mnist'", id="data-unknown-name-2"),
    P(lambda c: data.load(42), TypeError, r"source must be a dataset name, a path or a numpy array, got int", id="data-source-type"),
    P(lambda c: data.load(images(), image_size=0), ValueError, r"image_size must be a positive integer, got 0", id="data-image-size-0"),
    P(lambda c: data.load(images(), image_size=2.5), TypeError, r"image_size must be a positive integer, got 2\.5", id="data-image-size-float"),
    P(lambda c: data.load(images(), image_size=True), TypeError, r"image_size must be a positive integer, got True", id="data-image-size-bool"),
    P(lambda c: data.load(images(), batch_size=0), ValueError, r"batch_size must be a positive integer, got 0", id="data-batch-size-0"),
    P(lambda c: data.load(images(), batch_size=64), ValueError, r"batch_size 64 is larger than the 8 images.*use a smaller batch_size", id="data-batch-too-large"),
    P(lambda c: data.load(images(), crop="middle"), ValueError, r"crop must be None or 'center', got 'middle'", id="data-crop"),
    P(lambda c: data.load(images(), value_range=(1, 0)), ValueError, r"value_range must be finite \(lo, hi\) with hi > lo", id="data-value-range"),
    P(lambda c: data.load(images(lo=0, hi=255)), ValueError, r"outside the value range \[-1, 1\].*pass value_range=\(0, 255\)", id="data-0-255-floats"),
    P(lambda c: data.load(with_value(images(), np.nan)), ValueError, r"NaN or Inf values: clean the data", id="data-nan"),
    P(lambda c: data.load(np.zeros((8, 28, 28), bool)), TypeError, r"images must be uint8, integer or float numbers, got dtype bool", id="data-bool"),
    P(lambda c: data.load(np.zeros((8, 784), np.uint8)), ValueError, r"images must be \(N, H, W\) or \(N, H, W, C\), got shape \(8, 784\)", id="data-rank-2"),
    P(lambda c: data.load(images(shape=(28, 28, 4))), ValueError, r"4 channels, expected 1 \(grey\) or 3 \(RGB\).*pass channels=4", id="data-4-channels"),
    P(lambda c: data.load(c.tmp / "empty", split="test"), ValueError, r"an image folder has one split: pass split='train'", id="data-folder-split"),
    P(lambda c: (c.monkeypatch.setenv("KERASGAN_DATA_DIR", str(c.tmp / "empty")), data.load("fashion_mnist_900")), FileNotFoundError,
      r"fashion_mnist_900\.npz not found .*set KERASGAN_DATA_DIR", id="data-local-set-missing"),
    # --- image grids
    P(lambda c: make_grid(images(shape=(8, 8, 2))), ValueError, r"images must be a non-empty batch .*C in 1 or 3, got shape \(8, 8, 8, 2\)", id="grid-channels"),
    P(lambda c: make_grid(np.zeros((8, 8), "float32")), ValueError, r"\(N, H, W\) or \(N, H, W, C\).*got shape \(8, 8\)", id="grid-rank-2"),
    P(lambda c: make_grid(np.zeros((0, 8, 8, 1), "float32")), ValueError, r"non-empty batch.*got shape \(0, 8, 8, 1\)", id="grid-empty"),
    P(lambda c: make_grid(np.zeros((4, 8, 8, 1), "int32")), TypeError, r"images must be float in \[-1, 1\] or uint8, got dtype int32", id="grid-int32"),
    P(lambda c: make_grid(images(lo=0, hi=255, shape=(8, 8, 1))), ValueError, r"must be in \[-1, 1\].*scale them", id="grid-0-255-floats"),
    P(lambda c: make_grid(with_value(images(shape=(8, 8, 1)), np.nan)), ValueError, r"NaN or Inf values", id="grid-nan"),
    P(lambda c: make_grid(images(shape=(8, 8, 1)), nrow=0), ValueError, r"nrow must be >= 1, got 0", id="grid-nrow-0"),
    P(lambda c: make_grid(images(shape=(8, 8, 1)), nrow=2.5), TypeError, r"nrow must be an integer, got 2\.5", id="grid-nrow-float"),
    P(lambda c: make_grid(images(shape=(8, 8, 1)), padding=-1), ValueError, r"padding must be >= 0, got -1", id="grid-padding"),
    P(lambda c: make_grid(images(shape=(8, 8, 1)), pad_value=300), ValueError, r"pad_value must be a uint8 value in \[0, 255\], got 300", id="grid-pad-value"),
    P(lambda c: save_grid(images(shape=(8, 8, 1)), "grid.jpg"), ValueError, r"writes PNG files: give a path ending in \.png", id="grid-not-png"),
    P(lambda c: save_grid(images(shape=(8, 8, 1)), "a_file.txt/grid.png"), OSError, r"cannot write .*grid\.png: .*choose a writable folder", id="grid-parent-is-file"),
    P(lambda c: save_grid(images(shape=(8, 8, 1)), "existing"), ValueError, r"give a path ending in \.png", id="grid-folder-path"),
    P(lambda c: (os.mkdir("dir.png"), save_grid(images(shape=(8, 8, 1)), "dir.png")), IsADirectoryError, r"it is a folder; give a file name", id="grid-path-is-folder"),
    P(lambda c: save_image(images(shape=(8, 8, 1))[0], "x.png"), TypeError, r"needs a uint8 image, got dtype float32: convert with kerasgan\.data\.to_uint8", id="save-image-float"),
    P(lambda c: data.to_uint8(images(lo=0, hi=2)), ValueError, r"must be in \[-1, 1\].*scale them", id="to-uint8-range"),
    # --- export
    P(lambda c: c.gan.export("out", format="onnx"), ValueError, r"unknown export format 'onnx': use one of savedmodel, tflite", id="export-format"),
    P(lambda c: c.gan.export("out", format="savedmodel", quantize="dynamic_int8"), ValueError,
      r"quantize applies to format='tflite' only: drop quantize", id="export-quantize-savedmodel"),
    P(lambda c: c.gan.export("m.tflite", format="tflite", quantize="int4"), ValueError, r"quantize must be None or 'dynamic_int8', got 'int4'", id="export-quantize-unknown"),
    P(lambda c: c.gan.export("existing"), FileExistsError, r"existing already exists: choose another path or pass overwrite=True", id="export-exists"),
    P(lambda c: c.gan.export("a_file.txt/sm"), NotADirectoryError, r"cannot create .*a_file\.txt.*is a file, not a folder: choose another output path", id="export-parent-is-file"),
    P(lambda c: c.gan.export("out", quantise="dynamic_int8"), TypeError, r"unexpected arguments \['quantise'\] for GAN\.export", id="export-kwarg"),
    # --- evaluate
    P(lambda c: evaluate(images(2), ["fdi"]), ValueError, r"unknown metrics \['fdi'\]: did you mean 'fid'\?.*choose from fid", id="eval-metric-typo"),
    P(lambda c: evaluate(images(2), []), ValueError, r"no metrics given: choose from fid", id="eval-no-metrics"),
    P(lambda c: evaluate(images(2), ["fid"], num=0), ValueError, r"num must be an integer >= 2, got 0", id="eval-num-0"),
    P(lambda c: evaluate(images(2), ["fid"], num=-5), ValueError, r"num must be an integer >= 2, got -5", id="eval-num-negative"),
    P(lambda c: evaluate(images(2), ["fid"], num=True), ValueError, r"num must be an integer >= 2, got True", id="eval-num-bool"),
    P(lambda c: evaluate(images(2), ["fid"], num=2.5), ValueError, r"num must be an integer >= 2, got 2\.5", id="eval-num-float"),
    P(lambda c: evaluate(images(2), ["fid"], num="many"), ValueError, r"num must be an integer >= 2, got 'many'", id="eval-num-str"),
    P(lambda c: evaluate(images(2), ["fid"], features="vgg"), ValueError, r"unknown feature network 'vgg': choose one of mnist, inception", id="eval-features"),
    P(lambda c: evaluate(images(2), ["coverage"], features="inception"), ValueError, r"need features='mnist'", id="eval-coverage-inception"),
    P(lambda c: evaluate(images(2), ["fid"], features="inception", resize="bilinear"), ValueError,
      r"unknown resize mode 'bilinear'; valid modes: legacy_tf", id="eval-resize"),
    P(lambda c: evaluate(images(2), ["fid"], reference=None), TypeError, r"reference must be a 'source:split' string", id="eval-reference-type"),
    P(lambda c: evaluate(images(2), ["fid"], num=2, reference="mnsit:test"), ValueError, r"unknown dataset: did you mean 'mnist'", id="eval-reference-unknown"),
    P(lambda c: evaluate(images(2), ["fid"], num=2, reference="mnist:tset"), ValueError, r"has no split 'tset'.*use split=", id="eval-reference-split"),
    P(lambda c: evaluate(images(2), ["parzen"], num=2, reference="mnist:train"), ValueError, r"parzen needs a held-out reference split \(e\.g\. mnist:test\)", id="eval-parzen-train"),
    # --- CAN
    P(lambda c: models.CAN(num_styles=1), ValueError, r"num_styles must be an integer >= 2, got 1", id="can-num-styles"),
    P(lambda c: models.CAN(num_styles=3, style_names=["a", "b"]), ValueError, r"style_names must be 3 distinct names", id="can-style-names"),
    P(lambda c: models.CAN(ambiguity="kl"), ValueError, r"ambiguity must be one of cross_entropy, binary, got 'kl'", id="can-ambiguity"),
    P(lambda c: models.CAN(ambiguity_weight=-1), ValueError, r"ambiguity_weight must be a finite number >= 0, got -1", id="can-weight"),
    P(lambda c: losses.style_ambiguity_loss(np.zeros((2, 3)), form="kl"), ValueError, r"form must be 'cross_entropy' or 'binary'", id="loss-ambiguity-form"),
    P(lambda c: losses.style_ambiguity_loss(np.zeros((2,))), ValueError, r"style_logits must be \(batch, K >= 2\) logits", id="loss-ambiguity-shape"),
    # --- text -> image
    P(lambda c: text_model().sample(2, seed=0, text="smiling cat face dog cat"), ValueError, r"has 5 words; the text encoder reads at most 4: shorten it", id="text-too-long"),
    P(lambda c: text_model().sample(2, seed=0, text="zebra"), ValueError, r"no known word in text 'zebra' \(the vocabulary has 5 words\)", id="text-unknown-words"),
    P(lambda c: text_model().sample(2, seed=0, text=["dog"] * 3), ValueError, r"give one text for all images or one per image \(2\), got 3", id="text-count"),
    P(lambda c: text_model().sample(2, seed=0), ValueError, r"this GAN draws images from captions: pass text=", id="text-missing"),
    # --- LAPGAN
    P(lambda c: models.LAPGAN(image_shape=(24, 24, 3)), ValueError, r"image size 24 must be base_size \(8\) times a power of two >= 2: e\.g\. base_size=8", id="lapgan-size"),
    P(lambda c: models.LAPGAN(image_shape=(32, 16, 3)), ValueError, r"image_shape must be square \(S, S, C\), got \(32, 16, 3\)", id="lapgan-square"),
    # --- SRGAN
    P(lambda c: models.SRGAN(image_shape=(16, 16, 3), scale=3, feature_weight=0), ValueError, r"scale must be a power of two >= 2 \(one sub-pixel block per factor 2\), got 3", id="srgan-scale"),
    P(lambda c: models.SRGAN(content_layer="mixed"), ValueError, r"unknown content_layer 'mixed': choose one of conv, conv_1", id="srgan-content-layer"),
    P(lambda c: models.SRGAN(image_shape=(4, 4, 3), scale=4), ValueError, r"16x16 outputs are too small for the content layer 'conv_4': use an earlier", id="srgan-too-small"),
    P(lambda c: kerasgan_layers().PixelShuffle(1), ValueError, r"PixelShuffle scale must be an integer >= 2, got 1", id="pixel-shuffle-scale"),
    P(lambda c: kerasgan_layers().PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32")), ValueError, r"C divisible by 4, got shape \(1, 2, 2, 6\)", id="pixel-shuffle-channels"),
    P(lambda c: data.downscale(np.zeros((1, 10, 10, 3), "float32"), 4), ValueError, r"H and W multiples of scale=4", id="downscale-size"),
    # --- image -> image
    P(lambda c: c.translator.translate(images(2, shape=(64, 64, 3)), target="twiter"), ValueError,
      r"unknown target style 'twiter': this model translates to openmoji", id="translate-unknown-target"),
    P(lambda c: c.translator.translate(images(2, shape=(64, 64, 3)), target=1), TypeError, r"target must be a style name .*use domain=", id="translate-target-int"),
    P(lambda c: c.translator.translate(images(2, shape=(32, 32, 3))), ValueError, r"shape", id="translate-wrong-size"),
    P(lambda c: c.translator.translate(images(2, lo=0, hi=255, shape=(64, 64, 3))), ValueError, r"\[-1, 1\]", id="translate-range"),
    P(lambda c: c.translator.translate(images(2, shape=(64, 64, 3)), domain=1), ValueError, r"translates in one direction: drop domain=", id="translate-domain-one-way"),
    P(lambda c: models.get_architecture("pix2pix")(image_shape=(64, 64, 3), g_width=4, d_width=4, styles=("openmoji",)), ValueError,
      r"styles must be \(source, target\)", id="translate-styles-count"),
    P(lambda c: evaluate_translation(c.translator, ["fdi"]), ValueError, r"unknown translation metrics \['fdi'\]: choose from l1", id="eval-translation-metric"),
    P(lambda c: evaluate_translation(c.translator, ["l1"], baseline="mean"), ValueError, r"unknown baseline 'mean': choose one of copy", id="eval-translation-baseline"),
    P(lambda c: paired_scores(images(2, shape=(16, 16, 3)), images(3, shape=(16, 16, 3))), ValueError, r"differ in shape: give one target per output", id="paired-shapes"),
    # --- application scores
    P(lambda c: evaluate_super_resolution(None, ["psnr"]), ValueError, r"give a model, or baseline='bicubic'", id="eval-sr-nothing"),
    P(lambda c: evaluate_super_resolution(None, ["psnr"], baseline="copy"), ValueError, r"unknown baseline 'copy': the super-resolution baseline is 'bicubic'", id="eval-sr-baseline"),
    P(lambda c: evaluate_super_resolution(c.gan, ["psnr"]), TypeError, r"DCGAN does not upscale images: use evaluate\(\)", id="eval-sr-not-sr"),
    P(lambda c: evaluate_styles(c.gan, num=4), ValueError, r"style scores judge 64x64 colour emoji; this model makes \(28, 28, 1\) images", id="eval-styles-shape"),
    P(lambda c: evaluate_styles(c.gan, ["style_entopy"]), ValueError, r"unknown style metrics \['style_entopy'\]: did you mean 'style_entropy'\?", id="eval-styles-metric"),
    P(lambda c: evaluate_text(c.gan), TypeError, r"DCGAN does not draw from text: text scores need a text -> image model", id="eval-text-not-text"),
    P(lambda c: text_model().embed_text(np.zeros((2, 3), "int32")), ValueError, r"token ids must be captions \(str\) or token ids of shape \(2, 4\)", id="text-token-shape"),
    # --- arguments an architecture sets itself
    P(lambda c: models.DCGAN(image_shape=SHAPE, latent_dim=LATENT, g_width=4, d_width=4, discriminator=tiny_discriminator(SHAPE)), TypeError,
      r"DCGAN sets discriminator itself: drop discriminator=; to train networks of your own, use kerasgan\.models\.GAN\(generator, discriminator\)",
      id="architecture-given-networks"),
    P(lambda c: tiny("infogan", latent_dim=20), TypeError, r"InfoGAN sets latent_dim itself: drop latent_dim=", id="architecture-given-latent-dim"),
    # --- labels (#14): conditional GANs
    P(lambda c: tiny("cgan").sample(2, seed=0, labels=[0, 10]), ValueError, r"labels must lie in \[0, 9\], got values from 0 to 10", id="labels-range"),
    P(lambda c: tiny("cgan").sample(2, seed=0, labels=[0.0, 1.0]), TypeError, r"labels must be integer class indices", id="labels-dtype"),
    P(lambda c: tiny("cgan").sample(3, seed=0, labels=[0, 1]), ValueError, r"labels must have shape \(3,\) \(one per image\) or be one int, got shape \(2,\)", id="labels-count"),
    P(lambda c: tiny("cgan").sample(2, seed=0), ValueError, r"this GAN is conditional \(10 classes\): pass labels=\[\.\.\.\]", id="labels-missing"),
    P(lambda c: c.gan.sample(2, seed=0, labels=[0, 1]), ValueError, r"labels were given, but this GAN is unconditional: drop labels=", id="labels-unconditional"),
    P(lambda c: compiled(tiny("cgan")).fit(images(8), batch_size=4, verbose=0), ValueError,
      r"this GAN is conditional: train it on \(images, labels\) batches", id="labels-fit-missing"),
    P(head_missing, ValueError, r"AC-GAN's class loss needs the discriminator's 'class_logits' head, but it returns one tensor of logits", id="head-missing"),
    # --- codes, encoders, partial labels (#15)
    P(lambda c: tiny("infogan").sample(2, seed=0, codes={"c9": 1.0}), ValueError, r"unknown code 'c9': this InfoGAN's codes are cat0, c1, c2", id="infogan-unknown-code"),
    P(lambda c: tiny("infogan").sample(2, seed=0, codes={"categorical": 3}), ValueError, r"code cat0 takes ints in \[0, 2\], got 3", id="infogan-code-range"),
    P(lambda c: tiny("infogan").sample(2, seed=0, codes={"categorical": 1.0}), ValueError, r"code cat0 takes ints in \[0, 2\], got 1\.0", id="infogan-code-float"),
    P(lambda c: models.InfoGAN(categorical=(), continuous=0), ValueError, r"InfoGAN needs at least one code", id="infogan-no-code"),
    P(lambda c: data.labelled_subset(np.repeat(np.arange(10), 50), 25), ValueError, r"must be a multiple of the 10 classes", id="ssgan-labelled-count"),
    P(lambda c: tiny("bigan").encode(np.zeros((2, 8, 8, 1), "float32")), ValueError, r"have shape \(2, 8, 8, 1\)", id="bigan-encode-shape"),
    # --- growing generators, super-resolution, latent tools (#17, #18)
    P(lambda c: tiny("progan", image_shape=(12, 12, 1)), ValueError, r"ProGAN builds square images whose side is 4 times a power of two", id="progan-size"),
    P(lambda c: tiny("srgan").upscale(np.zeros((1, 8, 8, 3), "float32"), scale=4), ValueError, r"this model upscales by 2, not 4: use scale=2", id="upscale-scale"),
    P(lambda c: latent_tools().invert(c.gan, np.zeros((1, 28, 28, 1), "float32"), space="w"), ValueError, r"space='w' needs a style-based model", id="invert-space"),
    P(lambda c: latent_tools().invert(c.gan, np.full((1, 28, 28, 1), 3.0, "float32")), ValueError, r"\[-1, 1\]", id="invert-range"),
    P(lambda c: latent_tools().sefa(c.translator), ValueError, r"has no latent space to work in", id="sefa-translation-model"),
]


@pytest.mark.parametrize("call,error,pattern", PYTHON_CASES)
def test_python_api_refuses_bad_input(call, error, pattern, ctx):
    with pytest.raises(error) as info:
        call(ctx)
    message = str(info.value)
    assert "\n" not in message.strip(), f"multi-line message: {message!r}"
    assert re.search(pattern, message), f"{message!r} does not match {pattern!r}"


# ------------------------------------------------------------------ CLI cases
CLI_CASES = [
    P(["sample", "dcgan_mnst"], r"unknown zoo entry 'dcgan_mnst': did you mean 'dcgan_mnist'", id="sample-typo"),
    P(["info", "gan_mnsit"], r"did you mean 'gan_mnist'", id="info-typo"),
    P(["export", "dcgan_mnsit", "--out", "sm"], r"did you mean 'dcgan_mnist'", id="export-typo"),
    P(["eval", "dcgan_mnsit"], r"did you mean 'dcgan_mnist'", id="eval-typo"),
    P(["train", "--recipe", "dcgan_mnst", "--output", "o"], r"did you mean 'dcgan_mnist'", id="train-recipe-typo"),
    P(["train", "dcgna", "--dataset", "mnist", "--steps", "1", "--output", "o"], r"unknown architecture 'dcgna': did you mean dcgan", id="train-arch-typo"),
    P(["train", "dcgan", "--recipe", "dcgan_mnist", "--output", "o"], r"give either an architecture or --recipe, not both", id="train-model-and-recipe"),
    P(["train", "dcgan", "--dataset", "mnsit", "--steps", "1", "--output", "o"], r"unknown dataset: did you mean 'mnist'", id="train-dataset-typo"),
    P(["train", "dcgan", "--dataset", "empty", "--steps", "1", "--output", "o"], r"the folder has no files: point to a folder of images", id="train-empty-folder"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "1", "--output", "a_file.txt"], r"--output .*a_file\.txt exists and is not a folder: choose",
      id="train-output-is-file"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "0", "--output", "o"], r"--steps: expected a positive int, got '0'", id="train-steps-0"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "-1", "--output", "o"], r"--steps: expected a positive int, got '-1'", id="train-steps-negative"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "1.5", "--output", "o"], r"--steps: expected a positive int, got '1\.5'", id="train-steps-float"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "1", "--compile-args", "[1]", "--output", "o"], r"--compile-args: expected a JSON object like", id="train-compile-args-not-object"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "1", "--compile-args", '{"label_smooth": 0.1}', "--output", "o"], r"unknown compile option 'label_smooth' for DCGAN: did you mean label_smoothing\?", id="train-compile-args-unknown"),
    P(["train", "--resume", "--compile-args", '{"label_smoothing": 0.1}', "--output", "o"], r"a resumed run keeps the compile options", id="train-resume-compile-args"),
    P(["train", "dcgan", "--dataset", "mnist", "--steps", "8", "--lr-decay", "4", "--output", "o"], r"--lr-decay: expected START:STEPS \(e\.g\. 150000:50000", id="train-lr-decay-form"),
    P(["sample", "dcgan_mnist", "--text", "cat"], r"--text: dcgan_mnist does not draw from captions: drop --text", id="sample-text-unconditional"),
    P(["sample", "dcgan_mnist", "--text", "cat", "--labels", "1"], r"give --labels \(class-conditional models\) or --text", id="sample-text-and-labels"),
    P(["upscale", "dcgan_mnist", "missing.png", "--out", "big.png"], r"no such image file: missing\.png", id="upscale-missing"),
    P(["eval", "dcgan_mnist", "--baseline", "bicubic"], r"--baseline applies to image-to-image models \(copy\) and super-resolution models \(bicubic\)", id="eval-baseline-latent"),
    P(["eval", "dcgan_mnist", "--metrics", "novelty,fid"], r"score novelty in a run of their own \(without fid\)", id="eval-style-mixed"),
    P(["sample", "dcgan_mnist", "--num", "0"], r"--num: expected a positive int, got '0'", id="sample-num-0"),
    P(["interpolate", "dcgan_mnist", "--seeds", "0"], r"--seeds needs at least two seeds", id="interpolate-one-seed"),
    P(["interpolate", "dcgan_mnist", "--seeds", "0,x"], r"--seeds must be a comma list of integers", id="interpolate-bad-seeds"),
    P(["directions", "dcgan_mnist", "--num", "500"], r"--num 500 is more than the 100 latent dimensions of dcgan_mnist", id="directions-too-many"),
    P(["directions", "dcgan_mnist", "--magnitude", "0"], r"--magnitude must be > 0", id="directions-magnitude"),
    P(["sample", "dcgan_lsun", "--out", "x.png"], r"ships no weights.*kerasgan train --recipe dcgan_lsun", id="sample-no-weights"),
    P(["sample", "dcgan_mnist", "--out", "grid.jpg"], r"must end with \.png", id="sample-not-png"),
    P(["sample", "dcgan_mnist", "--out", "a_file.txt/grid.png"], r"cannot write to .*choose another output path", id="sample-parent-is-file"),
    P(["sample", "dcgan_mnist", "--weights", "missing.weights.h5"], r"weights file .*missing\.weights\.h5 does not exist: check the path", id="sample-weights-missing"),
    P(["sample", "dcgan_mnist", "--weights", "bad.weights.h5"], r"cannot load .*bad\.weights\.h5.*: pass a \.weights\.h5 file saved from", id="sample-weights-corrupt"),
    P(["sample", "model.keras", "--weights", "w.weights.h5"], r"--weights applies to zoo names, not to \.keras files", id="sample-keras-with-weights"),
    P(["sample", "missing/model.keras"], r"no such model file: missing/model\.keras.*(check the path|kerasgan list)",
      id="sample-missing-model"),
    P(["export", "dcgan_mnist", "--format", "savedmodel", "--quantize", "dynamic_int8", "--out", "o"], r"--quantize applies to --format tflite only", id="export-quantize-savedmodel"),
    P(["export", "dcgan_mnist", "--format", "tflite", "--out", "model.bin"], r"must end with \.tflite", id="export-tflite-suffix"),
    P(["export", "dcgan_mnist", "--out", "existing"], r"existing already exists: .*pass --overwrite",
      id="export-exists"),
    P(["export", "dcgan_mnist", "--format", "onnx", "--out", "o"], r"--format: invalid choice: 'onnx'", id="export-format"),
    P(["eval", "dcgan_mnist", "--metrics", "fdi"], r"unknown metrics \['fdi'\]: did you mean 'fid'", id="eval-metric-typo"),
    P(["eval", "dcgan_mnist", "--metrics", "fid", "--num", "2", "--reference", "mnsit:test"], r"unknown dataset: did you mean 'mnist'", id="eval-reference-unknown"),
    P(["eval", "dcgan_mnist", "--json", "scores.txt"], r"must end with \.json", id="eval-json-suffix"),
    P(["eval", "dcgan_mnist", "--features", "bogus"], r"--features: invalid choice: 'bogus'", id="eval-features"),
    P(["eval", "dcgan_mnist", "--num", "0"], r"--num: expected a positive int, got '0'", id="eval-num-0"),
    P(["convert", "pytorch-dcgan", "no_such.pth", "--out", "o"], r"no such checkpoint file: no_such\.pth", id="convert-missing"),
    P(["sample", "p2p.keras"], r"translates images; it has no latent space to sample from: use `kerasgan translate", id="sample-translation-model"),
    P(["translate", "dcgan_mnist", "corrupt", "--out", "t"], r"generates from latents; it does not translate images: use `kerasgan sample", id="translate-latent-model"),
    P(["translate", "p2p.keras", "missing.png", "--out", "t"], r"no such file or folder: missing\.png", id="translate-missing-input"),
    P(["translate", "p2p.keras", "not_images", "--out", "t"], r"is not an image .*give a folder of images only", id="translate-non-image"),
    P(["translate", "p2p.keras", "corrupt", "--out", "t"], r"cannot read image .*broken\.png.*give PNG/JPEG files", id="translate-corrupt"),
    P(["translate", "p2p.keras", "empty", "--out", "t"], r"holds no images", id="translate-empty-folder"),
    P(["translate", "p2p.keras", "corrupt", "--out", "full"], r"--out .*full exists and is not an empty folder", id="translate-out-not-empty"),
    P(["translate", "p2p.keras", "corrupt", "--to", "twitter", "--out", "t"], r"unknown target style 'twitter'", id="translate-unknown-style"),
    P(["eval", "p2p.keras", "--metrics", "fid,coverage"], r"unknown translation metrics \['coverage'\]", id="eval-translation-metric"),
    P(["eval", "dcgan_mnist", "--metrics", "knn"], r"knn needs a model with encode \(DCGAN has none\)", id="eval-knn-no-encoder"),
    P(["eval", "dcgan_mnist", "--metrics", "fid,test_error"], r"score test_error in a run of their own", id="eval-mixed-representation"),
    P(["eval", "dcgan_mnist", "--split", "test"], r"--split, --from and --to apply to image-to-image models", id="eval-split-latent"),
    P(["sample", "dcgan_mnist", "--labels", "1", "--out", "y.png"], r"unconditional model: drop --labels", id="sample-labels-unconditional"),
    P(["invert", "p2p.keras", "corrupt", "--out", "t.png"], r"has no latent space \(it translates images\)", id="invert-translation-model"),
    P(["convert", "pytorch-cwgangp", "g.pth", "--discriminator", "d.pth", "--out", "o"], r"converts a generator only: drop --discriminator", id="convert-no-discriminator"),
]


@pytest.mark.parametrize("argv,pattern", CLI_CASES)
def test_cli_refuses_bad_input_in_one_line(argv, pattern, ctx, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert code == 2
    assert len(lines) == 1, f"expected one stderr line, got {err!r}"
    assert lines[0].startswith("kerasgan: error: ")
    assert re.search(pattern, lines[0]), f"{lines[0]!r} does not match {pattern!r}"


SUBPROCESS_CASES = [
    P(["export", "dcgan_mnist", "--format", "savedmodel", "--quantize", "dynamic_int8", "--out", "o"], r"--quantize applies to --format tflite only", id="export-quantize"),
    # Keras warns once per layer it cannot fill before raising: none of that may reach the terminal.
    P(["sample", "dcgan_mnist", "--weights", str(RELEASED / "discriminator.weights.h5")], r"cannot load .*into the dcgan_generator", id="sample-swapped-weights"),
]


@pytest.mark.parametrize("argv,pattern", SUBPROCESS_CASES)
def test_cli_process_prints_one_line_and_no_traceback(argv, pattern, tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=REPO, KERASGAN_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-m", "kerasgan.cli", *argv], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(lines) == 1 and lines[0].startswith("kerasgan: error: "), result.stderr
    assert re.search(pattern, lines[0])
