"""The image-to-image base: GANs whose generator input is an image (pix2pix, StarGAN, SRGAN, ...).

A sibling of ``GAN``, not a subclass: both are one level under
``keras.Model`` and share the helpers of ``kerasgan.models.common``, the
training options of ``kerasgan.models.options`` and the hook batch of
``kerasgan.models.batch``. What differs is the data (source images and, when
paired, their true translations), the generator's input, and serving
(images in, images out).
"""

import keras
import numpy as np
import tensorflow as tf

from kerasgan.models import common, options
from kerasgan.models.batch import GANBatch, logits_of


@keras.saving.register_keras_serializable(package="kerasgan")
class TranslationGAN(common.SavesSeedStates, keras.Model):
    """A generator ``G: source image (+ target domain) -> image`` trained against a discriminator.

    The default game is the conditional GAN of pix2pix (Isola et al. 2017):
    D sees ``[source, image]`` (``d_sees_source=True``) and outputs logits of
    any shape (one per image, or a PatchGAN map); G minimises the
    adversarial loss plus ``l1_weight * |G(source) - target|`` when the data
    is paired. Architectures (pix2pix, CycleGAN, StarGAN, SRGAN) bring their
    networks and override the ``compute_*`` hooks, which receive one
    ``GANBatch`` with ``source`` set.

    Args:
        generator: Keras model ``images -> images`` in [-1, 1] (or
            ``[images, domain] -> images`` when ``num_domains`` is set).
        discriminator: Keras model on ``[source, image]`` (or ``image`` alone
            when ``d_sees_source=False``) returning logits of any shape, or a
            dict with ``"logits"`` and named heads.
        image_shape: (H, W, C) of the source images (inferred from the
            generator's input when it declares one).
        l1_weight: weight of the L1 distance to the paired target (pix2pix: 100); 0 disables it.
        adversarial_weight: weight of G's adversarial loss (1); 0 trains G on
            the L1 term alone and skips D (pix2pix's "L1 only" ablation).
        d_sees_source: whether D is conditioned on the source image.
        num_domains: number of target domains of a multi-domain generator
            (StarGAN); None for one fixed direction.
        styles: names of the data's styles: ``(source, target)`` for a
            one-direction model (e.g. ``("openmoji_black", "openmoji")``), or
            one name per domain of a multi-domain model. ``translate(target=)``
            and ``kerasgan train`` (which loads those pairs) read them.
        seed: seed of the model's random draws (augmentation, penalties).

    Data: ``(source, target)`` pairs of float images in [-1, 1], or dicts
    with ``"source"``, ``"target"`` (and ``"domain"``: int target domains).

    Reference:
        Isola, Zhu, Zhou & Efros, "Image-to-Image Translation with
        Conditional Adversarial Networks", CVPR 2017 (arXiv:1611.07004).
    """

    # pix2pix's batch of 1 (section 6.2); architectures set their own.
    recipe = {**options.DEFAULT_RECIPE, "batch_size": 1}

    #: Names of the extra loss terms ``compute_auxiliary_terms`` returns (logged as metrics).
    auxiliary_metrics = ()
    # Config entries an architecture subclass sets itself (its networks, ...): from_config drops them
    # and the subclass's constructor refuses them (common.refuse_derived).
    _derived_config_keys = ()

    players = ("discriminator", "generator")
    sampling_network = "generator"

    def __init__(self, generator, discriminator, image_shape=None, l1_weight=100.0, d_sees_source=True,
                 num_domains=None, styles=None, adversarial_weight=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, (keras.Model, keras.layers.Layer)):
                raise TypeError(f"{name} must be a Keras model, got {type(net).__name__}")
        if isinstance(l1_weight, bool) or not isinstance(l1_weight, (int, float, np.integer, np.floating)) or l1_weight < 0:
            raise ValueError(f"l1_weight must be a number >= 0, got {l1_weight!r}")
        if num_domains is not None and (isinstance(num_domains, bool) or int(num_domains) != num_domains or num_domains < 2):
            raise ValueError(f"num_domains must be an integer >= 2 (or None for one direction), got {num_domains!r}")
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = float(l1_weight)
        if isinstance(adversarial_weight, bool) or not isinstance(adversarial_weight, (int, float, np.integer, np.floating)) or adversarial_weight < 0:
            raise ValueError(f"adversarial_weight must be a number >= 0, got {adversarial_weight!r}")
        self._check_objective(adversarial_weight, l1_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.d_sees_source = bool(d_sees_source)
        self.num_domains = None if num_domains is None else int(num_domains)
        self.styles = self._check_styles(styles, self.num_domains)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="translation_seed")
        self.image_shape = self._infer_image_shape(generator, image_shape)
        self.output_shape_ = self._validate_networks()
        self._trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_loss", "g_loss", "g_l1", "d_real", "d_fake", "d_penalty", "g_penalty", *self.auxiliary_metrics)
        }
        self._active_metrics = self._metric_names()
        self.built = True

    def _check_objective(self, adversarial_weight, l1_weight):
        """Refuses weights that leave G nothing to learn (architectures with other terms override it)."""
        if not adversarial_weight and not l1_weight:
            raise ValueError("adversarial_weight and l1_weight are both 0: G would learn nothing")

    # ------------------------------------------------------------ networks
    @staticmethod
    def _check_styles(styles, num_domains):
        if styles is None:
            return None
        if isinstance(styles, str) or not all(isinstance(s, str) and s for s in styles):
            raise TypeError(f"styles must be a list of style names, got {styles!r}")
        styles = tuple(styles)
        wanted = 2 if num_domains is None else num_domains
        if len(styles) != wanted or len(set(styles)) != len(styles):
            what = "(source, target)" if num_domains is None else f"one distinct name per domain ({num_domains})"
            raise ValueError(f"styles must be {what}, got {list(styles)}")
        return styles

    @staticmethod
    def _infer_image_shape(generator, image_shape):
        if image_shape is None:
            try:
                inputs = generator.inputs
                image_shape = tuple(inputs[0].shape[1:])
            except (AttributeError, IndexError, TypeError, ValueError):
                image_shape = None
            if image_shape is None or any(d is None for d in image_shape):
                raise ValueError("image_shape is unknown: pass image_shape=(H, W, C) or give the generator a fixed keras.Input")
        image_shape = tuple(int(d) for d in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (H, W, C), got {image_shape}")
        return image_shape

    def _validate_networks(self):
        x = tf.zeros((2, *self.image_shape))
        domain = None if self.num_domains is None else tf.zeros((2,), tf.int32)
        try:
            y = self._translate(x, domain, training=False)
        except Exception as err:  # noqa: BLE001 - re-raised as a one-line error
            raise ValueError(f"the generator does not accept images of shape {self.image_shape}: {common.first_line(err)}") from None
        if len(y.shape) != 4:
            raise ValueError(f"the generator must output images (batch, H, W, C); got shape {tuple(y.shape)}")
        try:
            out = self._discriminate(x, y, training=False)
        except Exception as err:  # noqa: BLE001
            what = "[source, image] pairs" if self.d_sees_source else "the generator's images"
            raise ValueError(f"the discriminator cannot take {what}: {common.first_line(err)}") from None
        if isinstance(out, dict) and "logits" not in out:
            raise ValueError(f"a discriminator that returns a dict must have a 'logits' entry (it has {sorted(out)})")
        return tuple(int(d) for d in y.shape[1:])

    @property
    def networks(self):
        """``{name: keras.Model}`` of the trained networks (zoo files: ``NAME.weights.h5``)."""
        return {"generator": self.generator, "discriminator": self.discriminator}

    def player_variables(self, player):
        """The trainable variables ``player`` updates."""
        if player not in self.players:
            raise ValueError(f"unknown player {player!r}: this model's players are {list(self.players)}")
        return self.networks[player].trainable_variables

    def _translate(self, images, domain, training):
        if self.num_domains is not None:
            return self.generator([images, domain], training=training)
        return self.generator(images, training=training)

    def _discriminate(self, source, images, training):
        if self.d_sees_source:
            return self.discriminator([source, images], training=training)
        return self.discriminator(images, training=training)

    def call(self, inputs, training=False):
        """G on source images (``[images, domain]`` for multi-domain models)."""
        if self.num_domains is not None:
            images, domain = inputs
            return self._translate(images, domain, training)
        return self._translate(inputs, None, training)

    # ------------------------------------------------------------ compile
    #: ``GAN.compile`` options this family does not implement (refused before anything is compiled).
    _unsupported_options = frozenset({"augment", "feature_matching", "adaptive_d_l2", "historical_averaging", "clip_weights"})

    def compile(self, g_optimizer=None, d_optimizer=None, jit_compile="auto", steps_per_execution=1, run_eagerly=False, **training_options):
        """Configures training; options as ``GAN.compile`` (loss, d_steps, gradient_penalty, ...), defaults from ``recipe``."""
        unsupported = self._unsupported_options & {k for k, v in training_options.items() if v}
        if unsupported:
            raise ValueError(f"{type(self).__name__} does not support {sorted(unsupported)} yet: drop them")
        self._options = options.resolve(self.recipe, **training_options)
        for key, value in self._options.items():
            setattr(self, key, value)
        g_optimizer = options.optimizer(g_optimizer, self.recipe["g_optimizer"], "g_optimizer")
        d_optimizer = options.optimizer(d_optimizer, self.recipe["d_optimizer"], "d_optimizer")
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects")
        if keras.config.dtype_policy().name == "mixed_float16":
            g_optimizer, d_optimizer = common.loss_scaled(g_optimizer), common.loss_scaled(d_optimizer)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self._active_metrics = self._metric_names()
        super().compile(optimizer=None, jit_compile=jit_compile, steps_per_execution=steps_per_execution, run_eagerly=run_eagerly)
        self.g_optimizer.build(self.player_variables("generator"))
        self.d_optimizer.build(self.player_variables("discriminator"))

    def _metric_names(self):
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        if self.l1_weight:
            names.append("g_l1")
        if getattr(self, "gradient_penalty", None) or getattr(self, "r1_gamma", None) or (
            getattr(type(self), "compute_discriminator_penalty") is not TranslationGAN.compute_discriminator_penalty
        ):
            names.append("d_penalty")
        if getattr(type(self), "compute_generator_penalty") is not TranslationGAN.compute_generator_penalty:
            names.append("g_penalty")
        return names + list(self.auxiliary_metrics)

    def get_compile_config(self):
        return common.two_player_compile_config(self)

    def compile_from_config(self, config):
        common.two_player_compile_from_config(self, config)

    @property
    def metrics(self):
        return [self._trackers[name] for name in self._active_metrics]

    # ------------------------------------------------------------ hooks
    def compute_discriminator_loss(self, batch):
        """D's adversarial loss on ``batch.real_logits`` (true pairs) and ``batch.fake_logits``."""
        return common.discriminator_loss(self.d_loss_fn, batch, self.label_smoothing)

    def compute_discriminator_penalty(self, batch):
        """WGAN-GP / R1 on D as a function of the image (the source held fixed); 0 if none."""
        from kerasgan import regularizers

        penalty = tf.constant(0.0)

        def critic(x):
            return tf.reshape(logits_of(self._discriminate(batch.source, x, training=True)), [tf.shape(x)[0], -1])

        if self.gradient_penalty:
            seed = tf.cast(self.seed_generator.next(), tf.int64)
            penalty += regularizers.gradient_penalty(critic, batch.real, batch.fake, self.gradient_penalty, seed=seed)
        if self.r1_gamma:
            penalty += regularizers.r1_penalty(critic, batch.real, gamma=self.r1_gamma)
        return penalty

    def compute_generator_loss(self, batch):
        """G's adversarial loss on ``batch.fake_logits``."""
        return self.g_loss_fn(batch.fake_logits)

    def compute_reconstruction(self, batch):
        """Mean absolute error between G(source) and the paired target (pix2pix's L1 term, unweighted)."""
        diff = tf.abs(tf.cast(batch.fake, tf.float32) - tf.cast(batch.real, tf.float32))
        per_example = tf.reduce_mean(tf.reshape(diff, [tf.shape(diff)[0], -1]), axis=1)
        return tf.nn.compute_average_loss(per_example)

    def compute_generator_penalty(self, batch):
        """Regularisers added to G's loss (0 if none)."""
        return tf.constant(0.0)

    def compute_auxiliary_terms(self, player, batch):
        """Extra named terms of ``player`` (declared in ``auxiliary_metrics``), summed into its loss."""
        return {}

    # ------------------------------------------------------------ training
    def _unpack(self, data):
        if isinstance(data, dict):
            return data["source"], data.get("target"), data.get("domain")
        if isinstance(data, (tuple, list)) and len(data) >= 2:
            return data[0], data[1], (data[2] if len(data) > 2 else None)
        raise ValueError("image-to-image models train on (source, target) pairs or dicts with 'source' and 'target'")

    def train_step(self, data):
        source, target, domain = self._unpack(data)
        if self.num_domains is not None and domain is None:
            raise ValueError("this model translates to one of several domains: give batches a 'domain' entry")
        with tf.GradientTape() as g_tape:
            fake = self._translate(source, domain, training=True)
        d_vars = self.player_variables("discriminator")
        with tf.GradientTape() as d_tape:
            d_batch = GANBatch(
                real=target, fake=tf.stop_gradient(fake), labels=domain, source=source,
                real_output=self._discriminate(source, target, training=True),
                fake_output=self._discriminate(source, tf.stop_gradient(fake), training=True),
            )
            d_loss = self.compute_discriminator_loss(d_batch)
            d_penalty = self.compute_discriminator_penalty(d_batch)
            d_aux = self.compute_auxiliary_terms("discriminator", d_batch)
            d_total = self.d_optimizer.scale_loss(d_loss + d_penalty + common.sum_terms(d_aux))
        if self.adversarial_weight:  # the L1-only ablation leaves D untrained
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_total, d_vars), d_vars))
        g_vars = self.player_variables("generator")
        with g_tape:
            g_batch = GANBatch(
                real=target, fake=fake, labels=domain, source=source,
                fake_output=self._discriminate(source, fake, training=True),
            )
            g_loss = self.compute_generator_loss(g_batch)
            l1 = self.compute_reconstruction(g_batch) if self.l1_weight else tf.constant(0.0)
            g_penalty = self.compute_generator_penalty(g_batch)
            g_aux = self.compute_auxiliary_terms("generator", g_batch)
            g_total = self.g_optimizer.scale_loss(
                self.adversarial_weight * g_loss + self.l1_weight * l1 + g_penalty + common.sum_terms(g_aux)
            )
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_total, g_vars), g_vars))
        for name in {**d_aux, **g_aux}:
            if name not in self.auxiliary_metrics:
                raise ValueError(f"{type(self).__name__} returned a loss term {name!r} it does not declare: add it to auxiliary_metrics")
        logged = {"d_loss": d_loss, "g_loss": g_loss, "g_l1": l1, "d_penalty": d_penalty, "g_penalty": g_penalty, **d_aux, **g_aux}
        for name, value in logged.items():
            if name in self._active_metrics:
                self._trackers[name].update_state(value * common.num_replicas())
        self._trackers["d_real"].update_state(self._probability(d_batch.real_logits))
        self._trackers["d_fake"].update_state(self._probability(d_batch.fake_logits))
        return {name: self._trackers[name].result() for name in self._active_metrics}

    def _probability(self, logits):
        from kerasgan import losses as losses_lib

        logits = tf.cast(logits, tf.float32)
        if losses_lib.outputs_are_probabilities(self.d_loss_fn):
            return tf.reduce_mean(tf.sigmoid(logits))
        return tf.reduce_mean(logits)

    #: What ``fit(x, y)`` calls ``y``, and whether array batches drop the last partial batch.
    _fit_targets = "targets"
    _fit_drop_remainder = False

    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains on ``x`` = source images and ``y`` = their targets (numpy), or a dataset of pairs/dicts.

        The first batch is checked (shape, dtype, range, finite values) so
        wrongly scaled data fails loudly. Subclasses change what ``y`` is
        with ``_fit_arrays`` and regroup the batches with ``_fit_dataset``.
        """
        if not getattr(self, "compiled", False):
            raise ValueError(f"the {type(self).__name__} is not compiled: call compile() first")
        if isinstance(x, tf.data.Dataset):
            if y is not None:
                raise ValueError(f"pass {self._fit_targets} inside the dataset, not as y=, when x is a tf.data.Dataset")
            dataset = x
        else:
            tensors = self._fit_arrays(x, y)
            dataset = tf.data.Dataset.from_tensor_slices(tensors)
            if shuffle:
                dataset = dataset.shuffle(len(tensors[0]), seed=self.seed, reshuffle_each_iteration=True)
            dataset = dataset.batch(int(batch_size or self.recipe["batch_size"]), drop_remainder=self._fit_drop_remainder)
        return keras.Model.fit(self, self._fit_dataset(dataset), epochs=epochs, shuffle=False, **kwargs)

    def _fit_arrays(self, x, y):
        """``fit(x, y)`` with arrays: the checked tensors of one training example each."""
        if y is None:
            raise ValueError("fit needs targets: fit(source_images, target_images) or a dataset of (source, target) pairs")
        source = self.check_images(x, "source images")
        target = self.check_images(y, "target images", shape=self.output_shape_)
        if len(source) != len(target):
            raise ValueError(f"{len(source)} source images but {len(target)} targets: give one target per source")
        return source, target

    def _fit_dataset(self, dataset):
        """Checks the first batch of the training data; returns the dataset ``train_step`` reads."""
        first = next(iter(dataset.take(1)), None)
        if first is None:
            raise ValueError("the training dataset is empty")
        src, tgt, _ = self._unpack(first)
        self.check_images(src.numpy(), "source images")
        if tgt is not None:
            self.check_images(tgt.numpy(), "target images", shape=self.output_shape_)
        return dataset

    def check_images(self, images, what="images", shape=None):
        """float32 numpy images of ``shape`` (default: the source shape) in [-1, 1]; one-line errors otherwise."""
        from kerasgan.utils.images import check_image_batch

        return check_image_batch(images, shape or self.image_shape, what)

    # ------------------------------------------------------------ kerasgan train
    @classmethod
    def is_conditional(cls, model_args):
        return False

    @classmethod
    def _pair_styles(cls, config):
        styles = (config.get("model_args") or {}).get("styles")
        if config.get("dataset") != "emoji_styles_64" or not styles or len(styles) != 2:
            raise ValueError(
                f"kerasgan train trains {cls.__name__} on paired emoji styles: dataset 'emoji_styles_64' with "
                f"model_args styles=[source, target] (e.g. [\"openmoji_black\", \"openmoji\"]); for other data, "
                f"fit in Python on (source, target) pairs"
            )
        return styles

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``data.load_pairs(*styles)`` on the train split, with ``jitter``/``mirror`` from the config."""
        from kerasgan import data

        if image_size:
            raise ValueError("paired emoji styles are 64x64: drop image_size")
        source, target = cls._pair_styles(config)
        return data.load_pairs(source, target, batch_size=batch_size, seed=seed, repeat=repeat,
                               jitter=bool(config.get("jitter")), mirror=bool(config.get("mirror")))

    def preview_function(self, config, seed, num=8):
        """A callable giving a run's preview grid: rows of test sources, their translations and the true targets."""
        from kerasgan import data

        source, target = self._pair_styles(config)
        x, y, _ = data.load_pair_arrays(source, target, split="test")
        x, y = x[:num], y[:num]

        def preview():
            rows = [x, self.translate(x), y]
            if len({r.shape[-1] for r in rows}) > 1:  # grey and colour in one grid: show grey as RGB
                rows = [np.repeat(r, 3, axis=-1) if r.shape[-1] == 1 else r for r in rows]
            return np.concatenate(rows), len(x)

        return preview

    # ------------------------------------------------------------ use
    def target_domain(self, target):
        """The domain index of style name ``target`` (multi-domain models), or None after checking it (one direction)."""
        if not isinstance(target, str):
            raise TypeError(f"target must be a style name (str), got {type(target).__name__}: use domain= for indices")
        if self.styles is None:
            raise ValueError(f"this {type(self).__name__} was built without style names: pass domain= (or rebuild it with styles=)")
        names = self.styles[1:] if self.num_domains is None else self.styles
        if target not in names:
            import difflib

            close = difflib.get_close_matches(target, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ValueError(f"unknown target style {target!r}: {hint}this model translates to {', '.join(names)}")
        return None if self.num_domains is None else self.styles.index(target)

    def translate(self, images, target=None, domain=None, batch_size=64):
        """G on float images in [-1, 1] (N, H, W, C): numpy float32 translations.

        ``target``: the output style by name (``model.styles``); a
        one-direction model accepts only its own target style (or None).
        ``domain``: the target domain index (one int or one per image) of a
        multi-domain model, instead of ``target``; must be None for a
        one-direction model.
        """
        if target is not None:
            if domain is not None:
                raise ValueError("give target= (a style name) or domain= (an index), not both")
            domain = self.target_domain(target)
        images = self.check_images(images, "images")
        if self.num_domains is None:
            if domain is not None:
                raise ValueError(f"{type(self).__name__} translates in one direction: drop domain=")
        else:
            if domain is None:
                raise ValueError(f"pass domain= (an int in [0, {self.num_domains - 1}]) to choose the target domain")
            domain = np.asarray(domain)
            if domain.dtype.kind not in "iu":
                raise TypeError(f"domain must be integer domain indices, got dtype {domain.dtype}")
            domain = np.broadcast_to(domain, (len(images),)).astype("int32")
            if domain.size and (domain.min() < 0 or domain.max() >= self.num_domains):
                raise ValueError(f"domain must lie in [0, {self.num_domains - 1}], got {domain.min()} to {domain.max()}")
        out = []
        for start in range(0, len(images), batch_size):
            d = None if domain is None else domain[start : start + batch_size]
            out.append(keras.ops.convert_to_numpy(self._translate(images[start : start + batch_size], d, training=False)))
        return np.concatenate(out, axis=0) if out else np.zeros((0, *self.output_shape_), "float32")

    def serving_endpoints(self):
        """Images in, images out (float and uint8); see ``kerasgan.export.translation_endpoints``."""
        from kerasgan import export as export_lib

        return export_lib.translation_endpoints(self.generator, self.image_shape, self.num_domains)

    def export(self, filepath, format="savedmodel", quantize=None, overwrite=False):
        """Exports the generator for serving (SavedModel or TFLite); see ``kerasgan.export``."""
        from kerasgan import export as export_lib

        return export_lib.export(self, filepath, format=format, quantize=quantize, overwrite=overwrite)

    # ------------------------------------------------------------ config
    def get_config(self):
        styles = {} if self.styles is None else {"styles": list(self.styles)}
        if getattr(self, "_arch_config", None) is not None:
            return {"name": self.name, "seed": self.seed, **self._arch_config, **styles}
        return {
            **styles,
            "adversarial_weight": self.adversarial_weight,
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "image_shape": list(self.image_shape),
            "l1_weight": self.l1_weight,
            "d_sees_source": self.d_sees_source,
            "num_domains": self.num_domains,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = {key: value for key, value in config.items() if key not in cls._derived_config_keys}
        if "generator" in config:
            config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
            config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
