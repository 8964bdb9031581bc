"""LAPGAN (Denton, Chintala, Szlam & Fergus 2015): a Laplacian pyramid of generative adversarial networks.

An image I of size S has the Laplacian pyramid I_K (the coarsest, S / 2^K)
and the band-pass residuals h_k = I_k - u(d(I_k)), where d halves the size
(2x2 average) and u doubles it (bilinear); I_k = u(I_{k+1}) + h_k exactly.
LAPGAN learns one GAN per level: G_K draws the coarse image from noise, and
each finer G_k draws the residual h_k given the upsampled coarser image
l_k = u(I_{k+1}) and a noise plane z_k (a fourth input channel, as in the
paper). Sampling runs the pyramid from coarse to fine:
I_k = clip(l_k + G_k(l_k, z_k), -1, 1) (the clip keeps every level a valid
image). Each level is trained on its own, on real pyramids: G_k is
conditioned on u(d(I_k)) of a real image, never on a generated one, so all
levels train at once in one step and independently (Adam's moments are
per variable, so one optimizer per player equals one per level).

D_k sees ``[l_k + h, l_k]``: the image the residual makes (the paper adds
l_k to h before D's first layer) beside the low-pass input it was drawn for.

Networks follow the paper's CIFAR-10 models, scaled by ``g_width``/``d_width``:
the coarse G and D are multilayer perceptrons (1200-1200 ReLU units in G,
600-600 with dropout in D), the level networks 5x5 convolutions
(G: three layers, ReLU, linear residual output; D: two stride-2 layers and
a linear logit).
"""

import numpy as np
import tensorflow as tf

import keras

from kerasgan.models import common, options
from kerasgan.models.batch import GANBatch
from kerasgan.models.gan import latent_batches, stateless_latents
from kerasgan.models.registry import register_architecture


def downsample(images):
    """Halves height and width by 2x2 averaging (the pyramid's d)."""
    return tf.nn.avg_pool2d(tf.cast(images, tf.float32), 2, 2, "VALID")


def upsample(images):
    """Doubles height and width, bilinear (the pyramid's u)."""
    shape = tf.shape(images)
    return tf.image.resize(tf.cast(images, tf.float32), (shape[1] * 2, shape[2] * 2), method="bilinear")


def laplacian_pyramid(images, levels):
    """``(coarse, [(low_k, residual_k) from coarse to fine])`` of ``images``: ``levels`` finer levels above the coarse one.

    ``images == low_k + residual_k`` at the finest level, and each
    ``low_k == upsample(finer-level image one step coarser)``.
    """
    sizes = [tf.cast(images, tf.float32)]
    for _ in range(levels):
        sizes.append(downsample(sizes[-1]))
    bands = []
    for fine, coarse in zip(reversed(sizes[:-1]), reversed(sizes[1:])):
        low = upsample(coarse)
        bands.append((low, fine - low))
    return sizes[-1], bands


def lapgan_coarse_generator(coarse_shape, latent_dim, units=1200):
    z = keras.Input((int(latent_dim),), name="z")
    x = z
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
    x = keras.layers.Dense(int(np.prod(coarse_shape)), name="to_pixels")(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(z, keras.layers.Reshape(tuple(coarse_shape), name="images")(x), name="lapgan_g_coarse")


def lapgan_coarse_discriminator(coarse_shape, units=600, dropout=0.5):
    images = keras.Input(tuple(coarse_shape), name="images")
    x = keras.layers.Flatten(name="flatten")(images)
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
        x = keras.layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    return keras.Model(images, keras.layers.Dense(1, dtype="float32", name="logits")(x), name="lapgan_d_coarse")


def lapgan_level_generator(size, channels, width=64, name="lapgan_g"):
    """``[low (size, size, C), noise (size, size, 1)] -> residual (size, size, C)``, linear output."""
    low = keras.Input((size, size, channels), name="low")
    noise = keras.Input((size, size, 1), name="noise")
    x = keras.layers.Concatenate(name="low_and_noise")([low, noise])
    for i in (1, 2):
        x = keras.layers.Conv2D(width, 5, padding="same", activation="relu", name=f"conv{i}")(x)
    residual = keras.layers.Conv2D(channels, 5, padding="same", dtype="float32", name="residual")(x)
    return keras.Model([low, noise], residual, name=name)


def lapgan_level_discriminator(size, channels, width=64, dropout=0.5, name="lapgan_d"):
    """``[image (size, size, C), low (size, size, C)] -> logit``: two 5x5 stride-2 convs, dropout, a linear logit."""
    image = keras.Input((size, size, channels), name="image")
    low = keras.Input((size, size, channels), name="low")
    x = keras.layers.Concatenate(name="image_and_low")([image, low])
    for i in (1, 2):
        x = keras.layers.Conv2D(width * i, 5, strides=2, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(keras.layers.Flatten(name="flatten")(x))
    return keras.Model([image, low], keras.layers.Dense(1, dtype="float32", name="logits")(x), name=name)


@register_architecture("lapgan")
@keras.saving.register_keras_serializable(package="kerasgan")
class LAPGAN(common.SavesSeedStates, keras.Model):
    """Laplacian pyramid of GANs: a coarse GAN and one conditional residual GAN per doubling.

    Args:
        image_shape: (S, S, C) of the images; S = base_size * 2^levels.
        base_size: the coarsest level's size (paper: 8).
        coarse_latent_dim: noise size of the coarse generator (paper: 100).
        coarse_units: hidden units of the coarse G (D gets half; paper: 1200 / 600).
        g_width, d_width: feature maps of the level networks (paper's CIFAR models: 128 / 128 and 64).
        seed: seed of the training draws.

    The model's latent vector concatenates the coarse noise and one noise
    plane per finer level (``latent_dim = coarse_latent_dim + sum of
    size^2``), all N(0, 1), so ``generate(z)``, ``sample(num, seed)`` and the
    latent tools treat it as any other latent -> image model.

    Example:
    >>> gan = LAPGAN(image_shape=(64, 64, 3), base_size=8)     # 8 -> 16 -> 32 -> 64
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load("noto_emoji_64", batch_size=64), epochs=1)
    >>> pyramid = gan.sample_pyramid(4, seed=0)                 # every level's images, coarse to fine

    Reference:
        Denton, Chintala, Szlam & Fergus, "Deep Generative Image Models using
        a Laplacian Pyramid of Adversarial Networks", NeurIPS 2015 (arXiv:1506.05751).
    """

    # Paper: SGD with momentum; Adam 2e-4 / 0.5 here as for the other GANs of the package.
    recipe = {**options.DEFAULT_RECIPE, "batch_size": 64}
    sampling_network = "g_coarse"
    num_classes = None
    latent_distribution = "normal"

    def __init__(self, image_shape=(64, 64, 3), base_size=8, coarse_latent_dim=100, coarse_units=1200, g_width=64,
                 d_width=64, seed=None, **kwargs):
        super().__init__(**kwargs)
        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3 or image_shape[0] != image_shape[1]:
            raise ValueError(f"image_shape must be square (S, S, C), got {image_shape}")
        size, base_size = image_shape[0], int(base_size)
        levels = int(np.log2(size / base_size)) if size >= base_size and base_size > 0 else -1
        if base_size < 2 or levels < 1 or base_size * 2**levels != size:
            raise ValueError(f"image size {size} must be base_size ({base_size}) times a power of two >= 2: "
                             f"e.g. base_size=8 for 64x64 (8 -> 16 -> 32 -> 64)")
        self.image_shape, self.base_size, self.levels, self.seed = image_shape, base_size, levels, seed
        self.coarse_latent_dim, self.coarse_units = int(coarse_latent_dim), int(coarse_units)
        self.g_width, self.d_width = int(g_width), int(d_width)
        channels = image_shape[-1]
        self.level_sizes = [base_size * 2 ** (k + 1) for k in range(levels)]  # coarse to fine
        self.latent_dim = self.coarse_latent_dim + sum(s * s for s in self.level_sizes)
        coarse_shape = (base_size, base_size, channels)
        self.g_coarse = lapgan_coarse_generator(coarse_shape, self.coarse_latent_dim, self.coarse_units)
        self.d_coarse = lapgan_coarse_discriminator(coarse_shape, self.coarse_units // 2)
        self.g_levels = [lapgan_level_generator(s, channels, self.g_width, name=f"lapgan_g{s}") for s in self.level_sizes]
        self.d_levels = [lapgan_level_discriminator(s, channels, self.d_width, name=f"lapgan_d{s}") for s in self.level_sizes]
        self.seed_generator = keras.random.SeedGenerator(seed, name="lapgan_seed")
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        for s in [base_size, *self.level_sizes]:
            names += [f"d_loss_{s}", f"g_loss_{s}"]
        self._trackers = {n: keras.metrics.Mean(name=n) for n in names}
        self.built = True

    @property
    def networks(self):
        """``{name: keras.Model}``: ``g_coarse``/``d_coarse`` and ``g16``/``d16``, ... per finer level."""
        nets = {"g_coarse": self.g_coarse, "d_coarse": self.d_coarse}
        for s, g, d in zip(self.level_sizes, self.g_levels, self.d_levels):
            nets[f"g{s}"], nets[f"d{s}"] = g, d
        return nets

    def player_variables(self, player):
        if player == "generator":
            return [v for g in [self.g_coarse, *self.g_levels] for v in g.trainable_variables]
        if player == "discriminator":
            return [v for d in [self.d_coarse, *self.d_levels] for v in d.trainable_variables]
        raise ValueError(f"unknown player {player!r}: this model's players are ['discriminator', 'generator']")

    # ------------------------------------------------------------ latents
    @property
    def raw_latent_dim(self):
        return self.latent_dim

    def structure_latents(self, raw):
        return tf.cast(raw, tf.float32)

    def latents(self, num, seed=None):
        """``num`` latent vectors (coarse noise and every level's noise plane), N(0, 1); the same seed, the same latents."""
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        return stateless_latents(self.latent_dim, "normal", int(num), int(seed))

    def _split(self, z):
        z = tf.cast(z, tf.float32)
        parts, start = [z[:, : self.coarse_latent_dim]], self.coarse_latent_dim
        for s in self.level_sizes:
            parts.append(tf.reshape(z[:, start : start + s * s], (-1, s, s, 1)))
            start += s * s
        return parts

    def synthesize(self, z, training=False, pyramid=False):
        """Images for latents ``z`` (a tensor), coarse to fine; ``pyramid=True`` returns every level's images."""
        coarse_z, *planes = self._split(z)
        image = self.g_coarse(coarse_z, training=training)
        images = [image]
        for g, noise in zip(self.g_levels, planes):
            low = upsample(image)
            image = tf.clip_by_value(low + tf.cast(g([low, noise], training=training), tf.float32), -1.0, 1.0)
            images.append(image)
        return images if pyramid else image

    # ------------------------------------------------------------ compile
    def compile(self, g_optimizer=None, d_optimizer=None, loss=None, g_loss=None, d_loss=None, label_smoothing=None,
                jit_compile="auto", steps_per_execution=1, run_eagerly=False):
        """One optimizer per player over all its levels' networks (levels train independently).

        ``loss`` names the loss pair (``g_loss``/``d_loss`` set one side), as in ``GAN.compile``.
        """
        opts = options.resolve(self.recipe, loss=loss, g_loss=g_loss, d_loss=d_loss, label_smoothing=label_smoothing)
        self._options = opts
        self.d_loss_fn, self.g_loss_fn, self.label_smoothing = opts["d_loss_fn"], opts["g_loss_fn"], opts["label_smoothing"]
        self.g_optimizer = options.optimizer(g_optimizer, self.recipe["g_optimizer"], "g_optimizer")
        self.d_optimizer = options.optimizer(d_optimizer, self.recipe["d_optimizer"], "d_optimizer")
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects")
        super().compile(optimizer=None, jit_compile=jit_compile, steps_per_execution=steps_per_execution, run_eagerly=run_eagerly)
        self.g_optimizer.build(self.player_variables("generator"))
        self.d_optimizer.build(self.player_variables("discriminator"))

    def get_compile_config(self):
        if not getattr(self, "compiled", False) or not hasattr(self, "g_optimizer"):
            return None
        saved = options.serialize(self._options)
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_loss": saved["g_loss"], "d_loss": saved["d_loss"], "label_smoothing": saved["label_smoothing"],
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        from kerasgan import losses as losses_lib

        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        for key in ("g_loss", "d_loss"):
            config[key] = losses_lib.deserialize(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self._trackers.values())

    # ------------------------------------------------------------ training
    def _level_losses(self, real_image, fake_image, low, d_net):
        """D's and G's losses of one level; D sees ``[image, low]`` (or the image alone at the coarse level)."""
        inputs = (lambda x: x) if low is None else (lambda x: [x, low])
        real_logits = d_net(inputs(real_image), training=True)
        fake_logits = d_net(inputs(fake_image), training=True)
        d_loss = common.discriminator_loss(
            self.d_loss_fn, GANBatch(real=real_image, fake=fake_image, real_output=real_logits, fake_output=fake_logits),
            self.label_smoothing,
        )
        return d_loss, real_logits, fake_logits

    def train_step(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        images = tf.cast(images, tf.float32)
        n = tf.shape(images)[0]
        coarse, bands = laplacian_pyramid(images, self.levels)
        z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        coarse_z, *planes = self._split(z)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            # Each level on real pyramids: the coarse GAN, then G_k given the real low-pass image.
            levels = [(coarse, self.g_coarse(coarse_z, training=True), None, self.d_coarse)]
            for (low, residual), g, d, noise in zip(bands, self.g_levels, self.d_levels, planes):
                fake_residual = tf.cast(g([low, noise], training=True), tf.float32)
                levels.append((low + residual, low + fake_residual, low, d))
            d_terms, g_terms, real_p, fake_p = [], [], [], []
            for real_image, fake_image, low, d in levels:
                d_loss, real_logits, fake_logits = self._level_losses(real_image, tf.stop_gradient(fake_image), low, d)
                g_in = fake_image if low is None else [fake_image, low]
                d_terms.append(d_loss)
                g_terms.append(self.g_loss_fn(d(g_in, training=True)))
                real_p.append(self._probability(real_logits))
                fake_p.append(self._probability(fake_logits))
            d_total, g_total = tf.add_n(d_terms), tf.add_n(g_terms)
            d_scaled, g_scaled = self.d_optimizer.scale_loss(d_total), self.g_optimizer.scale_loss(g_total)
        d_vars, g_vars = self.player_variables("discriminator"), self.player_variables("generator")
        d_grads = d_tape.gradient(d_scaled, d_vars)
        g_grads = g_tape.gradient(g_scaled, g_vars)
        self.d_optimizer.apply_gradients(zip(d_grads, d_vars))
        self.g_optimizer.apply_gradients(zip(g_grads, g_vars))
        replicas = common.num_replicas()
        self._trackers["d_loss"].update_state(d_total * replicas)
        self._trackers["g_loss"].update_state(g_total * replicas)
        for s, dl, gl in zip([self.base_size, *self.level_sizes], d_terms, g_terms):
            self._trackers[f"d_loss_{s}"].update_state(dl * replicas)
            self._trackers[f"g_loss_{s}"].update_state(gl * replicas)
        self._trackers["d_real"].update_state(tf.add_n(real_p) / len(real_p))
        self._trackers["d_fake"].update_state(tf.add_n(fake_p) / len(fake_p))
        return {name: t.result() for name, t in self._trackers.items()}

    def _probability(self, logits):
        from kerasgan import losses as losses_lib

        logits = tf.cast(logits, tf.float32)
        return tf.reduce_mean(tf.sigmoid(logits)) if losses_lib.outputs_are_probabilities(self.d_loss_fn) else tf.reduce_mean(logits)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains on images in [-1, 1] (numpy, or a dataset of image batches or (images, labels)); labels are not used."""
        if not getattr(self, "compiled", False):
            raise ValueError("the LAPGAN is not compiled: call compile() first")
        if x is None:
            raise ValueError("fit needs training images: pass a tf.data.Dataset or a numpy array")
        if not isinstance(x, tf.data.Dataset):
            x = self.check_images(np.asarray(x), "x")
            x = tf.data.Dataset.from_tensor_slices(x)
            if shuffle:
                x = x.shuffle(len(x), seed=self.seed)
            x = x.batch(int(batch_size or self.recipe["batch_size"]), drop_remainder=True)
        first = next(iter(x.take(1)), None)
        if first is None:
            raise ValueError("the training dataset is empty")
        self.check_images((first[0] if isinstance(first, (tuple, list)) else first).numpy(), "the training data")
        return super().fit(x, epochs=epochs, shuffle=False, **kwargs)

    # ------------------------------------------------------------ use
    def check_images(self, images, what="images"):
        from kerasgan.utils.images import check_image_batch

        return check_image_batch(images, self.image_shape, what)

    def _checked_latents(self, z):
        z = np.asarray(z, "float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"latents must have shape (num, {self.latent_dim}) (coarse noise + the noise planes), got {z.shape}")
        return z

    def generate(self, z, batch_size=256, labels=None):
        """Images (float32 numpy in [-1, 1]) for latents ``z`` of shape (num, latent_dim)."""
        if labels is not None:
            raise ValueError("labels were given, but this LAPGAN is unconditional: drop labels=")
        z = self._checked_latents(z)
        out = [keras.ops.convert_to_numpy(self.synthesize(z[i : i + batch_size])) for i in range(0, len(z), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, *self.image_shape), "float32")

    def call(self, z, training=False):
        return self.synthesize(z, training=training)

    def iter_samples(self, num, seed=None, batch_size=256):
        """``sample(num, seed)`` in batches of ``batch_size``."""
        for raw in latent_batches(self.latent_dim, "normal", num, seed, batch_size):
            yield keras.ops.convert_to_numpy(self.synthesize(raw))

    def sample(self, num, seed=None, batch_size=256):
        """``num`` images run through the whole pyramid (the same seed, the same images)."""
        return np.concatenate(list(self.iter_samples(num, seed, batch_size)))

    def sample_pyramid(self, num, seed=None):
        """Every level's images for ``num`` samples, coarse (base_size) to fine: a list of float32 arrays."""
        return [keras.ops.convert_to_numpy(x) for x in self.synthesize(self.latents(num, seed), pyramid=True)]

    # ------------------------------------------------------------ kerasgan train
    @classmethod
    def is_conditional(cls, model_args):
        return False

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: the images of ``config["dataset"]``."""
        return common.load_run_dataset(config, batch_size, seed, repeat, image_size)

    def preview_function(self, config, seed):
        """One row per sample: its image at every level (upsampled to full size), coarse to fine; 8 samples."""
        z = self.latents(8, seed=seed)
        size = self.image_shape[0]

        def preview():
            levels = self.synthesize(z, pyramid=True)
            rows = [tf.image.resize(x, (size, size), method="nearest").numpy() for x in levels]
            grid = np.stack(rows, axis=1).reshape(-1, *self.image_shape)  # sample-major: row i = sample i
            return grid, len(levels)

        return preview

    def serving_endpoints(self):
        from kerasgan import export as export_lib

        spec = export_lib.latent_endpoints(self.synthesize, self.latent_dim, "normal")
        spec["track"] = list(self.networks.values())
        return spec

    def export(self, filepath, format="savedmodel", quantize=None, overwrite=False):
        from kerasgan import export as export_lib

        return export_lib.export(self, filepath, format=format, quantize=quantize, overwrite=overwrite)

    def get_config(self):
        return {
            "name": self.name, "image_shape": list(self.image_shape), "base_size": self.base_size,
            "coarse_latent_dim": self.coarse_latent_dim, "coarse_units": self.coarse_units, "g_width": self.g_width,
            "d_width": self.d_width, "seed": self.seed,
        }
