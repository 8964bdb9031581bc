"""CycleGAN (Zhu et al. 2017): unpaired translation between two domains with cycle consistency.

Two generators, G: A -> B and F: B -> A (ResNet generators of Johnson et al.
2016 with instance norm and reflection padding), and two PatchGAN
discriminators, D_B on domain B and D_A on domain A. The adversarial loss
is least squares (LSGAN); G and F also minimise the cycle loss
``|F(G(a)) - a|_1 + |G(F(b)) - b|_1`` with weight lambda = 10 and the identity
loss ``|G(b) - b|_1 + |F(a) - a|_1`` with weight 0.5 * lambda (section 5.2,
"photo generation from paintings"). The discriminators are updated on a
history of 50 generated images (Shrivastava et al. 2017), and the learning
rate is kept for the first half of training, then decayed linearly to zero
(``kerasgan.schedules.ConstantThenLinearDecay``).
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan import losses as losses_lib
from kerasgan.layers.reflection_padding import ReflectionPadding2D
from kerasgan.models import common
from kerasgan.models.batch import GANBatch
from kerasgan.models.registry import register_architecture
from kerasgan.models.translation import TranslationGAN


def _init():
    # "Weights are initialized from a Gaussian distribution N(0, 0.02)" (section 7.1).
    return keras.initializers.RandomNormal(0.0, 0.02)


def _instance_norm(name):
    # Instance norm without affine parameters (the authors' default); GroupNormalization with one group per channel.
    return keras.layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5, name=name)


def resnet_generator(image_shape=(64, 64, 3), width=64, blocks=6, name="resnet_generator"):
    """c7s1-w, d2w, d4w, ``blocks`` x R4w, u2w, uw, c7s1-C with tanh (Zhu et al. 2017, 7.2; 6 blocks for 128x128 and below)."""
    h, w, c = (int(d) for d in image_shape)
    if h % 4 or w % 4:
        raise ValueError(f"the ResNet generator downsamples twice: image sides must be multiples of 4, got {h}x{w}")
    images = keras.Input((h, w, c), name="images")
    x = ReflectionPadding2D(3, name="pad_in")(images)
    x = keras.layers.Conv2D(width, 7, use_bias=False, kernel_initializer=_init(), name="c7s1")(x)
    x = keras.layers.ReLU(name="c7s1_relu")(_instance_norm("c7s1_in")(x))
    for i, f in enumerate((2 * width, 4 * width)):
        x = keras.layers.Conv2D(f, 3, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"d{i}")(x)
        x = keras.layers.ReLU(name=f"d{i}_relu")(_instance_norm(f"d{i}_in")(x))
    for i in range(int(blocks)):
        y = ReflectionPadding2D(1, name=f"r{i}_pad1")(x)
        y = keras.layers.Conv2D(4 * width, 3, use_bias=False, kernel_initializer=_init(), name=f"r{i}_conv1")(y)
        y = keras.layers.ReLU(name=f"r{i}_relu")(_instance_norm(f"r{i}_in1")(y))
        y = ReflectionPadding2D(1, name=f"r{i}_pad2")(y)
        y = keras.layers.Conv2D(4 * width, 3, use_bias=False, kernel_initializer=_init(), name=f"r{i}_conv2")(y)
        x = keras.layers.Add(name=f"r{i}_add")([x, _instance_norm(f"r{i}_in2")(y)])
    for i, f in enumerate((2 * width, width)):
        x = keras.layers.Conv2DTranspose(f, 3, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"u{i}")(x)
        x = keras.layers.ReLU(name=f"u{i}_relu")(_instance_norm(f"u{i}_in")(x))
    x = ReflectionPadding2D(3, name="pad_out")(x)
    x = keras.layers.Conv2D(c, 7, kernel_initializer=_init(), name="to_image")(x)
    return keras.Model(images, keras.layers.Activation("tanh", dtype="float32", name="output")(x), name=name)


def patch_critic(image_shape=(64, 64, 3), width=64, layers=2, name="patch_critic"):
    """PatchGAN on one image with instance norm: C64 (no norm), ``layers`` - 1 more stride-2 Ck, a stride-1 Ck, 1 channel.

    Receptive field 34x34 for ``layers=2`` (this package's choice at 64x64),
    70x70 for ``layers=3`` (the paper's at 256x256).
    """
    h, w, c = (int(d) for d in image_shape)
    images = keras.Input((h, w, c), name="images")
    x = images
    for i in range(int(layers)):
        x = keras.layers.Conv2D(width * 2**i, 4, strides=2, padding="same", use_bias=i == 0, kernel_initializer=_init(), name=f"conv{i}")(x)
        if i:
            x = _instance_norm(f"conv{i}_in")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.Conv2D(width * 2 ** int(layers), 4, padding="same", use_bias=False, kernel_initializer=_init(), name="conv_s1")(x)
    x = keras.layers.LeakyReLU(0.2, name="conv_s1_lrelu")(_instance_norm("conv_s1_in")(x))
    logits = keras.layers.Conv2D(1, 4, padding="same", dtype="float32", kernel_initializer=_init(), name="patch_logits")(x)
    return keras.Model(images, logits, name=name)


@register_architecture("cyclegan")
@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(TranslationGAN):
    """Unpaired two-way translation A <-> B (Zhu et al. 2017).

    Args:
        image_shape: (H, W, C) of both domains (sides multiples of 4).
        g_width: feature maps of the generators' first layer (paper: 64).
        g_blocks: residual blocks (paper: 6 for 128x128, 9 for 256x256).
        d_width, d_layers: the PatchGAN critics (see ``patch_critic``).
        cycle_weight: lambda of the cycle loss (paper: 10).
        identity_weight: weight of the identity loss relative to lambda
            (paper: 0.5, i.e. 5; 0 turns it off).
        pool_size: generated images each critic is trained on from history
            (paper: 50; 0 uses the latest batch only).
        styles: ``(A, B)`` style names (e.g. ``("google", "twitter")``):
            ``translate(x, target="twitter")`` runs G, ``target="google"`` runs F.
        seed: seed of the history pool's draws.

    Networks: ``generator`` (G: A -> B), ``generator_ba`` (F: B -> A),
    ``discriminator`` (D_B) and ``discriminator_a`` (D_A). Data: ``(a, b)``
    batches of the two domains, unpaired (``kerasgan.data.load_domains``).

    Example:
    >>> model = CycleGAN(styles=("google", "twitter"))
    >>> model.compile()
    >>> model.fit(kerasgan.data.load_domains(["google", "twitter"]), epochs=1)
    >>> twemoji = model.translate(noto_images, target="twitter")

    Reference:
        Zhu, Park, Isola & Efros, "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017 (arXiv:1703.10593).
    """

    # Paper: Adam 2e-4, beta_1 0.5, batch 1, LSGAN; batch 4 here for CPU throughput.
    recipe = {**TranslationGAN.recipe, "loss": "least_squares", "batch_size": 4}
    auxiliary_metrics = ("g_cycle", "g_identity")
    players = ("discriminator", "generator")
    #: Networks each player trains.
    player_networks = {"generator": ("generator", "generator_ba"), "discriminator": ("discriminator", "discriminator_a")}

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "d_sees_source", "num_domains", "l1_weight")

    def __init__(self, image_shape=(64, 64, 3), g_width=64, g_blocks=6, d_width=64, d_layers=2, cycle_weight=10.0,
                 identity_weight=0.5, pool_size=50, styles=None, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if float(cycle_weight) < 0 or float(identity_weight) < 0 or int(pool_size) < 0:
            raise ValueError(f"cycle_weight, identity_weight and pool_size must be >= 0, got {cycle_weight}, {identity_weight}, {pool_size}")
        self._arch_config = {
            "image_shape": image_shape, "g_width": int(g_width), "g_blocks": int(g_blocks), "d_width": int(d_width),
            "d_layers": int(d_layers), "cycle_weight": float(cycle_weight), "identity_weight": float(identity_weight),
            "pool_size": int(pool_size),
        }
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=resnet_generator(image_shape, int(g_width), int(g_blocks), name="generator_ab"),
            discriminator=patch_critic(image_shape, int(d_width), int(d_layers), name="critic_b"),
            image_shape=image_shape, l1_weight=0.0, d_sees_source=False, styles=styles, seed=seed, **kwargs,
        )
        self.generator_ba = resnet_generator(image_shape, int(g_width), int(g_blocks), name="generator_ba")
        self.discriminator_a = patch_critic(image_shape, int(d_width), int(d_layers), name="critic_a")
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.pool_size = int(pool_size)
        size = max(self.pool_size, 1)
        # The history pools: images and how many are stored (saved with the model, so a resumed run keeps them).
        self.pools = {
            domain: (
                self.add_weight(shape=(size, *image_shape), initializer="zeros", trainable=False, name=f"pool_{domain}"),
                self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False, name=f"pool_{domain}_count"),
            )
            for domain in ("a", "b")
        }

    @property
    def networks(self):
        return {"generator": self.generator, "generator_ba": self.generator_ba,
                "discriminator": self.discriminator, "discriminator_a": self.discriminator_a}

    def player_variables(self, player):
        if player not in self.players:
            raise ValueError(f"unknown player {player!r}: this model's players are {list(self.players)}")
        return [v for name in self.player_networks[player] for v in self.networks[name].trainable_variables]

    # ------------------------------------------------------------ history pool
    def query_pool(self, pool, images):
        """The history-pool trick (Shrivastava et al. 2017), image by image, as the authors' ``ImagePool``.

        While fewer than ``pool_size`` images are stored, each new image is
        stored and returned; afterwards, with probability 1/2 a stored image
        is returned and replaced by the new one, else the new one is returned.
        ``pool`` is ``"a"`` or ``"b"``. Returns the batch D trains on.
        """
        if self.pool_size == 0:
            return images
        store, counter = self.pools[pool]
        images = tf.cast(images, store.dtype)
        n = tf.shape(images)[0]
        coins = keras.random.uniform((n,), seed=self.seed_generator)
        slots = tf.minimum(tf.cast(keras.random.uniform((n,), seed=self.seed_generator) * self.pool_size, tf.int32), self.pool_size - 1)

        def body(i, count, stored, out):
            image = images[i]
            fill = count < self.pool_size
            swap = tf.logical_and(tf.logical_not(fill), coins[i] > 0.5)
            slot = tf.where(fill, count, slots[i])
            returned = tf.where(swap, stored[slot], image)
            stored = tf.tensor_scatter_nd_update(stored, [[slot]], tf.where(tf.logical_or(fill, swap), image, stored[slot])[None])
            return i + 1, count + tf.cast(fill, tf.int32), stored, out.write(i, returned)

        out = tf.TensorArray(store.dtype, size=n)
        _, count, stored, out = tf.while_loop(lambda i, *_: i < n, body, (tf.constant(0), counter.value, store.value, out))
        store.assign(stored)
        counter.assign(count)
        return out.stack()

    # ------------------------------------------------------------ losses
    def _adversarial_scale(self):
        # The least-squares G loss here is 1/2 E[(D - 1)^2] (Mao et al.); the authors' code uses E[(D - 1)^2].
        # Doubling it keeps lambda = 10 weighing the cycle loss as in the paper.
        return 2.0 if self.g_loss_fn is losses_lib.get("least_squares", "generator") else 1.0

    def generator_terms(self, a, b, training=True):
        """Every term of G and F's loss for a batch ``(a, b)``, with the images they came from (a dict)."""
        fake_b = self.generator(a, training=training)
        fake_a = self.generator_ba(b, training=training)
        cycle = _l1(self.generator_ba(fake_b, training=training), a) + _l1(self.generator(fake_a, training=training), b)
        identity = tf.constant(0.0)
        if self.identity_weight:
            identity = _l1(self.generator(b, training=training), b) + _l1(self.generator_ba(a, training=training), a)
        adversarial = self._adversarial_scale() * (
            self.compute_generator_loss(GANBatch(real=b, fake=fake_b, fake_output=self.discriminator(fake_b, training=training)))
            + self.compute_generator_loss(GANBatch(real=a, fake=fake_a, fake_output=self.discriminator_a(fake_a, training=training)))
        )
        return {"fake_a": fake_a, "fake_b": fake_b, "adversarial": adversarial, "g_cycle": cycle, "g_identity": identity}

    def _unpack(self, data):
        if isinstance(data, dict):
            return data["a"], data["b"], None
        if isinstance(data, (tuple, list)) and len(data) == 2:
            return data[0], data[1], None
        raise ValueError("CycleGAN trains on (a, b) batches of its two domains (kerasgan.data.load_domains), unpaired")

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains on a dataset of ``(a, b)`` batches, or on two arrays: ``x`` images of A, ``y`` images of B (any counts, unpaired).

        With arrays, each domain is shuffled on its own and repeated; an epoch
        is one pass over the larger of the two.
        """
        if isinstance(x, tf.data.Dataset) or (x is None and y is None):
            return super().fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=shuffle, **kwargs)
        if y is None:
            raise ValueError("fit needs images of both domains: fit(a_images, b_images), unpaired, or a dataset of (a, b) batches")
        a = self.check_images(x, "domain A images")
        b = self.check_images(y, "domain B images")
        batch_size = int(batch_size or self.recipe["batch_size"])
        seed = self.seed or 0

        def stream(images, offset):
            ds = tf.data.Dataset.from_tensor_slices(images)
            if shuffle:
                ds = ds.shuffle(len(images), seed=seed + offset, reshuffle_each_iteration=True)
            return ds.repeat().batch(batch_size, drop_remainder=True)

        kwargs.setdefault("steps_per_epoch", max(1, max(len(a), len(b)) // batch_size))
        return super().fit(tf.data.Dataset.zip((stream(a, 0), stream(b, 1))), epochs=epochs, shuffle=False, **kwargs)

    def train_step(self, data):
        a, b, _ = self._unpack(data)
        # The authors' order: G and F first, then the critics on the pooled fakes of the same forward pass.
        g_vars = self.player_variables("generator")
        with tf.GradientTape() as g_tape:
            terms = self.generator_terms(a, b)
            g_total = terms["adversarial"] + self.cycle_weight * (terms["g_cycle"] + self.identity_weight * terms["g_identity"])
            g_total = self.g_optimizer.scale_loss(g_total)
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_total, g_vars), g_vars))
        pooled_a = self.query_pool("a", tf.stop_gradient(terms["fake_a"]))
        pooled_b = self.query_pool("b", tf.stop_gradient(terms["fake_b"]))
        d_vars = self.player_variables("discriminator")
        with tf.GradientTape() as d_tape:
            batch_b = GANBatch(real=b, fake=pooled_b, real_output=self.discriminator(b, training=True),
                               fake_output=self.discriminator(pooled_b, training=True))
            batch_a = GANBatch(real=a, fake=pooled_a, real_output=self.discriminator_a(a, training=True),
                               fake_output=self.discriminator_a(pooled_a, training=True))
            d_loss = self.compute_discriminator_loss(batch_b) + self.compute_discriminator_loss(batch_a)
            d_total = self.d_optimizer.scale_loss(d_loss)
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_total, d_vars), d_vars))
        logged = {"d_loss": d_loss, "g_loss": terms["adversarial"],
                  "g_cycle": terms["g_cycle"], "g_identity": terms["g_identity"]}
        for name, value in logged.items():
            if name in self._active_metrics:
                self._trackers[name].update_state(value * common.num_replicas())
        self._trackers["d_real"].update_state(self._probability(tf.concat([tf.reshape(batch_b.real_logits, [-1]), tf.reshape(batch_a.real_logits, [-1])], 0)))
        self._trackers["d_fake"].update_state(self._probability(tf.concat([tf.reshape(batch_b.fake_logits, [-1]), tf.reshape(batch_a.fake_logits, [-1])], 0)))
        return {name: self._trackers[name].result() for name in self._active_metrics}

    # The critics take no gradient penalty in this version.
    _unsupported_options = TranslationGAN._unsupported_options | {"gradient_penalty", "r1_gamma"}

    # ------------------------------------------------------------ data and use
    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``data.load_domains(styles)`` on the train split, unpaired (``mirror`` from the config)."""
        from kerasgan import data

        if image_size:
            raise ValueError("emoji styles are 64x64: drop image_size")
        styles = cls._pair_styles(config)
        return data.load_domains(styles, batch_size=batch_size, seed=seed, repeat=repeat, mirror=bool(config.get("mirror")))

    def preview_function(self, config, seed, num=8):
        """Four rows of test images: A, G(A), B, F(B)."""
        from kerasgan import data

        a_style, b_style = self._pair_styles(config)
        a, b, _ = data.load_pair_arrays(a_style, b_style, split="test")
        a, b = a[:num], b[:num]

        def preview():
            return np.concatenate([a, self.translate(a, target=b_style), b, self.translate(b, target=a_style)]), len(a)

        return preview

    def target_domain(self, target):
        """0 for ``styles[1]`` (G: A -> B), 1 for ``styles[0]`` (F: B -> A)."""
        if not isinstance(target, str):
            raise TypeError(f"target must be a style name (str), got {type(target).__name__}")
        if self.styles is None:
            raise ValueError("this CycleGAN was built without style names: rebuild it with styles=(A, B), or call generator / generator_ba")
        if target not in self.styles:
            import difflib

            close = difflib.get_close_matches(target, self.styles, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"unknown target style {target!r}: {hint}this model translates to {', '.join(self.styles)}")
        return 0 if target == self.styles[1] else 1

    def translate(self, images, target=None, domain=None, batch_size=64):
        """G (A -> B) on float images in [-1, 1], or F (B -> A) when ``target`` names domain A."""
        if domain is not None:
            raise ValueError("CycleGAN picks its direction from target= (a style name), not domain=")
        network = self.generator
        if target is not None and self.target_domain(target) == 1:
            network = self.generator_ba
        images = self.check_images(images, "images")
        out = [keras.ops.convert_to_numpy(network(images[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
        return np.concatenate(out, axis=0) if out else np.zeros((0, *self.output_shape_), "float32")

    def serving_endpoints(self):
        """``serving_default`` / ``translate_uint8``: A -> B; ``reverse`` / ``reverse_uint8``: B -> A."""
        from kerasgan import export as export_lib

        forward = export_lib.translation_endpoints(self.generator, self.image_shape)
        backward = export_lib.translation_endpoints(self.generator_ba, self.image_shape)
        endpoints = dict(forward["endpoints"])
        endpoints["reverse"] = backward["endpoints"]["serving_default"]
        endpoints["reverse_uint8"] = backward["endpoints"]["translate_uint8"]
        return {"track": forward["track"] + backward["track"], "endpoints": endpoints}


def _l1(x, y):
    """Mean absolute difference per image, averaged over the (global) batch."""
    diff = tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32))
    return tf.nn.compute_average_loss(tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1))
