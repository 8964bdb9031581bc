"""StarGAN (Choi et al. 2018): one generator for translations between several domains.

G takes an image and the target domain (its one-hot vector tiled into
constant maps and concatenated to the image's channels); D has two heads on
one trunk, a PatchGAN real/fake map (D_src) and a domain classifier (D_cls).
Losses (section 3 and 4): WGAN-GP adversarial loss (lambda_gp = 10), domain
classification of real images for D and of translations for G (lambda_cls =
1), and a reconstruction loss ``|x - G(G(x, c), c')|_1`` (lambda_rec = 10)
that sends the translation back to the original domain c'. Five D updates
per G update, Adam(1e-4, 0.5, 0.999). Target domains are drawn by shuffling
the batch's own domain labels, as in the authors' code.
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models import common
from kerasgan.models.batch import GANBatch
from kerasgan.models.registry import register_architecture
from kerasgan.models.translation import TranslationGAN


def _instance_norm(name, affine=True):
    # The authors' InstanceNorm2d(affine=True, track_running_stats=True) used in training mode; one group per channel.
    return keras.layers.GroupNormalization(groups=-1, center=affine, scale=affine, epsilon=1e-5, name=name)


@keras.saving.register_keras_serializable(package="kerasgan")
class DomainMaps(keras.layers.Layer):
    """``[images, domain ints]`` -> images with ``num_domains`` constant one-hot maps appended to the channels."""

    def __init__(self, num_domains, **kwargs):
        super().__init__(**kwargs)
        self.num_domains = int(num_domains)

    def call(self, inputs):
        images, domain = inputs
        onehot = keras.ops.one_hot(keras.ops.reshape(keras.ops.cast(domain, "int32"), [-1]), self.num_domains, dtype=images.dtype)
        shape = keras.ops.shape(images)
        maps = keras.ops.broadcast_to(onehot[:, None, None, :], (shape[0], shape[1], shape[2], self.num_domains))
        return keras.ops.concatenate([images, maps], axis=-1)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0]
        return (*shape[:-1], shape[-1] + self.num_domains)

    def get_config(self):
        return {**super().get_config(), "num_domains": self.num_domains}


def stargan_generator(image_shape=(64, 64, 3), num_domains=4, width=64, blocks=6):
    """conv7x7 w, two 4x4 stride-2 downsamplings, ``blocks`` residual blocks, two 4x4 upsamplings, conv7x7 + tanh (appendix, Table 4)."""
    h, w, c = (int(d) for d in image_shape)
    if h % 4 or w % 4:
        raise ValueError(f"the StarGAN generator downsamples twice: image sides must be multiples of 4, got {h}x{w}")
    images = keras.Input((h, w, c), name="images")
    domain = keras.Input((), dtype="int32", name="domain")
    x = DomainMaps(num_domains, name="domain_maps")([images, domain])
    x = keras.layers.Conv2D(width, 7, padding="same", use_bias=False, name="conv_in")(x)
    x = keras.layers.ReLU(name="conv_in_relu")(_instance_norm("conv_in_in")(x))
    for i, f in enumerate((2 * width, 4 * width)):
        x = keras.layers.Conv2D(f, 4, strides=2, padding="same", use_bias=False, name=f"down{i}")(x)
        x = keras.layers.ReLU(name=f"down{i}_relu")(_instance_norm(f"down{i}_in")(x))
    for i in range(int(blocks)):
        y = keras.layers.Conv2D(4 * width, 3, padding="same", use_bias=False, name=f"res{i}_conv1")(x)
        y = keras.layers.ReLU(name=f"res{i}_relu")(_instance_norm(f"res{i}_in1")(y))
        y = keras.layers.Conv2D(4 * width, 3, padding="same", use_bias=False, name=f"res{i}_conv2")(y)
        x = keras.layers.Add(name=f"res{i}_add")([x, _instance_norm(f"res{i}_in2")(y)])
    for i, f in enumerate((2 * width, width)):
        x = keras.layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(x)
        x = keras.layers.ReLU(name=f"up{i}_relu")(_instance_norm(f"up{i}_in")(x))
    x = keras.layers.Conv2D(c, 7, padding="same", use_bias=False, name="to_image")(x)
    return keras.Model([images, domain], keras.layers.Activation("tanh", dtype="float32", name="output")(x), name="stargan_generator")


def stargan_discriminator(image_shape=(64, 64, 3), num_domains=4, width=64, repeat=5, max_width=2048):
    """``repeat`` 4x4 stride-2 convs with leaky ReLU 0.01 (no norm), then D_src (3x3 conv to 1 map) and D_cls (a conv over the whole map).

    For 64x64 images ``repeat=5`` leaves a 2x2 map (the paper: 6 for 128x128).
    Returns ``{"logits": (N, h, w, 1), "class_logits": (N, num_domains)}``.
    """
    h, w, c = (int(d) for d in image_shape)
    if h != w or h % 2**repeat:
        raise ValueError(f"the StarGAN discriminator needs square images divisible by 2**{repeat}, got {h}x{w}")
    images = keras.Input((h, w, c), name="images")
    x = images
    for i in range(int(repeat)):
        x = keras.layers.Conv2D(min(width * 2**i, max_width), 4, strides=2, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.01, name=f"conv{i}_lrelu")(x)
    side = h // 2**repeat
    src = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, dtype="float32", name="src_logits")(x)
    cls = keras.layers.Conv2D(num_domains, side, padding="valid", use_bias=False, dtype="float32", name="cls_conv")(x)
    cls = keras.layers.Reshape((num_domains,), name="class_logits")(cls)
    return keras.Model(images, {"logits": src, "class_logits": cls}, name="stargan_discriminator")


@register_architecture("stargan")
@keras.saving.register_keras_serializable(package="kerasgan")
class StarGAN(TranslationGAN):
    """Multi-domain image-to-image translation with one generator (Choi et al. 2018).

    Args:
        image_shape: (H, W, C) (square; sides divisible by 2**d_repeat).
        num_domains: number of domains (styles).
        g_width, g_blocks: generator width and residual blocks (paper: 64, 6).
        d_width, d_repeat: discriminator width and stride-2 layers (paper: 64, 6 at 128x128; 5 here at 64x64).
        class_weight: lambda_cls (paper: 1).
        reconstruction_weight: lambda_rec (paper: 10).
        styles: one name per domain (e.g. the four emoji styles); ``translate(x, target="twitter")``.
        seed: seed of the target-domain draws and the gradient penalty.

    Data: ``(images, domain)`` batches of all domains mixed (``kerasgan.data.load_domains(styles, labelled=True)``).

    Example:
    >>> model = StarGAN(num_domains=4, styles=kerasgan.data.EMOJI_STYLES)
    >>> model.compile()
    >>> model.fit(kerasgan.data.load_domains(kerasgan.data.EMOJI_STYLES, labelled=True), epochs=1)
    >>> twemoji = model.translate(noto_images, target="twitter")

    Reference:
        Choi, Choi, Kim, Ha, Kim & Choo, "StarGAN: Unified Generative
        Adversarial Networks for Multi-Domain Image-to-Image Translation",
        CVPR 2018 (arXiv:1711.09020).
    """

    # Paper: WGAN-GP (lambda_gp 10), n_critic 5, Adam(1e-4, 0.5, 0.999), batch 16.
    recipe = {
        **TranslationGAN.recipe,
        "loss": "wasserstein",
        "gradient_penalty": 10.0,
        "d_steps": 5,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.999}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 1e-4, "beta_1": 0.5, "beta_2": 0.999}},
        "batch_size": 16,
    }
    auxiliary_metrics = ("d_class", "g_class", "g_reconstruction")

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "d_sees_source", "l1_weight")

    def __init__(self, image_shape=(64, 64, 3), num_domains=4, g_width=64, g_blocks=6, d_width=64, d_repeat=5,
                 class_weight=1.0, reconstruction_weight=10.0, styles=None, seed=None, **kwargs):
        image_shape = tuple(int(d) for d in image_shape)
        if float(class_weight) < 0 or float(reconstruction_weight) < 0:
            raise ValueError(f"class_weight and reconstruction_weight must be >= 0, got {class_weight}, {reconstruction_weight}")
        self._arch_config = {
            "image_shape": image_shape, "num_domains": int(num_domains), "g_width": int(g_width), "g_blocks": int(g_blocks),
            "d_width": int(d_width), "d_repeat": int(d_repeat), "class_weight": float(class_weight),
            "reconstruction_weight": float(reconstruction_weight),
        }
        common.refuse_derived(type(self), kwargs)
        self.class_weight = float(class_weight)
        self.reconstruction_weight = float(reconstruction_weight)
        super().__init__(
            generator=stargan_generator(image_shape, int(num_domains), int(g_width), int(g_blocks)),
            discriminator=stargan_discriminator(image_shape, int(num_domains), int(d_width), int(d_repeat)),
            image_shape=image_shape, l1_weight=0.0, d_sees_source=False, num_domains=int(num_domains), styles=styles,
            seed=seed, **kwargs,
        )

    # ------------------------------------------------------------ training
    def _unpack(self, data):
        if isinstance(data, dict):
            return data["images"], None, data["domain"]
        if isinstance(data, (tuple, list)) and len(data) == 2:
            return data[0], None, data[1]
        raise ValueError("StarGAN trains on (images, domain) batches of its domains mixed (kerasgan.data.load_domains(..., labelled=True))")

    def draw_targets(self, domain):
        """Target domains for a batch: its own domain labels in a random order (the authors' code)."""
        order = tf.argsort(keras.random.uniform(tf.shape(domain)[:1], seed=self.seed_generator))
        return tf.gather(tf.reshape(tf.cast(domain, tf.int32), [-1]), order)

    def _class_loss(self, class_logits, domain):
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(tf.cast(domain, tf.int32), [-1]),
                                                            logits=tf.cast(class_logits, tf.float32))
        return tf.nn.compute_average_loss(ce)

    def _d_update(self, real, domain):
        target = self.draw_targets(domain)
        fake = tf.stop_gradient(self.generator([real, target], training=True))
        d_vars = self.player_variables("discriminator")
        with tf.GradientTape() as tape:
            real_out = self.discriminator(real, training=True)
            batch = GANBatch(real=real, fake=fake, labels=domain, source=real, real_output=real_out,
                             fake_output=self.discriminator(fake, training=True))
            d_loss = self.compute_discriminator_loss(batch)
            d_penalty = self.compute_discriminator_penalty(batch)
            d_class = self.class_weight * self._class_loss(real_out["class_logits"], domain)
            total = self.d_optimizer.scale_loss(d_loss + d_penalty + d_class)
        self.d_optimizer.apply_gradients(zip(tape.gradient(total, d_vars), d_vars))
        return batch, {"d_loss": d_loss, "d_penalty": d_penalty, "d_class": d_class}

    def generator_terms(self, real, domain, target, training=True):
        """G's weighted loss terms for translating ``real`` (of ``domain``) to ``target``: adversarial, class, reconstruction."""
        fake = self.generator([real, target], training=training)
        fake_out = self.discriminator(fake, training=training)
        g_loss = self.compute_generator_loss(GANBatch(real=real, fake=fake, labels=target, source=real, fake_output=fake_out))
        g_class = self.class_weight * self._class_loss(fake_out["class_logits"], target)
        back = self.generator([fake, tf.reshape(tf.cast(domain, tf.int32), [-1])], training=training)
        diff = tf.abs(tf.cast(back, tf.float32) - tf.cast(real, tf.float32))
        g_rec = self.reconstruction_weight * tf.nn.compute_average_loss(tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1))
        return {"g_loss": g_loss, "g_class": g_class, "g_reconstruction": g_rec}

    def train_step(self, data):
        real, _, domain = self._unpack(data)
        k = self.d_steps
        for i in range(k):
            real_i, domain_i = (real[:, i], domain[:, i]) if k > 1 else (real, domain)
            d_batch, d_logged = self._d_update(real_i, domain_i)
        target = self.draw_targets(domain_i)
        g_vars = self.player_variables("generator")
        with tf.GradientTape() as tape:
            terms = self.generator_terms(real_i, domain_i, target)
            total = self.g_optimizer.scale_loss(terms["g_loss"] + terms["g_class"] + terms["g_reconstruction"])
        self.g_optimizer.apply_gradients(zip(tape.gradient(total, g_vars), g_vars))
        g_loss, g_class, g_rec = terms["g_loss"], terms["g_class"], terms["g_reconstruction"]
        logged = {**d_logged, "g_loss": g_loss, "g_class": g_class, "g_reconstruction": g_rec}
        for name, value in logged.items():
            if name in self._active_metrics:
                self._trackers[name].update_state(value * common.num_replicas())
        self._trackers["d_real"].update_state(self._probability(d_batch.real_logits))
        self._trackers["d_fake"].update_state(self._probability(d_batch.fake_logits))
        return {name: self._trackers[name].result() for name in self._active_metrics}

    # fit(images, domains): TranslationGAN.fit with domains as the targets, whole batches grouped d_steps at a time.
    _fit_targets = "domains"
    _fit_drop_remainder = True

    def _fit_arrays(self, x, y):
        if y is None:
            raise ValueError("fit needs each image's domain: fit(images, domains) or a dataset of (images, domain) batches")
        images = self.check_images(x, "images")
        domains = np.asarray(y)
        if domains.shape != (len(images),) or domains.dtype.kind not in "iu":
            raise ValueError(f"domains must be ({len(images)},) integers, got {domains.dtype} {domains.shape}")
        if domains.min() < 0 or domains.max() >= self.num_domains:
            raise ValueError(f"domains must lie in [0, {self.num_domains - 1}], got {domains.min()} to {domains.max()}")
        return images, domains.astype("int32")

    def _fit_dataset(self, dataset):
        dataset = super()._fit_dataset(dataset)
        if self.d_steps > 1:
            from kerasgan.models.gan import _swap_leading

            dataset = dataset.batch(self.d_steps, drop_remainder=True).map(lambda *xs: tuple(_swap_leading(t) for t in xs))
            if next(iter(dataset.take(1)), None) is None:
                raise ValueError(
                    f"one generator step takes d_steps={self.d_steps} batches, but the training data holds fewer: "
                    f"pass more images or a smaller batch_size"
                )
        return dataset

    # ------------------------------------------------------------ data and use
    @classmethod
    def _domain_styles(cls, config):
        styles = (config.get("model_args") or {}).get("styles")
        if config.get("dataset") != "emoji_styles_64" or not styles:
            raise ValueError(
                "kerasgan train trains StarGAN on emoji styles: dataset 'emoji_styles_64' with model_args styles=[...] "
                "(one per domain); for other data, fit in Python on (images, domain) batches"
            )
        return styles

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: the styles' train images mixed, labelled by domain (``load_domains(labelled=True)``)."""
        from kerasgan import data

        if image_size:
            raise ValueError("emoji styles are 64x64: drop image_size")
        return data.load_domains(cls._domain_styles(config), batch_size=batch_size, seed=seed, repeat=repeat,
                                 mirror=bool(config.get("mirror")), labelled=True)

    def preview_function(self, config, seed, num=8):
        """Rows: test images of the first style, then their translation to every style."""
        from kerasgan import data

        styles = self._domain_styles(config)
        x, _, _ = data.load_pair_arrays(styles[0], styles[1], split="test")
        x = x[:num]

        def preview():
            return np.concatenate([x] + [self.translate(x, domain=d) for d in range(self.num_domains)]), len(x)

        return preview

    def classify(self, images, batch_size=256):
        """D_cls's domain probabilities (N, num_domains) for float images in [-1, 1]."""
        images = self.check_images(images, "images")
        out = [keras.ops.convert_to_numpy(keras.ops.softmax(self.discriminator(images[i : i + batch_size], training=False)["class_logits"]))
               for i in range(0, len(images), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.num_domains), "float32")
