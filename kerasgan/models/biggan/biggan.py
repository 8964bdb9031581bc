"""BigGAN (Brock, Donahue & Simonyan 2019) at the sizes this package trains.

G: z is split into chunks (hierarchical latents): the first goes through a
spectrally normalized dense layer to a 4x4 map; each residual up-block gets
the next chunk concatenated with a class embedding shared by all blocks, and
both of the block's batch norms take their gains and biases from linear maps
of that vector (``ConditionalBatchNormalization(num_classes=None)``, gain
1 + Wc). Self-attention after the block that reaches
``attention_resolution``, then BN, ReLU, 3x3 conv, tanh. D: the residual
projection discriminator of ``sagan_discriminator``. Spectral norm in both
networks, orthogonal regularisation on G's weights, an EMA copy of G for
sampling, and the truncation trick (``sample(..., truncation=tau)``).
"""

import keras
import tensorflow as tf

from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kerasgan.layers.self_attention import SelfAttention2D
from kerasgan.layers.spectral_normalization import SNDense
from kerasgan.models.gan import GAN
from kerasgan.models.options import adam_recipe
from kerasgan.models.registry import register_architecture
from kerasgan.models import common
from kerasgan.models.sagan.sagan import (
    _check_attention, _check_attention_width, _stages, image_head, residual_up_block, sagan_discriminator,
)


def latent_chunks(latent_dim, blocks):
    """Sizes of z's chunks: one for the 4x4 projection and one per up-block, as equal as possible."""
    parts = blocks + 1
    if latent_dim < parts:
        raise ValueError(f"BigGAN splits z into {parts} chunks (one per block and one for the first map): latent_dim must be >= {parts}, got {latent_dim}")
    base, extra = divmod(latent_dim, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def biggan_generator(image_shape, latent_dim, num_classes, width=64, embedding_dim=128, attention_resolution=32, seed=None):
    """``[z, labels] -> images``: hierarchical latents and a shared class embedding into every block's batch norms."""
    side, channels, blocks = _stages(image_shape, "BigGAN")
    attention_resolution = _check_attention(attention_resolution, side)
    filters = [int(width) * 2 ** (blocks - i) for i in range(blocks + 1)]
    chunks = latent_chunks(int(latent_dim), blocks)
    s = (lambda k: None) if seed is None else (lambda k: seed + k)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    shared = keras.layers.Embedding(num_classes, embedding_dim, name="shared_embedding")(labels)
    split = _SplitLatents(chunks, name="z_chunks")(z)
    x = SNDense(4 * 4 * filters[0], seed=s(0), name="project")(split[0])
    x = keras.layers.Reshape((4, 4, filters[0]), name="reshape")(x)
    for i in range(blocks):
        condition = keras.layers.Concatenate(name=f"block{i + 1}_condition")([split[i + 1], shared])
        x = residual_up_block(x, filters[i + 1], i + 1,
                              lambda t, name, c=condition: ConditionalBatchNormalization(None, name=name)([t, c]), s)
        if 4 * 2 ** (i + 1) == attention_resolution:
            _check_attention_width(filters[i + 1], "G", "g_width")
            x = SelfAttention2D(spectral_norm=True, seed=s(100), name="attention")(x)
    images = image_head(x, channels, s)
    return keras.Model([z, labels], images, name="biggan_generator")


@keras.saving.register_keras_serializable(package="kerasgan")
class _SplitLatents(keras.layers.Layer):
    """Splits (batch, sum(sizes)) into a list of (batch, size) chunks."""

    def __init__(self, sizes, **kwargs):
        super().__init__(**kwargs)
        self.sizes = [int(n) for n in sizes]

    def call(self, z):
        return tf.split(z, self.sizes, axis=-1)

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], n) for n in self.sizes]

    def get_config(self):
        return {**super().get_config(), "sizes": self.sizes}


def orthogonal_penalty(kernels, beta=1e-4):
    """BigGAN's orthogonal regularisation: ``beta * sum_W ||W^T W * (1 - I)||_F^2``.

    Each kernel is flattened to (fan_in, filters), so ``W^T W`` compares the
    filters with each other; only their off-diagonal inner products are
    penalised (Brock et al. 2019, eq. 3), leaving the norms free.
    """
    total = tf.constant(0.0)
    for kernel in kernels:
        w = tf.reshape(tf.cast(kernel, tf.float32), (-1, kernel.shape[-1]))
        gram = tf.matmul(w, w, transpose_a=True)
        off = gram * (1.0 - tf.eye(gram.shape[0]))
        total += tf.reduce_sum(tf.square(off))
    return beta * total


@register_architecture("biggan")
@keras.saving.register_keras_serializable(package="kerasgan")
class BigGAN(GAN):
    """BigGAN (Brock, Donahue & Simonyan, ICLR 2019), class-conditional.

    Args:
        image_shape: (S, S, C), S = 4 * 2**k (k >= 1), C in (1, 3).
        num_classes: classes (>= 2).
        latent_dim: size of z, split into one chunk per up-block plus one
            (paper: 120 for 128x128, i.e. chunks of 20).
        embedding_dim: size of the shared class embedding (paper: 128).
        g_width, d_width: base channel counts (paper: 96 at 128x128).
        attention_resolution: side of the self-attention block (paper: 64
            at 128x128), or None.
        ortho_beta: weight of the orthogonal regularisation on G's weight
            matrices (``regularized_kernels``; paper: 1e-4; 0 turns it off).
        ema_decay: EMA of G's weights used for sampling (paper: 0.9999).

    Recipe (``compile()`` without arguments): hinge loss, Adam(beta_1=0,
    beta_2=0.999) with G 1e-4 and D 4e-4 (the paper's 128x128 setting uses
    2 D steps; this recipe keeps 1), batch 64.

    Sampling with ``truncation=tau`` draws z from N(0, 1) truncated to
    [-tau, tau] (the truncation trick; smaller tau, higher fidelity and less
    variety).

    Reference:
        Brock, Donahue & Simonyan, "Large Scale GAN Training for High
        Fidelity Natural Image Synthesis", ICLR 2019 (arXiv:1809.11096).
    """

    recipe = adam_recipe("hinge", g_lr=1e-4, d_lr=4e-4, beta_1=0.0, beta_2=0.999, batch_size=64)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution")

    def __init__(self, image_shape=(64, 64, 3), num_classes=10, latent_dim=120, embedding_dim=128, g_width=64, d_width=64,
                 attention_resolution=32, ortho_beta=1e-4, ema_decay=0.9999, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"BigGAN is class-conditional: num_classes must be an integer >= 2, got {num_classes!r}")
        for name, value in (("g_width", g_width), ("d_width", d_width), ("latent_dim", latent_dim), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not float(ortho_beta) >= 0:
            raise ValueError(f"ortho_beta must be >= 0 (0 turns orthogonal regularisation off), got {ortho_beta!r}")
        self.ortho_beta = float(ortho_beta)
        self._arch_config = {
            "image_shape": image_shape,
            "latent_dim": int(latent_dim),
            "embedding_dim": int(embedding_dim),
            "g_width": int(g_width),
            "d_width": int(d_width),
            "attention_resolution": attention_resolution,
            "ortho_beta": self.ortho_beta,
        }
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=biggan_generator(image_shape, int(latent_dim), num_classes, g_width, int(embedding_dim), attention_resolution, seed),
            discriminator=sagan_discriminator(image_shape, num_classes, d_width, attention_resolution, seed),
            latent_dim=int(latent_dim),
            num_classes=num_classes,
            seed=seed,
            ema_decay=ema_decay,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        if self.ema_decay is None:
            config["ema_decay"] = None  # the default is 0.9999: record that it was turned off
        return config

    def serving_endpoints(self):
        """GAN's endpoints plus ``sample_truncated``: ``num``, ``seed``, ``labels``, ``truncation`` -> uint8 images.

        The same images as ``sample(num, seed, labels=labels, truncation=truncation)``;
        a truncation <= 0 fails an assertion.
        """
        from kerasgan import export as export_lib
        from kerasgan.models.gan import stateless_latents, truncate_normal

        spec = super().serving_endpoints()
        generator, num_classes = self.serving_generator(), self.num_classes

        def sample_truncated(num, seed, labels, truncation):
            checks = [
                tf.debugging.assert_positive(truncation, message="truncation must be a threshold > 0"),
                tf.debugging.assert_non_negative(labels, message="labels must be in [0, num_classes)"),
                tf.debugging.assert_less(labels, num_classes, message="labels must be in [0, num_classes)"),
            ]
            with tf.control_dependencies(checks):
                z = truncate_normal(stateless_latents(self.latent_dim, "normal", num, seed), truncation)
                return {"images": export_lib.to_uint8(generator([z, labels], training=False))}

        spec["endpoints"]["sample_truncated"] = (sample_truncated, [
            tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int64, name="seed"),
            tf.TensorSpec([None], tf.int32, name="labels"), tf.TensorSpec([], tf.float32, name="truncation"),
        ])
        return spec

    def regularized_kernels(self):
        """G's weights under orthogonal regularisation: every trainable matrix or conv kernel but the shared embedding.

        As the authors' code: conv, dense and attention kernels and the batch
        norms' linear gain/bias maps; the shared class embedding is exempt.
        """
        return [v for v in self.generator.trainable_variables if len(v.shape) >= 2 and "shared_embedding" not in v.path]

    def compute_generator_penalty(self, batch):
        penalty = super().compute_generator_penalty(batch)
        if self.ortho_beta:
            penalty = penalty + orthogonal_penalty(self.regularized_kernels(), self.ortho_beta)
        return penalty
