"""InfoGAN (Chen et al. 2016): latent codes made meaningful by maximising their mutual information with the image.

The latent vector is ``[noise | one-hot categorical codes | continuous codes]``
(MNIST: 62 noise values, one Cat(10) code, two U(-1, 1) codes). A Q head on
the discriminator's trunk predicts the codes from the image; both players
minimise ``info_weight * L_I``, the variational bound of the mutual
information: cross-entropy for categorical codes, and for continuous codes
the Gaussian negative log-likelihood with a fixed unit variance,
``0.5 * (c - mu(x))**2`` per code (the paper code's ``fix_std``; constants
dropped).
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models.dcgan.dcgan import _LAYOUTS, _check_image_shape, _init
from kerasgan.models.batch import head_of
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models import common


def infogan_generator(image_shape, latent_dim, width=64):
    """``z -> images``: FC 1024, FC to the first map, transposed convs (paper, Table 1 for MNIST).

    MNIST (w = 64): FC 1024-BN-ReLU, FC 7x7x128-BN-ReLU, 4x4 up-conv 64
    stride 2 BN-ReLU, 4x4 up-conv to 1 channel stride 2, tanh (the paper's
    sigmoid for [0, 1] data becomes tanh for [-1, 1]).
    """
    size, channels = _check_image_shape(image_shape)
    base, ups = _LAYOUTS[size]
    filters = [width * 2 ** (ups - 1 - i) for i in range(ups)]
    bn = dict(momentum=0.9, epsilon=1e-5)
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(1024, use_bias=False, kernel_initializer=_init(), name="fc1")(z)
    x = keras.layers.ReLU(name="fc1_relu")(keras.layers.BatchNormalization(name="fc1_bn", **bn)(x))
    x = keras.layers.Dense(base * base * filters[0], use_bias=False, kernel_initializer=_init(), name="fc2")(x)
    x = keras.layers.ReLU(name="fc2_relu")(keras.layers.BatchNormalization(name="fc2_bn", **bn)(x))
    x = keras.layers.Reshape((base, base, filters[0]), name="reshape")(x)
    for i, f in enumerate(filters[1:], start=1):
        x = keras.layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"deconv{i}")(x)
        x = keras.layers.ReLU(name=f"deconv{i}_relu")(keras.layers.BatchNormalization(name=f"deconv{i}_bn", **bn)(x))
    x = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=_init(), name=f"deconv{ups}")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(z, images, name="infogan_generator")


def infogan_discriminator(image_shape, categorical=(10,), continuous=2, width=64):
    """``images -> {"logits", "q_cat0", ..., "q_continuous"}``: D and the Q head share the trunk.

    Trunk (MNIST): 4x4 conv 64 stride 2 lReLU(0.1), 4x4 conv 128 stride 2
    BN lReLU, FC 1024 BN lReLU. D: FC to one logit. Q: FC 128 BN lReLU, then
    one FC per categorical code (its logits) and one for the continuous
    codes' means.
    """
    size, _ = _check_image_shape(image_shape)
    _, downs = _LAYOUTS[size]
    bn = dict(momentum=0.9, epsilon=1e-5)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for i in range(downs):
        x = keras.layers.Conv2D(width * 2**i, 4, strides=2, padding="same", kernel_initializer=_init(), name=f"conv{i}")(x)
        if i > 0:
            x = keras.layers.BatchNormalization(name=f"conv{i}_bn", **bn)(x)
        x = keras.layers.LeakyReLU(0.1, name=f"conv{i}_lrelu")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(1024, kernel_initializer=_init(), name="fc")(x)
    trunk = keras.layers.LeakyReLU(0.1, name="fc_lrelu")(keras.layers.BatchNormalization(name="fc_bn", **bn)(x))
    outputs = {"logits": keras.layers.Dense(1, dtype="float32", kernel_initializer=_init(), name="logits")(trunk)}
    q = keras.layers.Dense(128, kernel_initializer=_init(), name="q_fc")(trunk)
    q = keras.layers.LeakyReLU(0.1, name="q_lrelu")(keras.layers.BatchNormalization(name="q_bn", **bn)(q))
    for i, k in enumerate(categorical):
        outputs[f"q_cat{i}"] = keras.layers.Dense(k, dtype="float32", name=f"q_cat{i}")(q)
    if continuous:
        outputs["q_continuous"] = keras.layers.Dense(continuous, dtype="float32", name="q_continuous")(q)
    return keras.Model(images, outputs, name="infogan_discriminator")


@register_architecture("infogan")
@keras.saving.register_keras_serializable(package="kerasgan")
class InfoGAN(GAN):
    """InfoGAN: noise plus categorical and continuous codes, with a mutual-information term.

    Args:
        image_shape: (H, W, C), H = W in {28, 32, 64}.
        noise_dim: incompressible noise values (MNIST: 62), drawn U(-1, 1)
            as in the paper's code.
        categorical: sizes of the categorical codes (MNIST: ``(10,)``).
        continuous: number of U(-1, 1) continuous codes (MNIST: 2).
        info_weight: lambda of the mutual-information term for both players
            (paper: 1 on MNIST).
        g_width, d_width: feature maps of the last G / first D conv layer (64).
        seed: seed of the latent draws during training.

    The latent vector is ``[noise | one-hot codes | continuous codes]``;
    ``sample(num, seed, codes={...})`` fixes codes by name: ``"cat0"`` (or
    ``"categorical"`` when there is one) an int or one per image,
    ``"continuous"`` a value per continuous code (None entries stay random)
    or ``"c1"``, ``"c2"``, ... one code. ``traverse(code, values)`` draws a
    grid that varies one code.

    Example:
    >>> gan = InfoGAN()                            # the MNIST set-up
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("mnist"), epochs=1, steps_per_epoch=100)
    >>> sevens = gan.sample(8, seed=0, codes={"categorical": 7})

    Reference:
        Chen, Duan, Houthooft, Schulman, Sutskever & Abbeel, "InfoGAN:
        Interpretable Representation Learning by Information Maximizing
        Generative Adversarial Nets", NeurIPS 2016 (arXiv:1606.03657).
    """

    # Paper code: Adam, D 2e-4 and G 1e-3, beta_1 0.5, batch 128 (MNIST).
    recipe = {
        **GAN.recipe,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e-3, "beta_1": 0.5}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "batch_size": 128,
    }
    auxiliary_metrics = ("d_info", "g_info")

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_dim", "latent_distribution", "num_classes")

    def __init__(self, image_shape=(28, 28, 1), noise_dim=62, categorical=(10,), continuous=2, info_weight=1.0,
                 g_width=64, d_width=64, seed=None, **kwargs):
        categorical = tuple(int(k) for k in (categorical or ()))
        if any(k < 2 for k in categorical):
            raise ValueError(f"categorical code sizes must be >= 2, got {categorical}")
        if int(continuous) < 0 or int(noise_dim) < 0:
            raise ValueError(f"noise_dim and continuous must be >= 0, got {noise_dim} and {continuous}")
        if not categorical and not int(continuous):
            raise ValueError("InfoGAN needs at least one code: give categorical=(k,) or continuous >= 1")
        if isinstance(info_weight, bool) or float(info_weight) < 0:
            raise ValueError(f"info_weight must be >= 0, got {info_weight!r}")
        self.noise_dim, self.categorical, self.continuous = int(noise_dim), categorical, int(continuous)
        self.info_weight = float(info_weight)
        self._arch_config = {
            "image_shape": tuple(int(d) for d in image_shape), "noise_dim": self.noise_dim,
            "categorical": list(categorical), "continuous": self.continuous, "info_weight": self.info_weight,
            "g_width": int(g_width), "d_width": int(d_width),
        }
        latent_dim = self.noise_dim + sum(categorical) + self.continuous
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=infogan_generator(image_shape, latent_dim, int(g_width)),
            discriminator=infogan_discriminator(image_shape, categorical, self.continuous, int(d_width)),
            latent_dim=latent_dim,
            latent_distribution="uniform",
            seed=seed,
            **kwargs,
        )

    # ------------------------------------------------------------ latents
    @property
    def raw_latent_dim(self):
        # One U(-1, 1) draw per noise value, per categorical code and per continuous code.
        return self.noise_dim + len(self.categorical) + self.continuous

    def structure_latents(self, raw):
        raw = tf.cast(raw, tf.float32)
        parts = [raw[:, : self.noise_dim]]
        for i, k in enumerate(self.categorical):
            u = raw[:, self.noise_dim + i]
            index = tf.clip_by_value(tf.cast(tf.floor((u + 1.0) * 0.5 * k), tf.int32), 0, k - 1)
            parts.append(tf.one_hot(index, k, dtype=tf.float32))
        parts.append(raw[:, self.noise_dim + len(self.categorical) :])
        return tf.concat(parts, axis=1)

    def code_slices(self):
        """``{code name: (start, stop)}`` column ranges of each code in the latent vector."""
        slices, start = {}, self.noise_dim
        for i, k in enumerate(self.categorical):
            slices[f"cat{i}"] = (start, start + k)
            start += k
        for j in range(self.continuous):
            slices[f"c{j + 1}"] = (start + j, start + j + 1)
        return slices

    def set_codes(self, z, codes):
        """A copy of latents ``z`` with the ``codes`` fixed (see the class docstring)."""
        z = np.array(z, dtype="float32", copy=True)
        n, slices = len(z), self.code_slices()
        for name, value in (codes or {}).items():
            if name == "categorical":
                if len(self.categorical) != 1:
                    raise ValueError(f"this InfoGAN has {len(self.categorical)} categorical codes: name them cat0, cat1, ...")
                name = "cat0"
            if name == "continuous":
                values = list(value) if np.ndim(value) else [value] * self.continuous
                if len(values) != self.continuous:
                    raise ValueError(f"continuous takes {self.continuous} values (None keeps one random), got {len(values)}")
                for j, v in enumerate(values):
                    if v is not None:
                        z = self.set_codes(z, {f"c{j + 1}": v})
                continue
            if name not in slices:
                raise ValueError(f"unknown code {name!r}: this InfoGAN's codes are {', '.join(slices)} (or categorical, continuous)")
            start, stop = slices[name]
            if name.startswith("cat"):
                k = stop - start
                index = np.asarray(value)
                if index.dtype.kind not in "iu" or np.any(index < 0) or np.any(index >= k):
                    raise ValueError(f"code {name} takes ints in [0, {k - 1}], got {value!r}")
                z[:, start:stop] = np.eye(k, dtype="float32")[np.broadcast_to(index, (n,))]
            else:
                z[:, start] = np.broadcast_to(np.asarray(value, "float32"), (n,))
        return z

    def sample(self, num, seed=None, batch_size=256, labels=None, codes=None, ema=True):
        """``num`` images in [-1, 1]; ``codes`` fixes latent codes by name (random elsewhere)."""
        if codes is None:
            return super().sample(num, seed=seed, batch_size=batch_size, labels=labels, ema=ema)
        self.check_labels(labels, num)
        z = self.set_codes(keras.ops.convert_to_numpy(self.latents(num, seed)), codes)
        return self.generate(z, batch_size=batch_size, ema=ema)

    def traverse(self, code, values, rows=10, seed=0, fixed=None):
        """A grid ``(rows * len(values), H, W, C)``: row r keeps one latent, the columns set ``code`` to ``values``.

        For continuous codes, ``values`` like ``np.linspace(-2, 2, 10)`` (the
        paper varies them beyond the training range); for a categorical code,
        its indices. ``fixed`` fixes other codes for every image (e.g.
        ``{"categorical": 3}`` while traversing ``"c1"``).
        """
        values = list(values)
        base = keras.ops.convert_to_numpy(self.latents(rows, seed))
        if fixed:
            base = self.set_codes(base, fixed)
        z = np.repeat(base, len(values), axis=0)
        column = np.tile(np.arange(len(values)), rows)
        out = np.empty_like(z)
        for j, v in enumerate(values):
            out[column == j] = self.set_codes(z[column == j], {code: v})
        return self.generate(out)

    # ------------------------------------------------------------ the information term
    def mutual_information_loss(self, output, latents):
        """The variational bound's negative, summed over codes: CE for categorical, 0.5 (c - mu)^2 for continuous."""
        latents = tf.cast(latents, tf.float32)
        total = tf.constant(0.0)
        start = self.noise_dim
        for i, k in enumerate(self.categorical):
            target = latents[:, start : start + k]
            logits = tf.cast(head_of(output, f"q_cat{i}", "InfoGAN's information term"), tf.float32)
            ce = tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=logits)
            total += tf.nn.compute_average_loss(ce)
            start += k
        if self.continuous:
            c = latents[:, start : start + self.continuous]
            mean = tf.cast(head_of(output, "q_continuous", "InfoGAN's information term"), tf.float32)
            nll = 0.5 * tf.reduce_sum(tf.square(c - mean), axis=1)
            total += tf.nn.compute_average_loss(nll)
        return total

    def compute_auxiliary_terms(self, player, batch):
        if batch.latents is None:
            raise ValueError("InfoGAN's information term needs the latents the images came from")
        term = self.info_weight * self.mutual_information_loss(batch.fake_output, batch.latents)
        return {"g_info" if player == "generator" else "d_info": term}
