"""The GAN base model: a ``keras.Model`` whose ``train_step`` plays the two-player game."""

import inspect

import keras
import numpy as np
import tensorflow as tf

from kerasgan import losses as losses_lib

_LATENT_DISTRIBUTIONS = ("normal", "uniform")


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(keras.Model):
    """A generative adversarial network trained with ``fit``.

    Wraps a generator ``G: z -> image`` and a discriminator
    ``D: image -> logit`` (one logit or score per image). ``train_step`` runs
    ``d_steps`` discriminator updates, each on a fresh minibatch of real
    images and fresh latent vectors, followed by one generator update
    (Goodfellow et al. 2014, Algorithm 1). The discriminator update only
    changes D's trainable weights and the generator update only G's.

    Args:
        generator: a Keras model mapping ``(batch, latent_dim)`` latents to
            images ``(batch, H, W, C)`` in [-1, 1].
        discriminator: a Keras model mapping images ``(batch, H, W, C)`` to
            logits ``(batch, 1)`` or ``(batch,)``.
        latent_dim: size of the latent vector; inferred from the generator's
            input when it is a functional model.
        latent_distribution: ``"normal"`` (N(0, 1)) or ``"uniform"``
            (U(-1, 1)).
        seed: seed of the latent draws during training.

    Example:
    >>> gan = kerasgan.models.DCGAN(image_shape=(28, 28, 1))
    >>> gan.compile()                      # the published recipe
    >>> gan.fit(kerasgan.data.load("mnist"), epochs=1)
    >>> images = gan.sample(16, seed=0)    # float32 in [-1, 1]

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    #: Training recipe used by ``compile()`` without arguments. Subclasses
    #: override it with their paper's hyper-parameters.
    recipe = {
        "loss": "modified",
        "label_smoothing": 0.0,
        "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
        "d_steps": 1,
        "batch_size": 64,
    }

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model) and not isinstance(generator, keras.layers.Layer):
            raise TypeError(f"generator must be a Keras model, got {type(generator).__name__}")
        if not isinstance(discriminator, keras.Model) and not isinstance(
            discriminator, keras.layers.Layer
        ):
            raise TypeError(
                f"discriminator must be a Keras model, got {type(discriminator).__name__}"
            )
        if latent_distribution not in _LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"latent_distribution must be one of {_LATENT_DISTRIBUTIONS}, "
                f"got {latent_distribution!r}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = self._infer_latent_dim(generator, latent_dim)
        self.latent_distribution = latent_distribution
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="latent_seed")
        self.image_shape = self._validate_networks()
        self.d_steps = 1
        self._trackers = {
            name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_real", "d_fake")
        }
        self.build((None, self.latent_dim))

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _infer_latent_dim(generator, latent_dim):
        if latent_dim is None:
            try:
                latent_dim = generator.inputs[0].shape[-1]
            except (AttributeError, IndexError, TypeError, ValueError):
                latent_dim = None
            if latent_dim is None:
                raise ValueError(
                    "latent_dim is unknown: pass latent_dim=... or give the generator a fixed "
                    "keras.Input(shape=(latent_dim,))"
                )
        latent_dim = int(latent_dim)
        if latent_dim <= 0:
            raise ValueError(f"latent_dim must be a positive integer, got {latent_dim}")
        return latent_dim

    def _validate_networks(self):
        """Runs G then D on a dummy latent batch; returns G's image shape."""
        z = tf.zeros((2, self.latent_dim))
        try:
            images = self._generate(z, None, training=False)
        except Exception as err:  # noqa: BLE001 - re-raised as a one-line error
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(
                f"the generator does not accept latents of shape (batch, {self.latent_dim}): "
                f"{first}; check latent_dim"
            ) from None
        if len(images.shape) != 4:
            raise ValueError(
                f"the generator must output images (batch, H, W, C); got shape "
                f"{_shape_str(images.shape)}"
            )
        image_shape = tuple(int(d) for d in images.shape[1:])
        d_input = _declared_input_shape(self.discriminator)
        if d_input is not None and tuple(d_input) != image_shape:
            raise ValueError(
                f"generator output shape {image_shape} does not match discriminator input shape "
                f"{tuple(d_input)}: make both networks use the same image size and channels"
            )
        try:
            logits = self._discriminate(images, None, training=False)
        except Exception as err:  # noqa: BLE001
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(
                f"the discriminator cannot take the generator's images of shape {image_shape}: "
                f"{first}"
            ) from None
        if tuple(logits.shape) not in ((2,), (2, 1)):
            raise ValueError(
                f"the discriminator must output one logit per image, shape (batch, 1) or "
                f"(batch,); got {_shape_str(logits.shape)}: end it with Dense(1) or a 1-channel "
                f"conv and Flatten"
            )
        return image_shape

    def build(self, input_shape=None):
        self.built = True

    def call(self, z, training=False):
        """Runs the generator on latent vectors ``z`` of shape (batch, latent_dim)."""
        return self._generate(z, None, training=training)

    # Hooks that conditional models override to feed labels.
    def _generate(self, z, labels, training):
        return self.generator(z, training=training)

    def _discriminate(self, images, labels, training):
        return self.discriminator(images, training=training)

    # ---------------------------------------------------------------- compile
    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        loss=None,
        g_loss=None,
        d_loss=None,
        d_steps=None,
        label_smoothing=None,
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
    ):
        """Configures training; without arguments it uses ``self.recipe``.

        Args:
            g_optimizer, d_optimizer: optimizers (instances, names or configs)
                of the generator and discriminator. Default: the recipe's.
            loss: name of a loss pair from ``kerasgan.losses.LOSS_PAIRS``
                ("minimax", "modified", "maximum_likelihood", "wasserstein",
                "least_squares", "hinge"). Default: the recipe's.
            g_loss, d_loss: override one side of the pair (name or callable).
            d_steps: discriminator updates per generator update (k in
                Goodfellow's Algorithm 1). Each uses its own real batch, so
                one training step consumes ``d_steps`` batches of the data.
            label_smoothing: one-sided label smoothing of the real targets
                for the minimax-family discriminator loss.
            jit_compile, steps_per_execution, run_eagerly: as in
                ``keras.Model.compile``.
        """
        recipe = self.recipe
        loss = recipe.get("loss", "modified") if loss is None else loss
        self.d_loss_fn = losses_lib.get(d_loss if d_loss is not None else loss, "discriminator")
        self.g_loss_fn = losses_lib.get(g_loss if g_loss is not None else loss, "generator")
        self.label_smoothing = float(
            recipe.get("label_smoothing", 0.0) if label_smoothing is None else label_smoothing
        )
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        d_steps = recipe.get("d_steps", 1) if d_steps is None else d_steps
        if isinstance(d_steps, bool) or int(d_steps) != d_steps or int(d_steps) < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps!r}")
        self.d_steps = int(d_steps)
        self.g_optimizer = _get_optimizer(g_optimizer, recipe["g_optimizer"], "g_optimizer")
        self.d_optimizer = _get_optimizer(d_optimizer, recipe["d_optimizer"], "d_optimizer")
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects")
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        self._build_optimizers()

    def _build_optimizers(self):
        # Built eagerly (inside the caller's strategy scope) so that saved
        # optimizer state can be restored and replicas share the variables.
        if not self.g_optimizer.built:
            self.g_optimizer.build(self.generator.trainable_variables)
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self):
        if not getattr(self, "compiled", False) or not hasattr(self, "g_optimizer"):
            return None
        return {
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_loss": losses_lib.serialize(self.g_loss_fn),
            "d_loss": losses_lib.serialize(self.d_loss_fn),
            "d_steps": self.d_steps,
            "label_smoothing": self.label_smoothing,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            g_optimizer=keras.optimizers.deserialize(config.pop("g_optimizer")),
            d_optimizer=keras.optimizers.deserialize(config.pop("d_optimizer")),
            g_loss=losses_lib.deserialize(config.pop("g_loss")),
            d_loss=losses_lib.deserialize(config.pop("d_loss")),
            **config,
        )

    # ------------------------------------------------------------------ train
    @property
    def metrics(self):
        return list(self._trackers.values())

    def draw_latents(self, batch_size):
        """Random latent vectors for training, from the model's seed generator."""
        shape = (batch_size, self.latent_dim)
        if self.latent_distribution == "uniform":
            return keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        return keras.random.normal(shape, seed=self.seed_generator)

    def _unpack(self, data):
        if isinstance(data, dict):
            return data["images"], data.get("labels")
        if isinstance(data, (tuple, list)):
            if len(data) == 1:
                return data[0], None
            return data[0], data[1]
        return data, None

    def _probabilities(self, fn, logits):
        logits = tf.cast(logits, tf.float32)
        if losses_lib.outputs_are_probabilities(fn):
            return tf.reduce_mean(tf.sigmoid(logits))
        return tf.reduce_mean(logits)

    def compute_discriminator_loss(self, real, fake, real_logits, fake_logits, labels=None):
        """The discriminator objective; subclasses add penalties here."""
        kwargs = {}
        if "label_smoothing" in _parameters(self.d_loss_fn) and self.label_smoothing:
            kwargs["label_smoothing"] = self.label_smoothing
        return self.d_loss_fn(real_logits, fake_logits, **kwargs)

    def compute_generator_loss(self, fake, fake_logits, labels=None):
        """The generator objective; subclasses add terms here."""
        return self.g_loss_fn(fake_logits)

    def _update_discriminator(self, real, fake, labels):
        with tf.GradientTape() as tape:
            real_logits = self._discriminate(real, labels, training=True)
            fake_logits = self._discriminate(fake, labels, training=True)
            d_loss = self.compute_discriminator_loss(real, fake, real_logits, fake_logits, labels)
            scaled = self.d_optimizer.scale_loss(d_loss)
        variables = self.discriminator.trainable_variables
        grads = tape.gradient(scaled, variables)
        self.d_optimizer.apply_gradients(zip(grads, variables))
        self._trackers["d_loss"].update_state(d_loss * _num_replicas())
        self._trackers["d_real"].update_state(self._probabilities(self.d_loss_fn, real_logits))
        self._trackers["d_fake"].update_state(self._probabilities(self.d_loss_fn, fake_logits))

    def train_step(self, data):
        real, labels = self._unpack(data)
        k = self.d_steps
        for i in range(k):
            real_i = real[:, i] if k > 1 else real
            labels_i = labels[:, i] if (k > 1 and labels is not None) else labels
            z = self.draw_latents(tf.shape(real_i)[0])
            if i < k - 1:
                fake = self._generate(z, labels_i, training=True)
                self._update_discriminator(real_i, fake, labels_i)
                continue
            # Last D step and the G step share one generator forward pass,
            # as in the reference DCGAN implementation.
            with tf.GradientTape() as g_tape:
                fake = self._generate(z, labels_i, training=True)
            self._update_discriminator(real_i, tf.stop_gradient(fake), labels_i)
            with g_tape:
                fake_logits = self._discriminate(fake, labels_i, training=True)
                g_loss = self.compute_generator_loss(fake, fake_logits, labels_i)
                scaled = self.g_optimizer.scale_loss(g_loss)
            variables = self.generator.trainable_variables
            grads = g_tape.gradient(scaled, variables)
            self.g_optimizer.apply_gradients(zip(grads, variables))
            self._trackers["g_loss"].update_state(g_loss * _num_replicas())
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains the GAN; ``x`` is a dataset of images (or (images, labels)).

        ``x`` may be a ``tf.data.Dataset`` of batches or a numpy array of
        images in [-1, 1] (with ``y`` labels for conditional models). The
        first batch is checked for shape, dtype, range and finite values so
        that wrongly scaled data fails loudly instead of training garbage.
        """
        if not getattr(self, "compiled", False):
            raise ValueError("the GAN is not compiled: call gan.compile() (or gan.compile(...))")
        dataset = self._as_dataset(x, y, batch_size, shuffle)
        # The dataset is already shuffled; Keras' own shuffle does not apply.
        return super().fit(dataset, epochs=epochs, shuffle=False, **kwargs)

    def _as_dataset(self, x, y, batch_size, shuffle):
        if x is None:
            raise ValueError("fit needs training images: pass a tf.data.Dataset or a numpy array")
        if isinstance(x, tf.data.Dataset):
            if y is not None:
                raise ValueError("pass labels inside the dataset, not as y=, when x is a Dataset")
            dataset = x
        else:
            x = np.asarray(x)
            self.check_images(x, "x")
            batch_size = 32 if batch_size is None else int(batch_size)
            if batch_size <= 0:
                raise ValueError(f"batch_size must be positive, got {batch_size}")
            tensors = x.astype("float32") if y is None else (x.astype("float32"), np.asarray(y))
            dataset = tf.data.Dataset.from_tensor_slices(tensors)
            if shuffle:
                dataset = dataset.shuffle(len(x), seed=self.seed)
            dataset = dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
        first = next(iter(dataset.take(1)), None)
        if first is None:
            raise ValueError("the training dataset is empty")
        images, _ = self._unpack(first)
        self.check_images(images, "the training data")
        if self.d_steps > 1:
            dataset = dataset.batch(self.d_steps, drop_remainder=True).map(
                lambda *xs: tf.nest.map_structure(_swap_leading, xs if len(xs) > 1 else xs[0])
            )
        return dataset

    def check_images(self, images, what="images"):
        """Raises ValueError unless ``images`` are finite floats in [-1, 1] of the model's shape."""
        dtype = images.dtype.name if hasattr(images.dtype, "name") else str(images.dtype)
        if not ("float" in dtype):
            raise ValueError(
                f"{what} have dtype {dtype}; expected float32 images in [-1, 1]: "
                f"scale uint8 images with x / 127.5 - 1 or load them with kerasgan.data.load"
            )
        shape = tuple(images.shape[1:])
        if len(images.shape) != 4 or shape != self.image_shape:
            raise ValueError(
                f"{what} have shape {_shape_str(images.shape)}; this model expects "
                f"(batch, {', '.join(map(str, self.image_shape))}): resize or pick a model "
                f"built for this image shape"
            )
        values = np.asarray(images, dtype="float64")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{what} contain NaN or Inf values: clean the data before training")
        lo, hi = float(values.min()), float(values.max())
        if lo < -1.0 - 1e-3 or hi > 1.0 + 1e-3:
            raise ValueError(
                f"{what} have values in [{lo:g}, {hi:g}]; expected [-1, 1]: "
                f"scale [0, 255] data with x / 127.5 - 1 (or [0, 1] data with 2x - 1)"
            )

    # ----------------------------------------------------------------- sample
    def latents(self, num, seed=None):
        """Latent vectors ``(num, latent_dim)``; the same seed gives the same vectors."""
        num = _positive_int(num, "num")
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        return stateless_latents(self.latent_dim, self.latent_distribution, num, int(seed))

    def generate(self, z, batch_size=256):
        """Images (float32 numpy in [-1, 1]) for latent vectors ``z``."""
        z = tf.convert_to_tensor(z, dtype=tf.float32)
        if len(z.shape) != 2 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"latent vectors must have shape (num, {self.latent_dim}); got "
                f"{_shape_str(z.shape)}"
            )
        out = []
        for start in range(0, int(z.shape[0]), batch_size):
            images = self._generate(z[start : start + batch_size], None, training=False)
            out.append(tf.cast(images, tf.float32).numpy())
        return np.concatenate(out, axis=0) if out else np.zeros((0,) + self.image_shape, "float32")

    def sample(self, num, seed=None, batch_size=256):
        """``num`` images, float32 numpy in [-1, 1] of shape (num, H, W, C).

        The same ``seed`` gives the same images.
        """
        return self.generate(self.latents(num, seed), batch_size=batch_size)

    # ------------------------------------------------------------------ export
    def serving_generator(self):
        """The generator used by ``sample``-style serving (export)."""
        return self.generator

    def export(self, filepath, format="savedmodel", quantize=None, overwrite=False, **kwargs):
        """Exports the generator for serving; see ``kerasgan.export``.

        Args:
            filepath: output folder (SavedModel) or ``.tflite`` file.
            format: ``"savedmodel"`` (signatures ``serving_default``: z ->
                float images, and ``sample``: (num, seed) -> uint8 images) or
                ``"tflite"``.
            quantize: for TFLite, ``None`` (float32) or ``"dynamic_int8"``.
        """
        from kerasgan import export as export_lib

        if kwargs:
            raise TypeError(f"unexpected arguments {sorted(kwargs)} for GAN.export")
        return export_lib.export(self, filepath, format=format, quantize=quantize, overwrite=overwrite)

    # ------------------------------------------------------------------ saving
    _SEED_PREFIX = "seed_state_"

    def _seed_states(self):
        """State variables of every seed generator in the model (latents, dropout, ...)."""
        states = []
        for layer in self._flatten_layers(include_self=True, recursive=True):
            states.extend(sg.state for sg in layer._seed_generators)
        return states

    def save_own_variables(self, store):
        # Keras saves no seed-generator state; saving it makes a loaded model
        # draw the same latents and dropout masks as the original from here on.
        super().save_own_variables(store)
        for i, state in enumerate(self._seed_states()):
            store[f"{self._SEED_PREFIX}{i}"] = keras.ops.convert_to_numpy(state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        states = self._seed_states()
        for i, state in enumerate(states):
            key = f"{self._SEED_PREFIX}{i}"
            if key in keys:
                state.assign(store[key])
        own = {k: store[k] for k in keys if not k.startswith(self._SEED_PREFIX)}
        super().load_own_variables(own)

    # ------------------------------------------------------------------ config
    def get_config(self):
        # Architectures that build their own networks store their arguments
        # in ``_arch_config``; their config is those arguments alone.
        if getattr(self, "_arch_config", None) is not None:
            return {"name": self.name, "seed": self.seed, **self._arch_config}
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "latent_distribution": self.latent_distribution,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "generator" not in config:
            return cls(**config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


def stateless_latents(latent_dim, distribution, num, seed):
    """Latents (num, latent_dim) drawn statelessly from ``seed``; shared by sample() and export."""
    shape = tf.stack([tf.cast(num, tf.int32), latent_dim])
    seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
    if distribution == "uniform":
        return tf.random.stateless_uniform(shape, seed, minval=-1.0, maxval=1.0)
    return tf.random.stateless_normal(shape, seed)


def _swap_leading(x):
    """(k, B, ...) -> (B, k, ...): keeps the batch axis first for tf.distribute."""
    perm = [1, 0] + list(range(2, len(x.shape)))
    return tf.transpose(x, perm)


def _declared_input_shape(model):
    try:
        shape = model.inputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    if shape is None or any(d is None for d in shape[1:]):
        return None
    return tuple(int(d) for d in shape[1:])


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def _num_replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _get_optimizer(value, default_config, name):
    if value is None:
        return keras.optimizers.deserialize(default_config)
    if isinstance(value, (str, dict)):
        try:
            return keras.optimizers.get(value)
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    if not isinstance(value, keras.optimizers.Optimizer):
        raise TypeError(f"{name} must be a keras optimizer, got {type(value).__name__}")
    return value
