"""Layers of the modern generators (#17) on hand-computed cases: SAGAN self-attention, ProGAN pixel norm and
minibatch standard deviation, StyleGAN noise injection and AdaIN."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan.layers import AdaptiveInstanceNormalization, MinibatchStdDev, NoiseInjection, PixelNormalization, SelfAttention2D

RNG = np.random.default_rng(0)


def saved_round_trip(layer_fn, inputs, tmp_path):
    """A model around a fresh layer gives the same outputs after .keras save/load (the class is registered)."""
    if isinstance(inputs, list):
        ins = [keras.Input(i.shape[1:], dtype=i.dtype) for i in inputs]
    else:
        ins = keras.Input(inputs.shape[1:])
    model = keras.Model(ins, layer_fn()(ins))
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded(inputs), model(inputs), rtol=1e-6, atol=1e-6)
    return model, loaded


def softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_self_attention_starts_as_the_identity_and_matches_the_papers_formula():
    x = RNG.normal(size=(2, 3, 4, 16)).astype("float32")
    layer = SelfAttention2D(seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # gamma = 0
    assert [v.shape for v in (layer.query.kernel, layer.key.kernel, layer.value.kernel, layer.out.kernel)] == [
        (1, 1, 16, 2), (1, 1, 16, 2), (1, 1, 16, 8), (1, 1, 8, 16)]
    layer.gamma.assign(0.7)
    f, g, h, v = (w.numpy()[0, 0] for w in (layer.query.kernel, layer.key.kernel, layer.value.kernel, layer.out.kernel))
    want = np.empty_like(x)
    for n in range(2):
        pos = x[n].reshape(12, 16)  # positions in row-major order
        beta = softmax((pos @ f) @ (pos @ g).T)  # beta[j, i]: how much position j attends to i
        assert np.allclose(beta.sum(1), 1)
        o = (beta @ (pos @ h)) @ v
        want[n] = (pos + 0.7 * o).reshape(3, 4, 16)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-4, atol=1e-5)


def test_self_attention_with_spectral_norm_normalizes_its_convolutions(tmp_path):
    x = RNG.normal(size=(2, 4, 4, 8)).astype("float32")
    layer = SelfAttention2D(key_ratio=4, spectral_norm=True, seed=3)
    layer(x, training=True)
    layer.gamma.assign(1.0)
    for conv in (layer.query, layer.key, layer.value, layer.out):
        for _ in range(50):  # power iteration to convergence
            kernel, _ = conv.normalized_kernel(training=True)
        top = np.linalg.svd(kernel.numpy().reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
        assert top == pytest.approx(1.0, rel=1e-3)
    _, loaded = saved_round_trip(lambda: SelfAttention2D(key_ratio=4, spectral_norm=True, seed=3), x, tmp_path)
    assert loaded.layers[-1].get_config()["spectral_norm"] is True


def test_self_attention_bad_shapes_say_what_to_change():
    with pytest.raises(ValueError, match="key_ratio must be a positive integer"):
        SelfAttention2D(key_ratio=0)
    with pytest.raises(ValueError, match="leaves no query/value channel: use ratios <= 4"):
        SelfAttention2D()(np.zeros((1, 2, 2, 4), "float32"))
    with pytest.raises(ValueError, match=r"needs \(batch, H, W, C\) inputs"):
        SelfAttention2D()(np.zeros((2, 16), "float32"))


def test_self_attention_trains_its_gamma_and_runs_in_a_graph():
    x = tf.constant(RNG.normal(size=(2, 4, 4, 16)).astype("float32"))
    layer = SelfAttention2D(seed=0)
    layer(x)
    layer.gamma.assign(0.5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.function(layer)(x) ** 2)
    grads = tape.gradient(loss, [layer.gamma, layer.query.kernel])
    assert all(g is not None and float(tf.reduce_sum(tf.abs(g))) > 0 for g in grads)


def test_pixel_norm_gives_unit_rms_feature_vectors(tmp_path):
    x = np.array([[[[3.0, 4.0]], [[0.0, 0.0]]]], "float32")  # (1, 2, 1, 2)
    out = PixelNormalization()(x).numpy()
    np.testing.assert_allclose(out[0, 0, 0], [3.0, 4.0] / np.sqrt(12.5 + 1e-8), rtol=1e-6)
    np.testing.assert_array_equal(out[0, 1, 0], [0.0, 0.0])  # epsilon: no division by zero
    z = RNG.normal(size=(5, 7)).astype("float32") * 10
    np.testing.assert_allclose(np.sqrt(np.mean(PixelNormalization()(z).numpy() ** 2, axis=-1)), 1.0, rtol=1e-5)
    saved_round_trip(lambda: PixelNormalization(epsilon=1e-6), z, tmp_path)
    with pytest.raises(ValueError, match="epsilon must be > 0"):
        PixelNormalization(epsilon=0)


def test_minibatch_stddev_appends_each_groups_average_std(tmp_path):
    x = RNG.normal(size=(4, 2, 3, 5)).astype("float32")
    out = MinibatchStdDev(group_size=2)(x).numpy()
    assert out.shape == (4, 2, 3, 6)
    np.testing.assert_array_equal(out[..., :5], x)
    # groups are strided as in the paper's code: {0, 2} and {1, 3}
    for members in ((0, 2), (1, 3)):
        value = np.sqrt(x[list(members)].var(axis=0) + 1e-8).mean()
        for n in members:
            np.testing.assert_allclose(out[n, ..., 5], value, rtol=1e-5)
    # a batch smaller than the group is one group
    whole = MinibatchStdDev(group_size=8)(x).numpy()
    np.testing.assert_allclose(whole[..., 5], np.sqrt(x.var(axis=0) + 1e-8).mean(), rtol=1e-5)
    # identical samples: the feature is ~0 (what lets D spot a collapsed batch)
    same = MinibatchStdDev()(np.repeat(x[:1], 4, axis=0)).numpy()
    np.testing.assert_allclose(same[..., 5], 1e-4, rtol=1e-3)
    saved_round_trip(lambda: MinibatchStdDev(group_size=2), x, tmp_path)


def test_minibatch_stddev_in_a_graph_with_unknown_batch_and_bad_batches():
    layer = MinibatchStdDev(group_size=4)
    x = RNG.normal(size=(8, 2, 2, 3)).astype("float32")
    fn = tf.function(layer, input_signature=[tf.TensorSpec((None, 2, 2, 3))])
    np.testing.assert_allclose(fn(x).numpy(), layer(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(fn(x[:3]).numpy(), layer(x[:3]).numpy(), rtol=1e-6)  # 3 < 4: one group
    with pytest.raises(ValueError, match="batch of 6 is not divisible by group_size=4: use a batch size that is a multiple of 4"):
        layer(x[:6])
    with pytest.raises(ValueError, match="group_size must be a positive integer"):
        MinibatchStdDev(group_size=0)


def test_noise_injection_adds_per_channel_scaled_noise(tmp_path):
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    layer = NoiseInjection(seed=5)
    np.testing.assert_array_equal(layer(x).numpy(), x)  # weight starts at 0
    layer.weight.assign([0.0, 1.0, -2.0, 0.5])
    noise = RNG.normal(size=(2, 3, 3, 1)).astype("float32")
    np.testing.assert_allclose(layer(x, noise=noise).numpy(), x + np.array([0.0, 1.0, -2.0, 0.5]) * noise, rtol=1e-6)
    a, b = layer(x).numpy(), layer(x).numpy()  # fresh noise each call, one value per position for all channels
    assert not np.allclose(a, b)
    drawn = (a - x)[..., 1:2]
    np.testing.assert_allclose((a - x)[..., 2:3], -2.0 * drawn, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(a[..., 0], x[..., 0])
    again = NoiseInjection(seed=5)
    again(x)
    again.weight.assign([0.0, 1.0, -2.0, 0.5])
    np.testing.assert_allclose(again(x).numpy(), a, rtol=1e-6)  # same seed, same draws
    with pytest.raises(ValueError, match=r"noise must be \(batch, H, W, 1\)"):
        layer(x, noise=np.zeros((2, 3, 3, 4), "float32"))
    config = layer.get_config()
    assert NoiseInjection.from_config(config).get_config() == config


def test_adain_normalizes_each_instance_then_applies_the_style(tmp_path):
    x = RNG.normal(2.0, 3.0, size=(2, 4, 4, 3)).astype("float32")
    w = RNG.normal(size=(2, 5)).astype("float32")
    layer = AdaptiveInstanceNormalization(seed=2)
    out = layer([x, w]).numpy()
    x_hat = (x - x.mean(axis=(1, 2), keepdims=True)) / np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_array_equal(bias, [1, 1, 1, 0, 0, 0])  # scale starts around 1, offset around 0
    styles = w @ kernel + bias
    want = styles[:, None, None, :3] * x_hat + styles[:, None, None, 3:]
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    layer.kernel.assign(np.zeros_like(kernel))  # style = (1, 0): plain instance normalization
    np.testing.assert_allclose(layer([x, w]).numpy(), x_hat, rtol=1e-4, atol=1e-5)
    saved_round_trip(lambda: AdaptiveInstanceNormalization(seed=2), [x, w], tmp_path)
    with pytest.raises(ValueError, match=r"needs a style w of shape \(batch, k\)"):
        AdaptiveInstanceNormalization()([x, np.zeros((2, 1, 5), "float32")])
