"""Semi-supervised GAN: the K+1-class losses by hand, balanced labelled subsets, learning from few labels."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import data
from kerasgan.models import GANBatch, SemiSupervisedGAN

TINY = {"image_shape": (28, 28, 1), "num_classes": 3, "latent_dim": 6, "g_units": 8, "d_units": (16, 8)}


def _gan(**kwargs):
    keras.utils.set_random_seed(0)
    return SemiSupervisedGAN(**{**TINY, **kwargs}, seed=0)


def test_unsupervised_loss_is_the_sigmoid_loss_on_log_sum_exp():
    gan = _gan()
    gan.compile()
    real = np.array([[1.0, 0.0, -1.0], [2.0, 2.0, 2.0]], "float32")
    fake = np.array([[0.0, 0.0, 0.0], [-3.0, 1.0, 0.5]], "float32")
    lse = lambda v: np.log(np.exp(v).sum(1))  # noqa: E731
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    # -log(Z/(Z+1)) = softplus(-LSE); -log(1/(Z+1)) = softplus(LSE)
    want = np.mean(softplus(-lse(real))) + np.mean(softplus(lse(fake)))
    got = float(gan.compute_discriminator_loss(GANBatch(real=None, fake=None, real_output=real, fake_output=fake)))
    assert got == pytest.approx(want, rel=1e-5)
    assert float(SemiSupervisedGAN.real_logit(real)[1]) == pytest.approx(2.0 + np.log(3.0), rel=1e-6)


def test_supervised_term_is_the_cross_entropy_of_the_labelled_batch():
    gan = _gan(supervised_weight=0.5)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    y = np.array([0, 2, 1, 2], "int32")
    terms = gan.compute_auxiliary_terms("discriminator", GANBatch(real=None, fake=None, extras={"labeled_images": x, "labeled_classes": y}))
    # GaussianNoise is active in training mode: compare against the same call with noise off for D's logits? Use the
    # deterministic check with zero noise instead.
    gan0 = _gan(input_noise=0.0, hidden_noise=0.0, supervised_weight=0.5)
    terms0 = gan0.compute_auxiliary_terms("discriminator", GANBatch(real=None, fake=None, extras={"labeled_images": x, "labeled_classes": y}))
    logits = np.asarray(gan0.discriminator(x, training=True))
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert float(terms0["d_supervised"]) == pytest.approx(0.5 * -np.mean(log_p[np.arange(4), y]), rel=1e-5)
    assert np.isfinite(float(terms["d_supervised"]))
    assert gan.compute_auxiliary_terms("generator", GANBatch(real=None, fake=None)) == {}
    with pytest.raises(ValueError, match="kerasgan.data.semi_supervised"):
        gan.compute_auxiliary_terms("discriminator", GANBatch(real=None, fake=None))


def test_labelled_subset_is_balanced_and_fixed_by_the_seed():
    labels = np.repeat(np.arange(10), 50)
    a = data.labelled_subset(labels, 100, seed=0)
    assert len(a) == 100 and np.all(np.bincount(labels[a]) == 10)
    np.testing.assert_array_equal(a, data.labelled_subset(labels, 100, seed=0))
    assert not np.array_equal(a, data.labelled_subset(labels, 100, seed=1))
    with pytest.raises(ValueError, match="must be a multiple of the 10 classes"):
        data.labelled_subset(labels, 25)


def test_semi_supervised_batches_from_mnist():
    dataset, index = data.semi_supervised("mnist", num_labelled=20, batch_size=8, labelled_batch_size=30, seed=0)
    batch = next(iter(dataset))
    assert batch["images"].shape == (8, 28, 28, 1) and batch["labeled_images"].shape == (30, 28, 28, 1)
    assert float(tf.reduce_min(batch["images"])) >= -1.0 and float(tf.reduce_max(batch["images"])) <= 1.0
    _, labels = data.load_arrays("mnist", labels=True)
    assert len(index) == 20 and np.all(np.bincount(labels[index]) == 2)
    assert set(batch["labeled_classes"].numpy().tolist()) <= set(labels[index].tolist())


def test_few_labels_teach_the_classifier_on_separable_toy_data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = np.zeros((300, 28, 28, 1), "float32") - 1
    for k in range(3):  # class k lights up the k-th band of rows
        x[y == k, 9 * k : 9 * k + 9] = 1
    x += rng.normal(0, 0.1, x.shape).astype("float32")
    x = np.clip(x, -1, 1)
    partial = np.full(300, -1)
    few = np.concatenate([np.flatnonzero(y == k)[:2] for k in range(3)])  # 2 labels per class
    partial[few] = y[few]
    gan = _gan(d_units=(32, 16))
    gan.compile()
    before = gan.error_count(x, y)
    history = gan.fit(x, partial, batch_size=30, epochs=3, verbose=0).history
    assert "d_supervised" in history
    after = gan.error_count(x, y)
    assert after < before and after <= 30  # at most 10% wrong from 6 labels
    with pytest.raises(ValueError, match=r"y must lie in \[-1, 2\]"):
        gan.fit(x, np.full(300, 5), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="needs labels"):
        gan.fit(x, epochs=1, verbose=0)
