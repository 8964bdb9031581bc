"""SAGAN (Zhang et al. 2019): the networks' layout, the recipe, the projection head and bad arguments.

The shared harness (tests/test_models.py) runs fit, config and .keras round trips and export over its tiny variants."""

import keras
import numpy as np
import pytest

from kerasgan import layers, models


def _sagan(**kwargs):
    args = {"image_shape": (32, 32, 3), "latent_dim": 8, "g_width": 4, "d_width": 8, "attention_resolution": 16, "seed": 0}
    return models.SAGAN(**{**args, **kwargs})


def test_networks_double_and_halve_with_attention_at_the_chosen_side():
    gan = _sagan()
    g, d = gan.generator, gan.discriminator
    # G: 4x4 with 4 * 2**3 maps, then 8, 16, 32 with 16, 8, 4 maps; the image has 3 channels
    assert g.get_layer("reshape").output.shape[1:] == (4, 4, 32)
    assert [g.get_layer(f"block{i}").output.shape[1:] for i in (1, 2, 3)] == [(8, 8, 16), (16, 16, 8), (32, 32, 4)]
    assert g.get_layer("attention").output.shape[1:] == (16, 16, 8)
    # D: 16, 8, 4 with 8, 16, 32 maps; attention after the block that reaches 16x16
    assert [d.get_layer(f"block{i}").output.shape[1:] for i in (1, 2, 3)] == [(16, 16, 8), (8, 8, 16), (4, 4, 32)]
    assert d.get_layer("attention").output.shape[1:] == (16, 16, 8)
    assert gan.image_shape == (32, 32, 3) and gan.num_classes is None
    # spectral norm on every conv and dense layer of both networks (the paper's G and D)
    for net in (g, d):
        weighted = [layer for layer in net.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
        assert weighted == [], [layer.name for layer in weighted]
        assert any(isinstance(layer, layers.SNConv2D) for layer in net.layers)
        assert isinstance(net.get_layer("attention"), layers.SelfAttention2D) and net.get_layer("attention").spectral_norm
    assert "attention" not in [layer.name for layer in _sagan(attention_resolution=None).generator.layers]


def test_compile_without_arguments_uses_the_papers_recipe():
    gan = _sagan()
    gan.compile()
    lr = lambda opt: float(keras.ops.convert_to_numpy(opt.learning_rate))  # noqa: E731
    assert lr(gan.g_optimizer) == pytest.approx(1e-4) and lr(gan.d_optimizer) == pytest.approx(4e-4)  # TTUR
    for opt in (gan.g_optimizer, gan.d_optimizer):
        assert float(opt.beta_1) == 0.0 and float(opt.beta_2) == 0.9
    assert models.SAGAN.recipe["loss"] == "hinge"
    # one training step of the recipe runs (the hinge loss itself is checked by hand in test_losses.py)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    logs = gan.train_on_batch(images, return_dict=True)
    assert np.isfinite(list(logs.values())).all()


def test_conditional_sagan_projects_the_class_embedding_onto_ds_features():
    gan = _sagan(num_classes=4)
    d = gan.discriminator
    x = np.random.default_rng(1).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    features = keras.Model(d.inputs, d.get_layer("sum_pool").output)([x, np.zeros(4, "int32")]).numpy()
    table = d.get_layer("label_embedding").embeddings.numpy()
    out = {k: d([x, np.full(4, k, "int32")], training=False).numpy()[:, 0] for k in range(4)}
    for k in range(1, 4):  # changing the class changes the logit by <embed(k) - embed(0), phi(x)> only
        np.testing.assert_allclose(out[k] - out[0], features @ (table[k] - table[0]), rtol=1e-4, atol=1e-4)
    cbn = [layer for layer in gan.generator.layers if isinstance(layer, layers.ConditionalBatchNormalization)]
    assert len(cbn) == 2 * 3 and cbn[0].num_classes == 4  # two per up-block
    samples = gan.sample(8, seed=0, labels=np.arange(8) % 4)
    assert samples.shape == (8, 32, 32, 3) and np.abs(samples).max() <= 1


@pytest.mark.parametrize("kwargs,message", [
    ({"image_shape": (28, 28, 1)}, r"side is 4 times a power of two .* got 28x28"),
    ({"image_shape": (32, 16, 3)}, r"got 32x16"),
    ({"image_shape": (32, 32, 4)}, r"1 or 3 channels, got 4"),
    ({"attention_resolution": 5}, r"attention_resolution must be one of the feature-map sides \[8, 16, 32\]"),
    ({"num_classes": 1}, r"num_classes must be an integer >= 2"),
    ({"g_width": 0}, r"g_width must be a positive integer"),
    ({"g_width": 2}, r"self-attention needs at least 8 maps .* but G has 4 at attention_resolution: raise g_width"),
    ({"d_width": 4, "attention_resolution": 16}, r"but D has 4 at attention_resolution: raise d_width"),
])
def test_bad_arguments_say_what_to_change(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _sagan(**kwargs)
