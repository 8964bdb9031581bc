"""The GAN base model: a ``keras.Model`` whose ``train_step`` plays the two-player game."""


import keras
import numpy as np
import tensorflow as tf

from kerasgan import losses as losses_lib
from kerasgan.models import common, options
from kerasgan.models.batch import GANBatch, logits_of

_LATENT_DISTRIBUTIONS = ("normal", "uniform")


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(common.SavesSeedStates, keras.Model):
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
        ema_decay: keep an exponential moving average of the generator's
            weights with this decay (e.g. 0.999) in a separate
            ``ema_generator``, updated after every generator step and used
            by ``sample``, ``generate``, ``call`` and export (Karras et al.
            2018; Yazici et al. 2019). ``None`` disables it.

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
    recipe = dict(options.DEFAULT_RECIPE)

    #: Names of the extra loss terms ``compute_auxiliary_terms`` returns (logged as metrics).
    auxiliary_metrics = ()
    # Config entries an architecture subclass sets itself (its networks, ...): from_config drops them
    # and the subclass's constructor refuses them (common.refuse_derived).
    _derived_config_keys = ()

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        latent_distribution="normal",
        seed=None,
        ema_decay=None,
        num_classes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_classes is not None and (isinstance(num_classes, bool) or int(num_classes) != num_classes or num_classes < 2):
            raise ValueError(f"num_classes must be an integer >= 2 (or None for an unconditional GAN), got {num_classes!r}")
        #: Classes of a class-conditional GAN (both networks then take [x, labels]); None if unconditional.
        self.num_classes = None if num_classes is None else int(num_classes)
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
        self.historical_averaging = None
        self._g_history = self._d_history = None
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_generator = None
        if self.ema_decay is not None:
            if not 0.0 < self.ema_decay < 1.0:
                raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999; got {ema_decay}")
            self.ema_generator = common.clone_network(generator, "ema_generator")
            self.ema_updates = keras.Variable(0, dtype="int64", trainable=False, name="ema_updates", aggregation="only_first_replica")
        self._trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_loss", "g_loss", "d_real", "d_fake", "d_penalty", "g_penalty", "ada_p", *self.auxiliary_metrics)
        }
        self._active_metrics = ["d_loss", "g_loss", "d_real", "d_fake", *self.auxiliary_metrics]
        # Virtual batch normalization in G: a fixed reference batch of latents
        # (saved with the model) whose statistics every VBN layer records
        # with the current weights at the start of each training step.
        self.vbn_reference_latents = None
        if _has_vbn(generator) and self.num_classes is not None:
            raise ValueError("virtual batch normalization is not supported in conditional generators: use batch norm")
        if _has_vbn(generator):
            self.vbn_reference_latents = keras.Variable(
                stateless_latents(self.latent_dim, latent_distribution, VBN_REFERENCE_SIZE, 1000003 + (seed or 0)),
                trainable=False, name="vbn_reference_latents", aggregation="only_first_replica",
            )
        self.build((None, self.latent_dim))
        self.refresh_vbn_reference()

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
        dummy_labels = self.dummy_labels(2) if self.conditional else None
        try:
            images = self._generate(z, dummy_labels, training=False)
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
            output = self._discriminate(images, dummy_labels, training=False)
        except Exception as err:  # noqa: BLE001
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ValueError(
                f"the discriminator cannot take the generator's images of shape {image_shape}: "
                f"{first}"
            ) from None
        if isinstance(output, dict) and "logits" not in output:
            raise ValueError(
                f"a discriminator that returns a dict must have a 'logits' entry (it has {sorted(output)}): "
                f"name its real/fake output 'logits'"
            )
        logits = logits_of(output)
        if tuple(logits.shape) not in ((2,), (2, 1)):
            raise ValueError(
                f"the discriminator must output one logit per image, shape (batch, 1) or "
                f"(batch,); got {_shape_str(logits.shape)}: end it with Dense(1) or a 1-channel "
                f"conv and Flatten"
            )
        return image_shape

    def build(self, input_shape=None):
        self.built = True

    def call(self, inputs, training=False):
        """Runs the generator (the EMA generator when enabled).

        ``inputs``: latents ``z`` of shape (batch, latent_dim), or
        ``(z, labels)`` for a conditional GAN.
        """
        z, labels = (inputs if self.conditional and isinstance(inputs, (tuple, list)) else (inputs, None))
        if self.conditional and labels is None:
            raise ValueError("this GAN is conditional: call it on (z, labels)")
        return self._generate(z, labels, training=training, ema=not training)

    # Both networks take [x, labels] when the GAN is conditional.
    @property
    def conditional(self):
        """Whether both networks take a condition beside their input (``[x, labels]``).

        True for class-conditional GANs (``num_classes`` set); models with
        another condition (a caption's tokens) override it, ``dummy_labels``
        and ``check_labels``.
        """
        return self.num_classes is not None

    def dummy_labels(self, n):
        """A condition batch of ``n`` rows, for building and checking the networks."""
        return tf.zeros((n,), tf.int32)

    def _generate(self, z, labels, training, ema=False):
        generator = self.ema_generator if (ema and self.ema_generator is not None) else self.generator
        if self.conditional:
            return generator([z, labels], training=training)
        return generator(z, training=training)

    def discriminate_step(self, images, labels, latents, real, training=True):
        """D's output in a training step: ``real`` says whether ``images`` are data or G(``latents``).

        Plain GANs ignore ``latents`` and ``real``; a joint discriminator
        (BiGAN/ALI's D(x, z)) pairs real images with their encoding and fakes
        with the latents they came from.
        """
        return self._discriminate(images, labels, training=training)

    #: Whether the generator player's step also runs D on real data (``batch.real_output``),
    #: as BiGAN's encoder, trained through the real pairs, needs.
    generator_sees_real = False

    def _discriminate(self, images, labels, training):
        if self.conditional:
            return self.discriminator([images, labels], training=training)
        return self.discriminator(images, training=training)

    def check_labels(self, labels, num, what="labels"):
        """int32 numpy labels ``(num,)`` for a conditional GAN; one int is repeated ``num`` times.

        Raises a one-line ValueError/TypeError for labels given to an
        unconditional GAN, missing labels, the wrong count, dtype or range.
        """
        if self.num_classes is None:
            if labels is not None:
                raise ValueError(f"{what} were given, but this GAN is unconditional: drop {what}=")
            return None
        if labels is None:
            raise ValueError(f"this GAN is conditional ({self.num_classes} classes): pass {what}=[...] (one class index per image, or one int)")
        values = np.asarray(labels)
        if values.dtype.kind not in "iu":
            raise TypeError(f"{what} must be integer class indices, got dtype {values.dtype}")
        if values.ndim == 0:
            values = np.full((num,), int(values))
        if values.shape != (num,):
            raise ValueError(f"{what} must have shape ({num},) (one per image) or be one int, got shape {values.shape}")
        if values.size and (values.min() < 0 or values.max() >= self.num_classes):
            raise ValueError(
                f"{what} must lie in [0, {self.num_classes - 1}], got values from {values.min()} to {values.max()}"
            )
        return values.astype("int32")

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
        clip_weights=None,
        gradient_penalty=None,
        r1_gamma=None,
        r1_every=None,
        augment=None,
        feature_matching=None,
        adaptive_d_l2=None,
        historical_averaging=None,
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
    ):
        """Configures training; without arguments it uses ``self.recipe``.

        Every option left at ``None`` takes the recipe's value (or is off).

        Args:
            g_optimizer, d_optimizer: optimizers (instances, names or configs)
                of the generator and discriminator; different learning rates
                give TTUR (Heusel et al. 2017). Default: the recipe's.
            loss: name of a loss pair from ``kerasgan.losses.LOSS_PAIRS``
                ("minimax", "modified", "maximum_likelihood", "wasserstein",
                "least_squares", "hinge"). Default: the recipe's.
            g_loss, d_loss: override one side of the pair (name or callable).
            d_steps: discriminator updates per generator update (k in
                Goodfellow's Algorithm 1; n_critic in WGAN). Each uses its
                own real batch, so one step consumes ``d_steps`` batches.
            label_smoothing: one-sided label smoothing of the real targets
                for the minimax-family discriminator loss (Salimans 2016).
            clip_weights: WGAN (Arjovsky et al. 2017): after every critic
                update, clip all critic weights to ``[-c, c]`` (paper: 0.01).
            gradient_penalty: WGAN-GP weight lambda (Gulrajani et al. 2017;
                paper: 10), on interpolates with alpha ~ U(0, 1) per sample.
            r1_gamma: R1 penalty weight gamma on real data (Mescheder 2018).
            r1_every: lazy regularization (Karras et al. 2020): apply R1 on
                every ``r1_every``-th discriminator step, scaled by
                ``r1_every`` so its average strength is unchanged.
            augment: augment every image D sees, real and fake, with
                differentiable ops: ``"diffaugment"`` or
                ``"diffaugment:color,translation,cutout"`` (Zhao et al. 2020),
                ``"ada"`` or a dict ``{"name": "ada", "target": 0.6, ...}``
                (Karras et al. 2020; ``p`` is saved with the model).
            feature_matching: train G to match the mean of D's penultimate
                features on real data instead of fooling D (Salimans 2016,
                3.1); ``True`` or the name of the D layer whose output to match.
            adaptive_d_l2: adaptive L2 weight decay on D's kernels that grows
                while D wins (its real/fake probability gap exceeds
                ``target_gap``) and shrinks when G catches up: a float
                (initial weight) or a dict with ``initial``, ``target_gap``
                (0.5), ``factor`` (1.05), ``min`` (1e-6), ``max`` (1.0).
            historical_averaging: add ``weight * ||theta - mean of past
                theta||^2`` to each player's loss (Salimans 2016, 3.3): a
                float for both players or a dict ``{"generator": w,
                "discriminator": w}`` (a missing or 0 entry turns it off for
                that player). The averages are saved with the model.
            jit_compile, steps_per_execution, run_eagerly: as in
                ``keras.Model.compile``.
        """
        opts = options.resolve(
            self.recipe, loss=loss, g_loss=g_loss, d_loss=d_loss, d_steps=d_steps, label_smoothing=label_smoothing,
            clip_weights=clip_weights, gradient_penalty=gradient_penalty, r1_gamma=r1_gamma, r1_every=r1_every,
            augment=augment, feature_matching=feature_matching, adaptive_d_l2=adaptive_d_l2,
            historical_averaging=historical_averaging,
        )
        g_optimizer = options.optimizer(g_optimizer, self.recipe["g_optimizer"], "g_optimizer")
        d_optimizer = options.optimizer(d_optimizer, self.recipe["d_optimizer"], "d_optimizer")
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects")
        self._options = opts
        for key, value in opts.items():
            setattr(self, key, value)
        # Keras locks a built model's state: the state some techniques need
        # (ADA's p, the adaptive L2 weight, D's feature model, historical
        # averages) is created with it unlocked.
        with common.unlocked(self):
            self._create_technique_state()
        if keras.config.dtype_policy().name == "mixed_float16":
            # Dynamic loss scaling for both players (float16 gradients underflow).
            g_optimizer, d_optimizer = common.loss_scaled(g_optimizer), common.loss_scaled(d_optimizer)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self._active_metrics = self._metric_names()
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        self._build_optimizers()

    def _create_technique_state(self):
        self.augmenter = None
        if self.augment is not None and self.augment["name"] == "ada":
            from kerasgan.augment import AdaptiveAugment

            self.augmenter = AdaptiveAugment(**{k: v for k, v in self.augment.items() if k != "name"}, name="ada")
        self._feature_model = self._build_feature_model(self.feature_matching) if self.feature_matching else None
        self.d_l2_weight = None
        if self.adaptive_d_l2 is not None:
            self.d_l2_weight = keras.Variable(
                self.adaptive_d_l2["initial"], dtype="float32", trainable=False, name="d_l2_weight",
                aggregation="only_first_replica",
            )
        self._g_history = self._d_history = None
        if self.historical_averaging is not None:
            from kerasgan.regularizers import HistoricalAverage

            g_w = self.historical_averaging.get("generator")
            d_w = self.historical_averaging.get("discriminator")
            if g_w:
                self._g_history = HistoricalAverage(self.player_variables("generator"), g_w, name="g_history")
            if d_w:
                self._d_history = HistoricalAverage(self.player_variables("discriminator"), d_w, name="d_history")

    def _overrides(self, hook):
        return getattr(type(self), hook) is not getattr(GAN, hook)

    def _metric_names(self):
        """The logged metrics: losses, D's probabilities, the penalties in use and the class's named terms."""
        names = ["d_loss", "g_loss", "d_real", "d_fake", *self.auxiliary_metrics]
        if (
            self.gradient_penalty or self.r1_gamma or self.adaptive_d_l2 or self._d_history is not None
            or self._overrides("compute_discriminator_penalty")
        ):
            names.append("d_penalty")
        if self._g_history is not None or self._overrides("compute_generator_penalty"):
            names.append("g_penalty")
        if self.augmenter is not None:
            names.append("ada_p")
        return names

    def _build_feature_model(self, layer):
        d = self.discriminator
        if not hasattr(d, "inputs") or not getattr(d, "layers", None):
            raise ValueError("feature_matching needs a functional discriminator (a keras.Model with inputs)")
        if layer is True:
            weighted = [lyr for lyr in d.layers if lyr.weights]
            target = weighted[-1].input
        else:
            try:
                target = d.get_layer(str(layer)).output
            except ValueError:
                names = [lyr.name for lyr in d.layers]
                raise ValueError(f"feature_matching: the discriminator has no layer {layer!r}; its layers are {names}") from None
        return keras.Model(d.inputs, target, name="discriminator_features")

    def _build_optimizers(self):
        # Built eagerly (inside the caller's strategy scope) so that saved
        # optimizer state can be restored and replicas share the variables.
        if not self.g_optimizer.built:
            self.g_optimizer.build(self.player_variables("generator"))
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.player_variables("discriminator"))

    # ------------------------------------------------------------ networks
    #: The players of the game, in update order within a step.
    players = ("discriminator", "generator")

    #: The entry of ``networks`` that draws samples: required in zoo folders.
    sampling_network = "generator"

    @property
    def networks(self):
        """``{name: keras.Model}`` of the trained networks (not the EMA copy).

        Zoo folders hold one ``NAME.weights.h5`` per entry; a model with more
        networks (an encoder, a second generator) adds them here and the zoo,
        ``kerasgan convert`` and ``kerasgan train`` write and load them.
        """
        return {"generator": self.generator, "discriminator": self.discriminator}

    def player_variables(self, player):
        """The trainable variables ``player`` (``"generator"`` or ``"discriminator"``) updates.

        A model whose player trains several networks (BiGAN's generator and
        encoder, InfoGAN's Q head with G) returns all of their variables.
        """
        if player not in self.players:
            raise ValueError(f"unknown player {player!r}: this model's players are {list(self.players)}")
        return self.networks[player].trainable_variables

    def get_compile_config(self):
        return common.two_player_compile_config(self)

    def compile_from_config(self, config):
        common.two_player_compile_from_config(self, config)

    # ------------------------------------------------------------------ train
    @property
    def metrics(self):
        return [self._trackers[name] for name in self._active_metrics]

    # ------------------------------------------------------------ latents
    @property
    def raw_latent_dim(self):
        """Values drawn per latent vector before ``structure_latents`` (``latent_dim`` unless a model structures them)."""
        return self.latent_dim

    def structure_latents(self, raw):
        """Maps raw draws ``(N, raw_latent_dim)`` from ``latent_distribution`` to the generator's latents ``(N, latent_dim)``.

        The identity here. A model with structured latents (InfoGAN's
        categorical and continuous codes) overrides it; training, ``sample``
        and the exported ``sample`` signature all go through it, so the
        same seed gives the same images everywhere.
        """
        return raw

    def draw_latents(self, batch_size):
        """Random latent vectors for training, from the model's seed generator."""
        shape = (batch_size, self.raw_latent_dim)
        if self.latent_distribution == "uniform":
            raw = keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        else:
            raw = keras.random.normal(shape, seed=self.seed_generator)
        return self.structure_latents(raw)

    #: Keys of a dict batch that the step itself reads; any others reach the hooks as ``batch.extras``.
    _BATCH_KEYS = ("images", "labels", "z")

    def _extras(self, data):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in self._BATCH_KEYS}
        return {}

    def _unpack(self, data):
        """(images, labels, latents); latents are given only by dict data with key "z"."""
        if isinstance(data, dict):
            return data["images"], data.get("labels"), data.get("z")
        if isinstance(data, (tuple, list)):
            if len(data) == 1:
                return data[0], None, None
            return data[0], data[1], None
        return data, None, None

    def _probabilities(self, fn, logits):
        logits = tf.cast(logits, tf.float32)
        if losses_lib.outputs_are_probabilities(fn):
            return tf.reduce_mean(tf.sigmoid(logits))
        return tf.reduce_mean(logits)

    def _augment_for_d(self, images):
        if self.augment is None:
            return images
        seed = self._augment_seed()
        if self.augmenter is not None:
            return self.augmenter(images, seed=seed)
        from kerasgan.augment import diff_augment

        return diff_augment(images, policy=self.augment["policy"], seed=seed)

    def _augment_seed(self):
        # One stateless seed per augmented batch, from the model's (saved)
        # seed generator, so resumed runs augment exactly as uninterrupted ones.
        return tf.cast(self.seed_generator.next(), tf.int64)

    def _global_batch_uniform(self, n):
        """U(0, 1) draws for this replica's ``n`` samples, sliced from draws for the global batch.

        Every replica draws the global batch's values from the same seed and
        keeps its own slice, so N replicas use exactly the values one device
        would use on the whole batch (the distributed equivalence test
        relies on it).
        """
        seed = self._augment_seed()
        ctx = tf.distribute.get_replica_context()
        replicas = 1 if ctx is None else ctx.num_replicas_in_sync
        index = 0 if ctx is None else ctx.replica_id_in_sync_group
        draws = tf.random.stateless_uniform([n * replicas], seed)
        return draws[index * n : (index + 1) * n]

    # ------------------------------------------------------------ loss hooks
    # Every hook receives one GANBatch (real, fake, latents, labels, D's
    # outputs); a subclass overrides the hooks it needs. Penalty hooks that a
    # subclass overrides are logged as d_penalty / g_penalty, and the named
    # terms of compute_auxiliary_terms under their own names.
    def compute_discriminator_loss(self, batch):
        """The discriminator's adversarial objective (a scalar), from ``batch.real_logits``/``fake_logits``."""
        return common.discriminator_loss(self.d_loss_fn, batch, self.label_smoothing)

    def compute_discriminator_penalty(self, batch):
        """Gradient penalties and weight decay added to the discriminator loss (0 if none).

        Penalties differentiate D at the images it saw (``batch.real_seen``,
        ``batch.fake_seen``: augmented when the GAN augments).
        """
        from kerasgan import regularizers

        penalty = tf.constant(0.0)
        labels = batch.labels

        def critic(x):
            return logits_of(self._discriminate(x, labels, training=True))

        real, fake = batch.real_seen, batch.fake_seen
        if self.gradient_penalty:
            penalty += regularizers.gradient_penalty(
                critic, real, fake, weight=self.gradient_penalty, alpha=self._global_batch_uniform(tf.shape(real)[0])
            )
        if self.r1_gamma:
            if self.r1_every == 1:
                penalty += regularizers.r1_penalty(critic, real, gamma=self.r1_gamma)
            else:
                due = tf.equal(self.d_optimizer.iterations % self.r1_every, 0)
                penalty += tf.cond(
                    due,
                    lambda: regularizers.r1_penalty(critic, real, gamma=self.r1_gamma * self.r1_every),
                    lambda: tf.constant(0.0),
                )
        if self.d_l2_weight is not None:
            kernels = [v for v in self.player_variables("discriminator") if len(v.shape) > 1]
            squares = [tf.reduce_sum(tf.square(tf.cast(v, tf.float32))) for v in kernels]
            # Divided by the replica count so the summed replica gradients equal one device's.
            penalty += tf.convert_to_tensor(self.d_l2_weight) * tf.add_n(squares) / common.num_replicas()
        if self._d_history is not None:
            penalty += self._d_history.penalty(self.player_variables("discriminator")) / common.num_replicas()
        return penalty

    def compute_generator_loss(self, batch):
        """The generator's adversarial objective (a scalar), from ``batch.fake_logits``."""
        if self._feature_model is not None and batch.real is not None:
            # Salimans et al. 2016, 3.1: || E f(x) - E f(G(z)) ||^2 over D's features.
            f_real = tf.reduce_mean(tf.cast(self._features(batch.real, batch.labels), tf.float32), axis=0)
            f_fake = tf.reduce_mean(tf.cast(self._features(batch.fake, batch.labels), tf.float32), axis=0)
            return tf.reduce_sum(tf.square(tf.stop_gradient(f_real) - f_fake)) / common.num_replicas()
        return self.g_loss_fn(batch.fake_logits)

    def compute_generator_penalty(self, batch):
        """Regularisers added to the generator loss (0 if none): historical averaging here;
        path length or orthogonal regularisation in the architectures that use them."""
        if self._g_history is not None:
            return self._g_history.penalty(self.player_variables("generator")) / common.num_replicas()
        return tf.constant(0.0)

    def compute_auxiliary_terms(self, player, batch):
        """Extra named loss terms of ``player`` (``"discriminator"`` or ``"generator"``), summed into its loss.

        ``batch.real_output``/``batch.fake_output`` are the discriminator's
        outputs (a tensor, or a dict with ``"logits"`` and named heads such
        as class logits); ``batch.real_output`` is None for the generator.
        Return a dict ``{metric name: scalar}`` whose names the class lists
        in ``auxiliary_metrics`` (each is logged as a metric). Default: none.
        """
        return {}

    def _features(self, images, labels):
        if self.conditional and len(self._feature_model.inputs) > 1:
            return self._feature_model([images, labels], training=True)
        return self._feature_model(images, training=True)

    # ------------------------------------------------------------ updates
    def _update_discriminator(self, real, fake, latents, labels, extras=None):
        real_d = self._augment_for_d(real)
        fake_d = self._augment_for_d(fake)
        variables = self.player_variables("discriminator")
        with tf.GradientTape() as tape:
            batch = GANBatch(
                real=real, fake=fake, latents=latents, labels=labels, real_seen=real_d, fake_seen=fake_d, extras=extras,
                real_output=self.discriminate_step(real_d, labels, None, real=True),
                fake_output=self.discriminate_step(fake_d, labels, latents, real=False),
            )
            d_loss = self.compute_discriminator_loss(batch)
            penalty = self.compute_discriminator_penalty(batch)
            aux = self.compute_auxiliary_terms("discriminator", batch)
            total = d_loss + penalty + common.sum_terms(aux)
            scaled = self.d_optimizer.scale_loss(total)
        grads = tape.gradient(scaled, variables)
        self.d_optimizer.apply_gradients(zip(grads, variables))
        if self.clip_weights:
            c = self.clip_weights
            common.assign_all([(v, tf.clip_by_value(v, -c, c)) for v in variables])
        if self._d_history is not None:
            common.assign_all(self._d_history.update_pairs(variables))
        p_real = self._probabilities(self.d_loss_fn, batch.real_logits)
        p_fake = self._probabilities(self.d_loss_fn, batch.fake_logits)
        if self.augmenter is not None:
            self.augmenter.update(batch.real_logits)
            self._trackers["ada_p"].update_state(self.augmenter.p)
        if self.d_l2_weight is not None:
            self._adapt_d_l2(p_real, p_fake)
        self._log("d_loss", d_loss)
        self._log_terms(aux)
        if "d_penalty" in self._active_metrics:
            self._log("d_penalty", penalty)
        self._trackers["d_real"].update_state(p_real)
        self._trackers["d_fake"].update_state(p_fake)

    def _update_generator(self, tape, real, fake, latents, labels, extras=None):
        variables = self.player_variables("generator")
        with tape:
            fake_d = self._augment_for_d(fake)
            real_d = self._augment_for_d(real) if self.generator_sees_real else real
            batch = GANBatch(
                real=real, fake=fake, latents=latents, labels=labels, real_seen=real_d, fake_seen=fake_d, extras=extras,
                real_output=self.discriminate_step(real_d, labels, None, real=True) if self.generator_sees_real else None,
                fake_output=self.discriminate_step(fake_d, labels, latents, real=False),
            )
            g_loss = self.compute_generator_loss(batch)
            penalty = self.compute_generator_penalty(batch)
            aux = self.compute_auxiliary_terms("generator", batch)
            total = g_loss + penalty + common.sum_terms(aux)
            scaled = self.g_optimizer.scale_loss(total)
        grads = tape.gradient(scaled, variables)
        self.g_optimizer.apply_gradients(zip(grads, variables))
        if self._g_history is not None:
            common.assign_all(self._g_history.update_pairs(variables))
        if self.ema_generator is not None:
            self._update_ema()
        self._log("g_loss", g_loss)
        self._log_terms(aux)
        if "g_penalty" in self._active_metrics:
            self._log("g_penalty", penalty)

    def _log(self, name, value):
        # Losses are per-replica shares of the global mean: times the replica
        # count, the logged mean over replicas is the global value.
        self._trackers[name].update_state(value * common.num_replicas())

    def _log_terms(self, terms):
        for name, value in terms.items():
            if name not in self._trackers:
                raise ValueError(
                    f"{type(self).__name__} returned a loss term {name!r} it does not declare: add it to "
                    f"{type(self).__name__}.auxiliary_metrics"
                )
            self._log(name, value)

    def _adapt_d_l2(self, p_real, p_fake):
        cfg = self.adaptive_d_l2
        gap = p_real - p_fake
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            gap = ctx.all_reduce(tf.distribute.ReduceOp.MEAN, gap)
        w = tf.convert_to_tensor(self.d_l2_weight)
        w = tf.where(gap > cfg["target_gap"], w * cfg["factor"], w / cfg["factor"])
        self.d_l2_weight.assign(tf.clip_by_value(w, cfg["min"], cfg["max"]))

    def _update_ema(self):
        # Warm-up as tf.train.ExponentialMovingAverage(num_updates): early on
        # the average follows G closely instead of remembering its init.
        n = tf.cast(self.ema_updates + 1, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + n) / (10.0 + n))
        common.assign_all(common.ema_pairs(self.ema_generator, self.generator, decay))
        self.ema_updates.assign_add(1)

    def refresh_vbn_reference(self, ema=True):
        """Has every VirtualBatchNormalization layer of G (and the EMA G) record the reference batch's statistics.

        Called for G at the start of every training step (in the traced
        step) and, eagerly, for both after ``fit`` and on construction, so
        sampling uses statistics of the current weights. A no-op without VBN.
        """
        if self.vbn_reference_latents is None:
            return
        from kerasgan.layers.virtual_batch_normalization import set_reference_batch

        z = tf.convert_to_tensor(self.vbn_reference_latents)
        set_reference_batch(self.generator, z, training=True)
        if ema and self.ema_generator is not None:
            set_reference_batch(self.ema_generator, z, training=True)

    def train_step(self, data):
        self.refresh_vbn_reference(ema=False)
        real, labels, latents = self._unpack(data)
        extras = self._extras(data)  # handed whole to every D step's and the G step's hooks
        if self.conditional and labels is None:
            raise ValueError(
                "this GAN is conditional: train it on (images, labels) batches, e.g. "
                "kerasgan.data.load(source, labels=True) or fit(x, y)"
            )
        if not self.conditional:
            labels = None  # an unconditional GAN ignores labels in the data
        k = self.d_steps
        for i in range(k):
            real_i = real[:, i] if k > 1 else real
            labels_i = labels[:, i] if (k > 1 and labels is not None) else labels
            if latents is not None:
                z = latents[:, i] if k > 1 else latents
            else:
                z = self.draw_latents(tf.shape(real_i)[0])
            if i < k - 1:
                fake = self._generate(z, labels_i, training=True)
                self._update_discriminator(real_i, fake, z, labels_i, extras)
                continue
            # Last D step and the G step share one generator forward pass,
            # as in the reference DCGAN implementation.
            with tf.GradientTape() as g_tape:
                fake = self._generate(z, labels_i, training=True)
            self._update_discriminator(real_i, tf.stop_gradient(fake), z, labels_i, extras)
            self._update_generator(g_tape, real_i, fake, z, labels_i, extras)
        results = {name: self._trackers[name].result() for name in self._active_metrics}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras reduces train_step outputs under MultiWorkerMirroredStrategy
            # with strategy.reduce(MEAN, axis=0), which fails on scalars
            # ("Invalid reduction dimension 0", tensorflow#72388): give it
            # shape (1,), which that reduction turns back into the global mean.
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

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
        history = super().fit(dataset, epochs=epochs, shuffle=False, **kwargs)
        self.refresh_vbn_reference()  # statistics of the final weights for sampling
        return history

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
            batch_size = 32 if batch_size is None else batch_size
            if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
                raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
            batch_size = int(batch_size)
            if len(x) < batch_size:
                raise ValueError(
                    f"batch_size {batch_size} is larger than the {len(x)} images (batches drop the "
                    f"remainder): use a smaller batch_size"
                )
            tensors = x.astype("float32") if y is None else (x.astype("float32"), np.asarray(y))
            dataset = tf.data.Dataset.from_tensor_slices(tensors)
            if shuffle:
                dataset = dataset.shuffle(len(x), seed=self.seed)
            dataset = dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
        first = next(iter(dataset.take(1)), None)
        if first is None:
            raise ValueError("the training dataset is empty")
        images = self._unpack(first)[0]
        self.check_images(images, "the training data")
        if self.d_steps > 1:
            dataset = dataset.batch(self.d_steps, drop_remainder=True).map(
                lambda *xs: tf.nest.map_structure(_swap_leading, xs if len(xs) > 1 else xs[0])
            )
            # Otherwise fit would silently train zero steps.
            enough = len(x) // batch_size >= self.d_steps if not isinstance(x, tf.data.Dataset) else (
                next(iter(dataset.take(1)), None) is not None
            )
            if not enough:
                raise ValueError(
                    f"one generator step takes d_steps={self.d_steps} real batches, but the training data "
                    f"holds fewer than {self.d_steps} batches: pass more images or a smaller batch_size"
                )
        return dataset

    def check_images(self, images, what="images"):
        """Raises ValueError unless ``images`` are finite floats in [-1, 1] of the model's shape."""
        from kerasgan.utils.images import check_image_batch

        check_image_batch(images, self.image_shape, what)

    # ----------------------------------------------------------------- sample
    def latents(self, num, seed=None, truncation=None):
        """Latent vectors ``(num, latent_dim)``; the same seed gives the same vectors.

        ``truncation``: see ``truncate_latents``.
        """
        num = _positive_int(num, "num")
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        raw = stateless_latents(self.raw_latent_dim, self.latent_distribution, num, int(seed))
        return self.structure_latents(self.truncate_latents(raw, truncation))

    def truncate_latents(self, raw, truncation=None):
        """The truncation trick (Brock et al. 2019) on raw normal draws ``(N, raw_latent_dim)``.

        ``truncation`` is a threshold tau > 0: every value is drawn from N(0, 1)
        restricted to [-tau, tau] (BigGAN resamples the values with |z| > tau),
        trading variety for fidelity as tau shrinks; None leaves the draws as
        they are. The map is monotone per value (the normal CDF rescaled onto
        [Phi(-tau), Phi(tau)], then inverted), so a seed keeps its samples'
        identity across thresholds. Style-based models override this with
        their own (W-space) truncation.
        """
        if truncation is None:
            return raw
        if isinstance(truncation, bool) or not isinstance(truncation, (int, float, np.integer, np.floating)) or not (
            np.isfinite(truncation) and truncation > 0
        ):
            raise ValueError(f"truncation must be a threshold > 0 (e.g. 0.5; None for none), got {truncation!r}")
        if self.latent_distribution != "normal":
            raise ValueError(f"truncation needs normal latents; this model draws {self.latent_distribution!r} ones: drop truncation")
        return truncate_normal(raw, tf.constant(float(truncation), tf.float32))

    def generate(self, z, batch_size=256, labels=None, ema=True):
        """Images (float32 numpy in [-1, 1]) for latent vectors ``z`` (and ``labels`` if conditional).

        ``ema=False`` runs the trained generator instead of its moving average
        (models built with ``ema_decay``; without one both are the same).
        """
        z = tf.convert_to_tensor(z, dtype=tf.float32)
        if len(z.shape) != 2 or z.shape[-1] != self.latent_dim:
            raise ValueError(
                f"latent vectors must have shape (num, {self.latent_dim}); got "
                f"{_shape_str(z.shape)}"
            )
        labels = self.check_labels(labels, int(z.shape[0]))
        out = []
        for start in range(0, int(z.shape[0]), batch_size):
            y = None if labels is None else tf.constant(labels[start : start + batch_size])
            images = self._generate(z[start : start + batch_size], y, training=False, ema=ema)
            out.append(tf.cast(images, tf.float32).numpy())
        return np.concatenate(out, axis=0) if out else np.zeros((0,) + self.image_shape, "float32")

    def sample(self, num, seed=None, batch_size=256, labels=None, truncation=None, ema=True):
        """``num`` images, float32 numpy in [-1, 1] of shape (num, H, W, C).

        The same ``seed`` gives the same images. For more images than fit in
        memory, iterate over ``iter_samples`` instead. A conditional GAN
        needs ``labels``: one class index per image, or one int for all.
        ``truncation`` applies the truncation trick (``truncate_latents``).
        A model trained with ``ema_decay`` draws from its moving-average
        generator (what ``export`` serves); ``ema=False`` draws the same
        latents through the trained generator instead.
        """
        num = _positive_int(num, "num")
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        labels = self.check_labels(labels, num)
        out = np.empty((num,) + tuple(self.image_shape), "float32")
        start = 0
        for images in self.iter_samples(num, seed, batch_size=batch_size, labels=labels, truncation=truncation, ema=ema):
            out[start : start + len(images)] = images
            start += len(images)
        return out

    def iter_samples(self, num, seed=None, batch_size=256, labels=None, truncation=None, ema=True):
        """Yields the images of ``sample(num, seed)`` in batches, with bounded memory.

        Latents are drawn block by block (``LATENT_BLOCK`` rows at a time), so
        memory does not grow with ``num``: write millions of samples to disk or
        feed them to a metric batch by batch.

        Args:
            num: total number of images.
            seed: the seed of ``sample``; the concatenated batches equal
                ``sample(num, seed)``. None draws a random seed.
            batch_size: images per yielded batch (the last one may be smaller).
            labels: for a conditional GAN, one class index per image (or one int).
            truncation: the truncation trick's threshold (``truncate_latents``).
            ema: False runs the trained generator instead of its moving
                average (for models built with ``ema_decay``).

        Yields:
            float32 numpy arrays ``(n, H, W, C)`` in [-1, 1].
        """
        num = _positive_int(num, "num")
        batch_size = _positive_int(batch_size, "batch_size")
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        labels = self.check_labels(labels, num)
        self.truncate_latents(tf.zeros((1, self.raw_latent_dim)), truncation)  # bad values fail before any work
        for start in range(0, num, LATENT_BLOCK):
            raw = stateless_latents(self.raw_latent_dim, self.latent_distribution, min(LATENT_BLOCK, num - start), int(seed), start=start)
            z = self.structure_latents(self.truncate_latents(raw, truncation))
            for b in range(0, int(z.shape[0]), batch_size):
                y = None if labels is None else tf.constant(labels[start + b : start + b + batch_size])
                images = self._generate(z[b : b + batch_size], y, training=False, ema=ema)
                yield tf.cast(images, tf.float32).numpy()

    # ------------------------------------------------------------------ export
    def serving_generator(self):
        """The generator used by ``sample``-style serving (export): the EMA one when enabled."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def serving_endpoints(self):
        """What export writes: ``{"track": [networks], "endpoints": {name: (fn, input signature)}}``.

        Latents (and labels) in, images out; see ``kerasgan.export.latent_endpoints``.
        """
        from kerasgan import export as export_lib

        return export_lib.latent_endpoints(
            self.serving_generator(), self.latent_dim, self.latent_distribution, self.num_classes,
            raw_latent_dim=self.raw_latent_dim, structure=self.structure_latents,
        )

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

    # ------------------------------------------------------------------ config
    def get_config(self):
        # Architectures that build their own networks store their arguments
        # in ``_arch_config``; their config is those arguments alone.
        ema = {} if self.ema_decay is None else {"ema_decay": self.ema_decay}
        if self.num_classes is not None:
            ema["num_classes"] = self.num_classes
        if getattr(self, "_arch_config", None) is not None:
            return {"name": self.name, "seed": self.seed, **self._arch_config, **ema}
        return {
            **ema,
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "latent_distribution": self.latent_distribution,
            "seed": self.seed,
        }

    # ------------------------------------------------------------------ training data
    @classmethod
    def is_conditional(cls, model_args):
        """Whether ``cls(**model_args)`` is class-conditional, without building it.

        ``num_classes`` from ``model_args``, else the default of the class's
        constructor (``ConditionalGAN`` and ``ACGAN`` default to 10 classes).
        """
        import inspect

        if "num_classes" in (model_args or {}):
            return model_args["num_classes"] is not None
        parameter = inspect.signature(cls.__init__).parameters.get("num_classes")
        return parameter is not None and parameter.default is not None and parameter.default is not inspect.Parameter.empty

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """The ``tf.data`` pipeline ``kerasgan train`` fits this architecture on.

        Images of ``config["dataset"]`` (with int32 labels when the model is
        conditional). Architectures that need another layout (the
        semi-supervised GAN's labelled subset) override it.
        """
        return common.load_run_dataset(config, batch_size, seed, repeat, image_size,
                                       labels=cls.is_conditional(config.get("model_args")))

    def preview_function(self, config, seed):
        """A callable giving a run's sample grid ``(images, images per row)`` from fixed latents.

        64 samples; a conditional GAN draws a row of 8 per class (the first
        16 classes), or every class in turn when it has more.
        """
        labels = None
        if self.num_classes is not None:
            if self.num_classes <= 16:
                labels = np.repeat(np.arange(self.num_classes, dtype="int32"), 8)
            else:
                labels = (np.arange(64) % self.num_classes).astype("int32")
        z = self.latents(64 if labels is None else len(labels), seed=seed)

        def preview():
            return self.generate(z, labels=labels), 8

        return preview

    @classmethod
    def from_config(cls, config):
        config = {key: value for key, value in config.items() if key not in cls._derived_config_keys}
        if "generator" not in config:
            return cls(**config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


#: Size of the fixed reference batch of generators with virtual batch normalization.
VBN_REFERENCE_SIZE = 64


def _has_vbn(network):
    from kerasgan.layers.virtual_batch_normalization import VirtualBatchNormalization

    return any(isinstance(layer, VirtualBatchNormalization) for layer in network._flatten_layers(include_self=True, recursive=True))


#: Latents are drawn in blocks of this many rows, block k from the stateless
#: seed (seed, k): any range of rows can be drawn without drawing the rows
#: before it, so sampling millions of images needs bounded memory. Block 0
#: is the stream ``sample`` always drew, so up to 65,536 samples are the same
#: as before blocks existed.
LATENT_BLOCK = 65536


def truncate_normal(raw, tau):
    """N(0, 1) draws mapped monotonically onto N(0, 1) truncated to [-tau, tau] (TensorFlow ops; also in exports)."""

    def cdf(x):
        return 0.5 * (1.0 + tf.math.erf(x / np.sqrt(2.0)))

    tau = tf.cast(tau, tf.float32)
    lo, hi = cdf(-tau), cdf(tau)
    u = lo + cdf(tf.cast(raw, tf.float32)) * (hi - lo)
    return tf.clip_by_value(tf.math.ndtri(u), -tau, tau)


def latent_batches(latent_dim, distribution, num, seed=None, batch_size=256):
    """Yields the latents of ``sample(num, seed)`` in batches of ``batch_size`` rows (numpy-free TF tensors).

    ``num`` must be a positive integer; ``seed=None`` draws a random seed.
    The concatenated batches equal ``stateless_latents(..., num, seed)``.
    """
    num = _positive_int(num, "num")
    batch_size = _positive_int(batch_size, "batch_size")
    if seed is None:
        seed = int(np.random.randint(0, 2**31 - 1))
    for start in range(0, num, batch_size):
        yield stateless_latents(latent_dim, distribution, min(batch_size, num - start), int(seed), start=start)


def stateless_latents(latent_dim, distribution, num, seed, start=0):
    """Rows ``[start, start + num)`` of the latents drawn statelessly from ``seed``.

    Shared by ``sample()``, ``iter_samples()`` and export (it is made of
    TensorFlow ops, so it also runs inside a SavedModel signature).
    """
    start = tf.cast(start, tf.int64)
    end = start + tf.cast(num, tf.int64)
    seed = tf.cast(seed, tf.int64)
    block = tf.constant(LATENT_BLOCK, tf.int64)

    def draw(k, rows):  # the first `rows` rows of block k
        shape = tf.stack([tf.cast(rows, tf.int32), latent_dim])
        key = tf.stack([seed, k])
        if distribution == "uniform":
            return tf.random.stateless_uniform(shape, key, minval=-1.0, maxval=1.0)
        return tf.random.stateless_normal(shape, key)

    def body(k, parts):
        lo = tf.maximum(start, k * block) - k * block
        hi = tf.minimum(end, (k + 1) * block) - k * block
        return k + 1, parts.write(parts.size(), draw(k, hi)[lo:hi])

    parts = tf.TensorArray(tf.float32, size=0, dynamic_size=True, infer_shape=False,
                           element_shape=tf.TensorShape([None, latent_dim]))
    _, parts = tf.while_loop(lambda k, parts: k * block < end, body, [start // block, parts])
    return tf.cond(end > start, parts.concat, lambda: tf.zeros([0, latent_dim], tf.float32))


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


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
