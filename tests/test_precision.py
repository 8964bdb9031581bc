"""Precision policies: mixed float16 with loss scaling for both players, bfloat16, auto."""

import keras
import numpy as np
import pytest

from kerasgan import distribute
from kerasgan.models import DCGAN


@pytest.fixture
def policy():
    yield distribute.set_precision
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize("name", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_step_keeps_logits_and_losses_float32(policy, name):
    policy(name)
    keras.utils.set_random_seed(0)
    gan = DCGAN(image_shape=(28, 28, 1), latent_dim=8, g_width=4, d_width=4, seed=0)
    gan.compile()
    scaled = isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (name == "mixed_float16")
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer) == scaled
    compute = "float16" if name == "mixed_float16" else "bfloat16"
    assert gan.generator.get_layer("deconv1").compute_dtype == compute
    assert gan.generator.get_layer("project").kernel.dtype == "float32"  # variables stay float32
    x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    logits = gan.discriminator(x)
    assert logits.dtype == "float32"
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0).history
    assert all(np.isfinite(v[0]) for v in history.values())
    assert gan.sample(2, seed=0).dtype == np.float32


def test_auto_precision_follows_the_hardware_and_unknown_names_are_refused(monkeypatch):
    native = distribute.hardware_has_bfloat16()
    assert distribute.resolve_precision("auto") == ("mixed_bfloat16" if native else "float32")
    monkeypatch.setattr(distribute, "hardware_has_bfloat16", lambda: True)
    assert distribute.resolve_precision("auto") == "mixed_bfloat16"
    monkeypatch.setattr(distribute, "hardware_has_bfloat16", lambda: False)
    assert distribute.resolve_precision("auto") == "float32"
    assert distribute.resolve_precision("float32") == "float32"
    assert distribute.resolve_precision("mixed_bfloat16") == "mixed_bfloat16"
    with pytest.raises(ValueError, match="unknown precision 'fp8'"):
        distribute.resolve_precision("fp8")
    with pytest.raises(ValueError, match="unknown strategy 'horovod'"):
        distribute.get_strategy("horovod")
