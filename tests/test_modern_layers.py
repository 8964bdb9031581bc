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
    # training: fresh noise each call, one value per position for all channels
    a, b = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.allclose(a, b)
    drawn = (a - x)[..., 1:2]
    np.testing.assert_allclose((a - x)[..., 2:3], -2.0 * drawn, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(a[..., 0], x[..., 0])
    again = NoiseInjection(seed=5)
    again(x)
    again.weight.assign([0.0, 1.0, -2.0, 0.5])
    np.testing.assert_allclose(again(x, training=True).numpy(), a, rtol=1e-6)  # same seed, same draws
    # inference: the fixed map, the same for every sample and call
    fixed = layer.fixed_noise.numpy()
    assert fixed.shape == (1, 3, 3, 1) and fixed.std() > 0.1
    np.testing.assert_allclose(layer(x).numpy(), x + np.array([0.0, 1.0, -2.0, 0.5]) * fixed, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())
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


# ---------------------------------------------------------------- StyleGAN2 / ProGAN building blocks

from kerasgan.layers import EqualizedConv2D, EqualizedDense, ModulatedConv2D, Resample2D  # noqa: E402


def upfirdn_reference(x, taps, up, down, pad0, pad1):
    """Zero-stuff by ``up``, pad, convolve (a true convolution, by loops), keep every ``down``-th pixel."""
    taps = np.asarray(taps, "float64")
    f = np.outer(taps, taps) / np.outer(taps, taps).sum() * up**2
    k = len(taps)
    n, h, w, c = x.shape
    stuffed = np.zeros((n, h * up, w * up, c))
    stuffed[:, ::up, ::up] = x
    padded = np.pad(stuffed, ((0, 0), (pad0, pad1), (pad0, pad1), (0, 0)))
    oh, ow = padded.shape[1] - k + 1, padded.shape[2] - k + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            for a in range(k):
                for b in range(k):
                    out[:, i, j] += padded[:, i + a, j + b] * f[k - 1 - a, k - 1 - b]
    return out[:, ::down, ::down]


def test_resample_with_a_box_kernel_is_nearest_upsampling_average_pooling_and_a_box_blur():
    x = np.array([[1.0, 2.0], [3.0, 4.0]], "float32")[None, :, :, None]
    up = Resample2D(up=2, kernel=[1, 1])(x).numpy()[0, :, :, 0]
    np.testing.assert_allclose(up, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], rtol=1e-6)
    x4 = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    down = Resample2D(down=2, kernel=[1, 1])(x4).numpy()[0, :, :, 0]
    np.testing.assert_allclose(down, [[2.5, 4.5], [10.5, 12.5]], rtol=1e-6)
    blur = Resample2D(kernel=[1, 1])(x).numpy()[0, :, :, 0]  # pad one zero row/column in front
    np.testing.assert_allclose(blur, [[1 / 4, 3 / 4], [4 / 4, 10 / 4]], rtol=1e-6)


@pytest.mark.parametrize("up,down", [(1, 1), (2, 1), (1, 2)])
def test_resample_with_stylegans_filter_matches_upfirdn_and_keeps_constants(up, down):
    layer = Resample2D(up=up, down=down)
    assert (layer.pad0, layer.pad1) == {(1, 1): (2, 1), (2, 1): (2, 1), (1, 2): (1, 1)}[(up, down)]  # StyleGAN2's
    x = RNG.normal(size=(2, 6, 6, 3)).astype("float32")
    out = layer(x).numpy()
    assert out.shape == (2, 6 * up // down, 6 * up // down, 3) == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(out, upfirdn_reference(x, [1, 3, 3, 1], up, down, layer.pad0, layer.pad1), rtol=1e-5, atol=1e-5)
    flat = Resample2D(up=up, down=down)(np.full((1, 8, 8, 1), 5.0, "float32")).numpy()[0, 2:-2, 2:-2, 0]
    np.testing.assert_allclose(flat, 5.0, rtol=1e-6)  # away from the zero padding a constant stays constant


def test_resample_bad_arguments_and_config(tmp_path):
    with pytest.raises(ValueError, match="up and down in \\(1, 2\\), not both 2"):
        Resample2D(up=2, down=2)
    with pytest.raises(ValueError, match="kernel must be a non-empty 1-D list"):
        Resample2D(kernel=[[1, 2]])
    saved_round_trip(lambda: Resample2D(up=2), RNG.normal(size=(1, 4, 4, 2)).astype("float32"), tmp_path)


def test_equalized_dense_scales_at_run_time_with_lr_multiplier(tmp_path):
    x = RNG.normal(size=(3, 64)).astype("float32")
    layer = EqualizedDense(16, lr_multiplier=0.01, bias_init=1.0, seed=0)
    out = layer(x).numpy()
    stored = layer.kernel.numpy()
    assert 80 < stored.std() < 120  # N(0, 1 / lr_multiplier)
    np.testing.assert_allclose(layer.bias.numpy() * 0.01, 1.0, rtol=1e-6)  # the effective bias is bias_init
    want = x @ (stored * np.sqrt(2.0) / np.sqrt(64) * 0.01) + 1.0
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    # the gradient reaching the stored kernel carries the run-time scale
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    grad = tape.gradient(loss, layer.kernel).numpy()
    np.testing.assert_allclose(grad, np.repeat(x.sum(0)[:, None], 16, 1) * np.sqrt(2.0) / 8 * 0.01, rtol=1e-5)
    saved_round_trip(lambda: EqualizedDense(4, gain=1.0, seed=1), x, tmp_path)
    with pytest.raises(ValueError, match="lr_multiplier must be > 0"):
        EqualizedDense(4, lr_multiplier=0)


def test_equalized_conv_is_a_same_padded_conv_with_the_he_constant():
    x = RNG.normal(size=(2, 5, 5, 3)).astype("float32")
    layer = EqualizedConv2D(4, kernel_size=3, seed=2)
    out = layer(x).numpy()
    kernel = layer.kernel.numpy() * np.sqrt(2.0) / np.sqrt(27)
    want = tf.nn.conv2d(x, kernel, strides=1, padding="SAME").numpy()
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    assert 0.8 < layer.kernel.numpy().std() < 1.2
    with pytest.raises(ValueError, match="kernel_size must be a positive odd integer"):
        EqualizedConv2D(4, kernel_size=2)


@pytest.mark.parametrize("demodulate", [True, False])
def test_modulated_conv_equals_a_per_sample_modulated_kernel(demodulate, tmp_path):
    x = RNG.normal(size=(3, 5, 5, 4)).astype("float32")
    w = RNG.normal(size=(3, 6)).astype("float32")
    layer = ModulatedConv2D(2, demodulate=demodulate, seed=4)
    out = layer([x, w]).numpy()
    s = layer.styles(w).numpy()
    np.testing.assert_allclose(layer.affine.bias.numpy(), 1.0)  # styles start around 1
    base = layer.kernel.numpy() / np.sqrt(9 * 4)
    for n in range(3):
        k = base * s[n][None, None, :, None]  # modulation
        if demodulate:
            k = k / np.sqrt((k**2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)
        want = tf.nn.conv2d(x[n : n + 1], k, strides=1, padding="SAME").numpy()[0]
        np.testing.assert_allclose(out[n], want, rtol=1e-4, atol=1e-5)
    if demodulate:
        # demodulation undoes any scaling of the style: s and 10 s give the same output
        layer.affine.bias.assign(layer.affine.bias.numpy() * 10)
        layer.affine.kernel.assign(layer.affine.kernel.numpy() * 10)
        np.testing.assert_allclose(layer([x, w]).numpy(), out, rtol=1e-4, atol=1e-5)
    saved_round_trip(lambda: ModulatedConv2D(2, demodulate=demodulate, seed=4), [x, w], tmp_path)
