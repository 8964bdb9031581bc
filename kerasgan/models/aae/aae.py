"""Adversarial autoencoder (Makhzani et al. 2015): an autoencoder whose code distribution is pushed to a prior.

Not a GAN over images: a discriminator on *codes* tells samples of the prior
p(z) from codes q(z|x) of data. Each step has the paper's two phases:

1. reconstruction: encoder and decoder minimise the reconstruction error;
2. regularisation: the discriminator learns prior samples (real) from codes
   (fake), then the encoder, as the generator of codes, learns to fool it.

Afterwards the decoder is a generative model: decode prior samples. The
model is its own ``keras.Model`` (one level under it, beside ``GAN``),
sharing ``kerasgan.models.common`` helpers and the export code.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models import common, options
from kerasgan.models.registry import register_architecture
from kerasgan.models.batch import GANBatch
from kerasgan.models.gan import latent_batches, stateless_latents

PRIORS = ("normal", "mixture", "categorical")


def aae_encoder(image_shape, latent_dim, units=1000, clusters=None):
    """``images -> code``: ``latent_dim`` values, or with ``clusters`` a softmax over the clusters
    followed by ``latent_dim`` style values (the paper's unsupervised-clustering encoder, section 6)."""
    images = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Flatten(name="flatten")(images)
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
    z = keras.layers.Dense(latent_dim, dtype="float32", name="z")(x)
    if clusters:
        y = keras.layers.Dense(clusters, activation="softmax", dtype="float32", name="y")(x)
        z = keras.layers.Concatenate(name="code")([y, z])
    return keras.Model(images, z, name="aae_encoder")


def aae_decoder(image_shape, latent_dim, units=1000):
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
    x = keras.layers.Dense(int(np.prod(image_shape)), name="to_pixels")(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(z, keras.layers.Reshape(tuple(image_shape), name="images")(x), name="aae_decoder")


def aae_code_discriminator(latent_dim, units=1000, name="aae_code_discriminator"):
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in (1, 2):
        x = keras.layers.Dense(units, activation="relu", name=f"fc{i}")(x)
    return keras.Model(z, keras.layers.Dense(1, dtype="float32", name="logits")(x), name=name)


@register_architecture("aae")
@keras.saving.register_keras_serializable(package="kerasgan")
class AdversarialAutoencoder(common.SavesSeedStates, keras.Model):
    """Adversarial autoencoder with a Gaussian, Gaussian-mixture or categorical + style prior on the code.

    Args:
        image_shape: (H, W, C) of the images (MNIST: (28, 28, 1)).
        latent_dim: code size (paper's MNIST likelihood experiment: 8); for
            the categorical prior, the size of the style part.
        units: hidden units of the two layers of every network (paper: 1000).
        prior: ``"normal"`` (N(0, I)), ``"mixture"`` (``mixture_components``
            Gaussians with means on a circle of radius 4 in the first two
            code dimensions, std 0.5 there, N(0, 1) in the others; latent_dim >= 2)
            or ``"categorical"`` (unsupervised clustering, the paper's section 6:
            the encoder gives a softmax over ``clusters`` and ``latent_dim``
            style values; one discriminator pushes the softmax to one-hot
            draws of Cat(clusters), a second pushes the style to N(0, I); the
            decoder reads both, so codes have ``clusters + latent_dim`` values).
        mixture_components: components of the mixture prior (10).
        clusters: clusters of the categorical prior (paper: 16 for MNIST).
        seed: seed of the prior draws during training.

    ``encode``, ``decode``, ``reconstruct``; ``sample(num, seed)`` decodes
    prior draws (the same seed gives the same images, also in the exported
    ``sample`` signature); ``cluster(images)`` with the categorical prior.

    Reference:
        Makhzani, Shlens, Jaitly, Goodfellow & Frey, "Adversarial
        Autoencoders", ICLR 2016 workshop (arXiv:1511.05644).
    """

    recipe = {
        "loss": "modified",
        "label_smoothing": 0.0,
        "ae_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "batch_size": 100,
    }
    sampling_network = "decoder"
    #: Not class-conditional (the shared tools check this attribute).
    num_classes = None

    def __init__(self, image_shape=(28, 28, 1), latent_dim=8, units=1000, prior="normal", mixture_components=10, clusters=16,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (H, W, C), got {image_shape}")
        if prior not in PRIORS:
            raise ValueError(f"unknown prior {prior!r}: choose one of {', '.join(PRIORS)}")
        if prior == "mixture" and int(latent_dim) < 2:
            raise ValueError("the mixture prior lives in the first two code dimensions: latent_dim must be >= 2")
        if prior == "categorical" and int(clusters) < 2:
            raise ValueError(f"the categorical prior needs clusters >= 2, got {clusters!r}")
        self.image_shape, self.style_dim, self.units = image_shape, int(latent_dim), int(units)
        self.prior, self.mixture_components, self.seed = prior, int(mixture_components), seed
        self.clusters = int(clusters)
        self.num_clusters = self.clusters if prior == "categorical" else 0
        # The decoder's input: the whole code (the cluster one-hot, then the style).
        self.latent_dim = self.num_clusters + self.style_dim
        self.latent_distribution = "normal"
        self.encoder = aae_encoder(image_shape, self.style_dim, self.units, clusters=self.num_clusters or None)
        self.decoder = aae_decoder(image_shape, self.latent_dim, self.units)
        self.discriminator = aae_code_discriminator(self.style_dim, self.units)
        self.cluster_discriminator = (
            aae_code_discriminator(self.num_clusters, self.units, name="aae_cluster_discriminator") if self.num_clusters else None
        )
        self.seed_generator = keras.random.SeedGenerator(seed, name="prior_seed")
        self._trackers = {n: keras.metrics.Mean(name=n) for n in ("reconstruction", "d_loss", "g_loss", "d_real", "d_fake")}
        self.built = True

    @property
    def networks(self):
        nets = {"decoder": self.decoder, "encoder": self.encoder, "discriminator": self.discriminator}
        if self.cluster_discriminator is not None:
            nets["cluster_discriminator"] = self.cluster_discriminator
        return nets

    def _discriminator_variables(self):
        nets = [self.discriminator] + ([self.cluster_discriminator] if self.cluster_discriminator is not None else [])
        return [v for net in nets for v in net.trainable_variables]

    # ------------------------------------------------------------ the prior
    @property
    def raw_latent_dim(self):
        # The mixture and the categorical prior need one more draw per sample to pick the component / cluster.
        return self.style_dim + (1 if self.prior in ("mixture", "categorical") else 0)

    @staticmethod
    def _component(u, k):
        """N(0, 1) draws -> an index in [0, k) (uniform: the normal CDF, then k equal bins)."""
        return tf.clip_by_value(tf.floor(0.5 * (1.0 + tf.math.erf(u / math.sqrt(2.0))) * k), 0, k - 1)

    def structure_latents(self, raw):
        """Prior samples from N(0, 1) draws (plus, for the mixture and the clusters, a draw picking the component)."""
        raw = tf.cast(raw, tf.float32)
        if self.prior == "normal":
            return raw
        if self.prior == "categorical":
            index = tf.cast(self._component(raw[:, -1], self.num_clusters), tf.int32)
            return tf.concat([tf.one_hot(index, self.num_clusters, dtype=tf.float32), raw[:, : self.style_dim]], axis=1)
        k = self.mixture_components
        index = self._component(raw[:, -1:], k)
        angle = 2.0 * math.pi * index / k
        means = tf.concat([4.0 * tf.cos(angle), 4.0 * tf.sin(angle)], axis=1)
        first = means + 0.5 * raw[:, :2]
        return tf.concat([first, raw[:, 2 : self.latent_dim]], axis=1)

    def draw_prior(self, n):
        return self.structure_latents(keras.random.normal((n, self.raw_latent_dim), seed=self.seed_generator))

    def latents(self, num, seed=None):
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        return self.structure_latents(stateless_latents(self.raw_latent_dim, "normal", int(num), int(seed)))

    # ------------------------------------------------------------ compile
    def compile(self, ae_optimizer=None, g_optimizer=None, d_optimizer=None, loss=None, reconstruction="mse",
                jit_compile="auto", steps_per_execution=1, run_eagerly=False):
        """``ae_optimizer`` trains encoder + decoder on reconstruction, ``d_optimizer`` the code
        discriminator, ``g_optimizer`` the encoder against it; ``loss`` names the adversarial pair."""
        if reconstruction not in ("mse", "l1"):
            raise ValueError(f"reconstruction must be 'mse' or 'l1', got {reconstruction!r}")
        opts = options.resolve(self.recipe, loss=loss)
        self.d_loss_fn, self.g_loss_fn, self.label_smoothing = opts["d_loss_fn"], opts["g_loss_fn"], opts["label_smoothing"]
        self._loss_name = loss or self.recipe["loss"]
        self.reconstruction = reconstruction
        self.ae_optimizer = options.optimizer(ae_optimizer, self.recipe["ae_optimizer"], "ae_optimizer")
        self.g_optimizer = options.optimizer(g_optimizer, self.recipe["g_optimizer"], "g_optimizer")
        self.d_optimizer = options.optimizer(d_optimizer, self.recipe["d_optimizer"], "d_optimizer")
        if len({id(self.ae_optimizer), id(self.g_optimizer), id(self.d_optimizer)}) < 3:
            raise ValueError("ae_optimizer, g_optimizer and d_optimizer must be three different optimizer objects")
        super().compile(optimizer=None, jit_compile=jit_compile, steps_per_execution=steps_per_execution, run_eagerly=run_eagerly)
        self.ae_optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)
        self.g_optimizer.build(self.encoder.trainable_variables)
        self.d_optimizer.build(self._discriminator_variables())

    def get_compile_config(self):
        if not getattr(self, "compiled", False) or not hasattr(self, "ae_optimizer"):
            return None
        return {
            "ae_optimizer": keras.optimizers.serialize(self.ae_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "loss": self._loss_name, "reconstruction": self.reconstruction,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("ae_optimizer", "g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self._trackers.values())

    # ------------------------------------------------------------ training
    def reconstruction_loss(self, images, reconstructions):
        diff = tf.cast(reconstructions, tf.float32) - tf.cast(images, tf.float32)
        per_pixel = tf.square(diff) if self.reconstruction == "mse" else tf.abs(diff)
        return tf.nn.compute_average_loss(tf.reduce_mean(tf.reshape(per_pixel, [tf.shape(diff)[0], -1]), axis=1))

    def train_step(self, data):
        images = data[0] if isinstance(data, (tuple, list)) else data
        ae_vars = self.encoder.trainable_variables + self.decoder.trainable_variables
        with tf.GradientTape() as tape:  # 1. reconstruction
            rec = self.reconstruction_loss(images, self.decoder(self.encoder(images, training=True), training=True))
        self.ae_optimizer.apply_gradients(zip(tape.gradient(self.ae_optimizer.scale_loss(rec), ae_vars), ae_vars))
        prior = self.draw_prior(tf.shape(images)[0])
        d_vars = self._discriminator_variables()
        with tf.GradientTape() as tape:  # 2a. the code discriminator(s): prior samples real, codes fake
            codes = tf.stop_gradient(self.encoder(images, training=True))
            d_loss, logged = 0.0, None
            for network, real, fake in self._code_parts(prior, codes):
                real_logits, fake_logits = network(real, training=True), network(fake, training=True)
                batch = GANBatch(real=real, fake=fake, real_output=real_logits, fake_output=fake_logits)
                d_loss += common.discriminator_loss(self.d_loss_fn, batch, self.label_smoothing)
                logged = logged or (real_logits, fake_logits)  # d_real/d_fake: the (style) code discriminator's
        self.d_optimizer.apply_gradients(zip(tape.gradient(self.d_optimizer.scale_loss(d_loss), d_vars), d_vars))
        real_logits, fake_logits = logged
        e_vars = self.encoder.trainable_variables
        with tf.GradientTape() as tape:  # 2b. the encoder fools it (them)
            codes = self.encoder(images, training=True)
            g_loss = sum(self.g_loss_fn(network(fake, training=True)) for network, _, fake in self._code_parts(prior, codes))
        self.g_optimizer.apply_gradients(zip(tape.gradient(self.g_optimizer.scale_loss(g_loss), e_vars), e_vars))
        n = common.num_replicas()
        for name, value in (("reconstruction", rec), ("d_loss", d_loss), ("g_loss", g_loss)):
            self._trackers[name].update_state(value * n)
        self._trackers["d_real"].update_state(tf.reduce_mean(tf.sigmoid(real_logits)))
        self._trackers["d_fake"].update_state(tf.reduce_mean(tf.sigmoid(fake_logits)))
        return {name: t.result() for name, t in self._trackers.items()}

    def _code_parts(self, prior, codes):
        """(discriminator, prior part, code part) triples: the whole code, or the style and the cluster parts."""
        if self.cluster_discriminator is None:
            return [(self.discriminator, prior, codes)]
        k = self.num_clusters
        return [(self.discriminator, prior[:, k:], codes[:, k:]), (self.cluster_discriminator, prior[:, :k], codes[:, :k])]

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains on images in [-1, 1] (numpy or a dataset of image batches); ``y`` is ignored."""
        if not getattr(self, "compiled", False):
            raise ValueError("the adversarial autoencoder is not compiled: call compile() first")
        if not isinstance(x, tf.data.Dataset):
            x = self.check_images(np.asarray(x), "x")
            x = tf.data.Dataset.from_tensor_slices(x)
            if shuffle:
                x = x.shuffle(len(x), seed=self.seed)
            x = x.batch(int(batch_size or self.recipe["batch_size"]), drop_remainder=True)
        return super().fit(x, epochs=epochs, shuffle=False, **kwargs)

    # ------------------------------------------------------------ use
    def check_images(self, images, what="images"):
        from kerasgan.utils.images import check_image_batch

        return check_image_batch(images, self.image_shape, what)

    def encode(self, images, batch_size=256):
        images = self.check_images(images)
        out = [keras.ops.convert_to_numpy(self.encoder(images[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.latent_dim), "float32")

    def decode(self, z, batch_size=256):
        z = np.asarray(z, "float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"codes must have shape (num, {self.latent_dim}), got {z.shape}")
        out = [keras.ops.convert_to_numpy(self.decoder(z[i : i + batch_size], training=False)) for i in range(0, len(z), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, *self.image_shape), "float32")

    def cluster(self, images, batch_size=256):
        """The cluster of each image (argmax of the encoder's softmax): (N,) int numpy; categorical prior only.

        Score it against classes with ``kerasgan.metrics.cluster_accuracy(..., mapping="majority")``.
        """
        if not self.num_clusters:
            raise ValueError(f"cluster() needs the categorical prior (AdversarialAutoencoder(prior='categorical')); this one's is {self.prior!r}")
        return np.argmax(self.encode(images, batch_size)[:, : self.num_clusters], axis=1)

    def reconstruct(self, images, batch_size=256):
        return self.decode(self.encode(images, batch_size), batch_size)

    def generate(self, z, batch_size=256, labels=None):
        """Images decoded from codes ``z`` (the decoder is this model's generator)."""
        if labels is not None:
            raise ValueError("labels were given, but the adversarial autoencoder is unconditional: drop labels=")
        return self.decode(z, batch_size)

    def call(self, z, training=False):
        """The decoder on codes ``z``."""
        return self.decoder(z, training=training)

    def iter_samples(self, num, seed=None, batch_size=256):
        """``sample(num, seed)`` in batches of ``batch_size`` (bounded memory for any ``num``)."""
        for raw in latent_batches(self.raw_latent_dim, "normal", num, seed, batch_size):
            yield self.decode(keras.ops.convert_to_numpy(self.structure_latents(raw)), batch_size)

    def sample(self, num, seed=None, batch_size=256):
        """``num`` images decoded from prior samples (the same seed, the same images)."""
        return np.concatenate(list(self.iter_samples(num, seed, batch_size)))

    # ------------------------------------------------------------ kerasgan train
    @classmethod
    def is_conditional(cls, model_args):
        return False

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: the images of ``config["dataset"]`` (labels are not used)."""
        return common.load_run_dataset(config, batch_size, seed, repeat, image_size)

    def preview_function(self, config, seed):
        """64 images decoded from fixed prior draws."""
        z = keras.ops.convert_to_numpy(self.latents(64, seed=seed))
        return lambda: (self.decode(z), 8)

    def serving_endpoints(self):
        from kerasgan import export as export_lib

        spec = export_lib.latent_endpoints(self.decoder, self.latent_dim, "normal", raw_latent_dim=self.raw_latent_dim,
                                           structure=self.structure_latents)
        encoder = self.encoder
        spec["track"].append(encoder)
        spec["endpoints"]["encode"] = (
            lambda images: {"z": tf.cast(encoder(images, training=False), tf.float32)},
            [tf.TensorSpec([None, *self.image_shape], tf.float32, name="images")],
        )
        return spec

    def export(self, filepath, format="savedmodel", quantize=None, overwrite=False):
        from kerasgan import export as export_lib

        return export_lib.export(self, filepath, format=format, quantize=quantize, overwrite=overwrite)

    def get_config(self):
        return {
            "name": self.name, "image_shape": list(self.image_shape), "latent_dim": self.style_dim, "units": self.units,
            "prior": self.prior, "mixture_components": self.mixture_components, "clusters": self.clusters, "seed": self.seed,
        }
