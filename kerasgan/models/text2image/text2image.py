"""Text -> image: GAN-CLS (Reed et al. 2016) with StackGAN's conditioning augmentation, on emoji captions.

The text encoder is trained here, before the GAN, on the emoji's own
captions (Unicode name, CLDR annotation, CLDR keyword tags): a bag-of-words
encoder (word embeddings, their masked mean, two dense layers, L2-normalised
output) and an image encoder (four stride-2 convs, global average pooling)
learn a joint embedding with a symmetric contrastive loss (InfoNCE,
temperature 0.07; images of the same emoji in other styles count as
matches) -- the role of Reed et al.'s deep structured joint embedding
(DS-SJE), with a bag of words instead of their char-CNN-RNN. The first
``encoder_steps`` steps of ``fit`` train it; then it is frozen and the GAN
trains on its embeddings phi(t).

G: phi(t) -> conditioning augmentation (Zhang et al. 2017: a dense layer
gives mu(phi) and log sigma(phi); c = mu + sigma * eps while training, c = mu
when sampling; G's loss adds kl_weight * KL(N(mu, sigma^2) || N(0, I))),
concatenated with z, then a DCGAN generator to 64x64.
D: a DCGAN discriminator trunk down to 4x4; phi(t) compressed to
``text_dim`` units (leaky ReLU), replicated over the 4x4 positions and
concatenated (Reed et al., section 4.1), a 1x1 conv and a 4x4 conv to one logit.
The matching-aware loss (GAN-CLS, Algorithm 1) also shows D real images with
a mismatched caption (the batch's captions rolled by one; a pair whose
captions coincide is left out) as fakes:
L_D = log D(x, h) + (log(1 - D(x, h_wrong)) + log(1 - D(G(z, h), h))) / 2.
"""

import numpy as np
import tensorflow as tf

import keras

from kerasgan.models import common
from kerasgan.models.dcgan.dcgan import _check_image_shape, dcgan_discriminator, dcgan_generator
from kerasgan.models.gan import GAN
from kerasgan.models.registry import register_architecture
from kerasgan.models.text2image.text import Vocabulary

#: Temperature of the joint embedding's contrastive loss (as CLIP's initial value).
TEMPERATURE = 0.07


@keras.saving.register_keras_serializable(package="kerasgan")
class L2Normalize(keras.layers.Layer):
    """Scales each row to unit L2 norm (on the last axis)."""

    def call(self, x):
        x = keras.ops.cast(x, "float32")
        return x / keras.ops.sqrt(keras.ops.sum(keras.ops.square(x), axis=-1, keepdims=True) + 1e-12)


@keras.saving.register_keras_serializable(package="kerasgan")
class MeanOfWords(keras.layers.Layer):
    """``[word vectors (N, T, D), token ids (N, T)]`` -> the mean of the vectors of non-padding tokens (N, D).

    A caption without a known word (all padding) gives zeros, not the NaN of a
    masked average over nothing.
    """

    def call(self, inputs):
        vectors, tokens = inputs
        present = keras.ops.cast(keras.ops.greater(tokens, 0), vectors.dtype)[..., None]
        count = keras.ops.maximum(keras.ops.sum(present, axis=1), 1.0)
        return keras.ops.sum(vectors * present, axis=1) / count

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], input_shapes[0][-1])


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditioningAugmentation(keras.layers.Layer):
    """StackGAN's conditioning augmentation: c = mu(phi) + sigma(phi) * eps (eps ~ N(0, I) in training; c = mu otherwise).

    ``moments(phi)`` gives ``(mu, log_sigma)`` for the KL term.

    Reference:
        Zhang et al., "StackGAN: Text to Photo-realistic Image Synthesis with
        Stacked Generative Adversarial Networks", ICCV 2017 (arXiv:1612.03242), section 3.1.
    """

    def __init__(self, units, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.seed = seed
        self.dense = keras.layers.Dense(2 * self.units, name="moments")
        self.seed_generator = keras.random.SeedGenerator(seed, name="ca_seed")

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.built = True

    def moments(self, phi):
        out = keras.ops.cast(self.dense(phi), "float32")
        return out[:, : self.units], out[:, self.units :]

    def call(self, phi, training=False):
        mu, log_sigma = self.moments(phi)
        if not training:
            return mu
        eps = keras.random.normal(keras.ops.shape(mu), seed=self.seed_generator)
        return mu + keras.ops.exp(log_sigma) * eps

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "seed": self.seed}


def text_encoder(vocab_size, max_tokens=24, embed_dim=128, width=256):
    """Token ids ``(N, max_tokens)`` (0 = padding) -> unit-norm embeddings ``(N, embed_dim)``: a bag of words."""
    tokens = keras.Input((int(max_tokens),), dtype="int32", name="tokens")
    x = keras.layers.Embedding(int(vocab_size) + 1, width, name="words")(tokens)
    x = MeanOfWords(name="mean_of_words")([x, tokens])
    x = keras.layers.Dense(width, activation="relu", name="hidden")(x)
    x = keras.layers.Dense(int(embed_dim), name="project")(x)
    return keras.Model(tokens, L2Normalize(dtype="float32", name="unit")(x), name="text_encoder")


def image_encoder(image_shape=(64, 64, 3), embed_dim=128, width=32):
    """Images -> unit-norm embeddings in the text encoder's space (for its training and for retrieval scores)."""
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for i in range(4):
        x = keras.layers.Conv2D(width * 2**i, 4, strides=2, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dense(int(embed_dim), name="project")(x)
    return keras.Model(images, L2Normalize(dtype="float32", name="unit")(x), name="image_encoder")


def _frozen(model):
    model.trainable = False
    return model


def text2image_generator(image_shape, latent_dim, encoder, condition_dim=128, width=None, seed=None):
    """``[z, tokens] -> images``: frozen phi(t), conditioning augmentation, concatenated with z, DCGAN generator."""
    z = keras.Input((int(latent_dim),), name="z")
    tokens = keras.Input(encoder.input.shape[1:], dtype="int32", name="tokens")
    c = ConditioningAugmentation(condition_dim, seed=seed, name="conditioning_augmentation")(encoder(tokens))
    zc = keras.layers.Concatenate(name="z_and_condition")([z, c])
    body = dcgan_generator(tuple(image_shape), int(latent_dim) + int(condition_dim), width)
    return keras.Model([z, tokens], body(zc), name="text2image_generator")


def text2image_discriminator(image_shape, encoder, text_dim=128, width=None):
    """``[images, tokens] -> logit``: a DCGAN trunk to 4x4, phi(t) compressed and replicated, 1x1 then 4x4 conv."""
    size, _ = _check_image_shape(image_shape)
    trunk = dcgan_discriminator(tuple(image_shape), width)
    last = [layer for layer in trunk.layers if layer.name.endswith("_lrelu")][-1]
    features = keras.Model(trunk.input, last.output, name="d_trunk")
    images = keras.Input(tuple(image_shape), name="images")
    tokens = keras.Input(encoder.input.shape[1:], dtype="int32", name="tokens")
    h = features(images)
    if tuple(h.shape[1:3]) != (4, 4):
        raise ValueError(f"text -> image needs a discriminator trunk that ends at 4x4 (64x64 or 32x32 images), got {tuple(h.shape[1:3])}")
    t = keras.layers.LeakyReLU(0.2, name="text_lrelu")(keras.layers.Dense(int(text_dim), name="text_compress")(encoder(tokens)))
    t = keras.layers.Reshape((1, 1, int(text_dim)), name="text_map")(t)
    t = keras.layers.UpSampling2D((4, 4), name="text_replicate")(t)
    x = keras.layers.Concatenate(name="image_and_text")([h, t])
    x = keras.layers.Conv2D(int(h.shape[-1]), 1, name="joint")(x)
    x = keras.layers.LeakyReLU(0.2, name="joint_lrelu")(keras.layers.BatchNormalization(name="joint_bn")(x))
    logits = keras.layers.Conv2D(1, 4, padding="valid", dtype="float32", name="logit_conv")(x)
    return keras.Model([images, tokens], keras.layers.Flatten(name="logits")(logits), name="text2image_discriminator")


@register_architecture("text2image")
@keras.saving.register_keras_serializable(package="kerasgan")
class TextToImageGAN(GAN):
    """GAN-CLS with conditioning augmentation: images from captions.

    Args:
        image_shape: (H, W, C), 64x64 or 32x32 (DCGAN layouts).
        vocabulary: the known words (a list, or a ``Vocabulary``); default:
            every word of the emoji train split's captions.
        max_tokens: the most words a caption may have (24).
        latent_dim: z's size (Reed et al.: 100).
        embed_dim: size of phi(t) (the joint embedding).
        condition_dim: size of the augmented condition c (StackGAN: 128).
        text_dim: phi(t)'s compressed size in D (Reed et al.: 128).
        g_width, d_width: DCGAN widths.
        kl_weight: weight of the conditioning augmentation's KL term (StackGAN: 1).
        encoder_steps: steps of the text encoder's joint-embedding training at the start of ``fit``.
        styles: the emoji styles ``kerasgan train`` loads (default the three colour styles); kept in the config.
        seed: seed of the model's random draws.

    Example:
    >>> gan = TextToImageGAN(image_shape=(64, 64, 3))
    >>> gan.compile()
    >>> gan.fit(kerasgan.data.load_captioned(gan.vocabulary, batch_size=64), epochs=1, steps_per_epoch=1000)
    >>> gan.sample(4, seed=0, text="smiling cat face").shape
    (4, 64, 64, 3)

    References:
        Reed et al., "Generative Adversarial Text to Image Synthesis", ICML
        2016 (arXiv:1605.05396); Zhang et al., "StackGAN", ICCV 2017 (arXiv:1612.03242).
    """

    recipe = {**GAN.recipe, "batch_size": 64}
    auxiliary_metrics = ("d_mismatch",)

    # set by the architecture itself: from_config drops them, the constructor refuses them
    _derived_config_keys = ("generator", "discriminator", "latent_distribution", "num_classes")

    def __init__(self, image_shape=(64, 64, 3), vocabulary=None, max_tokens=24, latent_dim=100, embed_dim=128,
                 condition_dim=128, text_dim=128, g_width=None, d_width=None, kl_weight=1.0, encoder_steps=2000,
                 styles=None, seed=None, **kwargs):
        if vocabulary is None:
            from kerasgan import data

            _, captions = data.emoji_captions("train")
            vocabulary = Vocabulary.from_captions([c for cs in captions for c in cs], max_tokens)
        elif not isinstance(vocabulary, Vocabulary):
            vocabulary = Vocabulary(list(vocabulary), max_tokens)
        if isinstance(encoder_steps, bool) or int(encoder_steps) != encoder_steps or encoder_steps < 0:
            raise ValueError(f"encoder_steps must be an integer >= 0, got {encoder_steps!r}")
        if not np.isfinite(float(kl_weight)) or float(kl_weight) < 0:
            raise ValueError(f"kl_weight must be a finite number >= 0, got {kl_weight!r}")
        image_shape = tuple(int(d) for d in image_shape)
        self.vocabulary = vocabulary
        self.kl_weight, self.encoder_steps = float(kl_weight), int(encoder_steps)
        self._arch_config = {
            "image_shape": image_shape, "vocabulary": list(vocabulary.words), "max_tokens": vocabulary.max_tokens,
            "latent_dim": int(latent_dim), "embed_dim": int(embed_dim), "condition_dim": int(condition_dim),
            "text_dim": int(text_dim), "g_width": g_width, "d_width": d_width, "kl_weight": self.kl_weight,
            "encoder_steps": self.encoder_steps,
        }
        self.styles = None if styles is None else [str(st) for st in styles]
        if self.styles is not None:
            self._arch_config["styles"] = self.styles
        self.text_encoder = _frozen(text_encoder(len(vocabulary), vocabulary.max_tokens, int(embed_dim)))
        self.image_encoder = image_encoder(image_shape, int(embed_dim))
        common.refuse_derived(type(self), kwargs)
        super().__init__(
            generator=text2image_generator(image_shape, int(latent_dim), self.text_encoder, int(condition_dim), g_width, seed),
            discriminator=text2image_discriminator(image_shape, self.text_encoder, int(text_dim), d_width),
            latent_dim=int(latent_dim),
            seed=seed,
            **kwargs,
        )
        with common.unlocked(self):  # state added after GAN.__init__ built the model
            #: Steps of joint-embedding training done (saved: a resumed run does not repeat them).
            self.encoder_steps_done = keras.Variable(0, dtype="int32", trainable=False, name="encoder_steps_done")

    # ------------------------------------------------------------ the condition: a caption's tokens
    @property
    def conditional(self):
        return True

    def dummy_labels(self, n):
        return tf.ones((n, self.vocabulary.max_tokens), tf.int32)

    def tokenize(self, text, num=None):
        """Token ids ``(num, max_tokens)`` of ``text`` (one str for all, or one per image); one-line errors for bad text."""
        if isinstance(text, str):
            text = [text] * (1 if num is None else int(num))
        text = list(text)
        if num is not None and len(text) != int(num):
            raise ValueError(f"give one text for all images or one per image ({num}), got {len(text)}")
        return self.vocabulary.encode(text, strict=True)

    def check_labels(self, labels, num, what="labels"):
        """Captions as token ids ``(num, max_tokens)``: from texts (str or list of str) or from token ids."""
        if labels is None:
            raise ValueError(f"this GAN draws images from captions: pass text=\"...\" (one for all, or one per image)")
        if isinstance(labels, str) or (isinstance(labels, (list, tuple)) and labels and isinstance(labels[0], str)):
            return self.tokenize(labels, num)
        values = np.asarray(labels)
        if values.dtype.kind not in "iu" or values.ndim not in (1, 2) or values.shape[-1] != self.vocabulary.max_tokens:
            raise ValueError(f"{what} must be captions (str) or token ids of shape ({num}, {self.vocabulary.max_tokens}), got {values.dtype} {values.shape}")
        values = np.broadcast_to(values, (num, values.shape[-1]))
        if values.min() < 0 or values.max() > len(self.vocabulary):
            raise ValueError(f"token ids must lie in [0, {len(self.vocabulary)}]")
        return values.astype("int32")

    def sample(self, num, seed=None, batch_size=256, text=None, labels=None, truncation=None, ema=True):
        """``num`` images for ``text`` (one caption for all, or one per image); the same seed, the same images."""
        return super().sample(num, seed, batch_size, labels=self._condition(text, labels), truncation=truncation, ema=ema)

    def iter_samples(self, num, seed=None, batch_size=256, text=None, labels=None, truncation=None, ema=True):
        return super().iter_samples(num, seed, batch_size, labels=self._condition(text, labels), truncation=truncation, ema=ema)

    def generate(self, z, batch_size=256, text=None, labels=None, ema=True):
        """Images for latents ``z`` and captions ``text`` (or token ids ``labels``)."""
        return super().generate(z, batch_size, labels=self._condition(text, labels), ema=ema)

    @staticmethod
    def _condition(text, labels):
        if text is not None and labels is not None:
            raise ValueError("give text= (captions) or labels= (token ids), not both")
        return text if text is not None else labels

    def embed_text(self, text):
        """phi(t): unit-norm text embeddings (N, embed_dim) of captions (str or list of str) or of token ids (N, max_tokens)."""
        if isinstance(text, str) or (isinstance(text, (list, tuple)) and text and isinstance(text[0], str)):
            tokens = self.tokenize(text)
        else:
            tokens = self.check_labels(text, len(np.asarray(text)), what="token ids")
        return keras.ops.convert_to_numpy(self.text_encoder(tokens, training=False))

    def embed_images(self, images, batch_size=256):
        """Unit-norm image embeddings (N, embed_dim) in the text encoder's space."""
        self.check_images(images)
        images = np.asarray(images, "float32")
        out = [keras.ops.convert_to_numpy(self.image_encoder(images[i : i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.text_encoder.output.shape[-1]), "float32")

    # ------------------------------------------------------------ data
    @property
    def networks(self):
        return {"generator": self.generator, "discriminator": self.discriminator, "text_encoder": self.text_encoder,
                "image_encoder": self.image_encoder}

    def _unpack(self, data):
        if isinstance(data, dict):
            return data["images"], data.get("tokens", data.get("labels")), data.get("z")
        return super()._unpack(data)

    _BATCH_KEYS = ("images", "labels", "tokens", "z")

    @classmethod
    def training_data(cls, config, batch_size, seed, repeat=True, image_size=None):
        """``kerasgan train``'s data: ``data.load_captioned`` of the model's vocabulary and ``model_args["styles"]``."""
        from kerasgan import data

        common.require_emoji_set(config, image_size, "the captioned emoji", "fit in Python on {'images', 'tokens'} batches")
        args = dict(config.get("model_args") or {})
        styles = args.get("styles") or data.EMOJI_COLOUR_STYLES
        vocabulary = cls._vocabulary_of(args)
        return data.load_captioned(vocabulary, styles, batch_size=batch_size, seed=seed, repeat=repeat)

    @staticmethod
    def _vocabulary_of(args):
        from kerasgan import data

        if args.get("vocabulary"):
            return Vocabulary(args["vocabulary"], args.get("max_tokens", 24))
        _, captions = data.emoji_captions("train")
        return Vocabulary.from_captions([c for cs in captions for c in cs], args.get("max_tokens", 24))

    def preview_function(self, config, seed):
        """8 rows of 8 samples, one row per fixed caption (test-split names)."""
        from kerasgan import data

        _, captions = data.emoji_captions("test")
        texts = [captions[i][0] for i in np.linspace(0, len(captions) - 1, 8).astype(int)]
        tokens = np.repeat(self.vocabulary.encode(texts, strict=False), 8, axis=0)
        z = self.latents(64, seed=seed)
        return lambda: (self.generate(z, labels=tokens), 8)

    # ------------------------------------------------------------ the text encoder's phase
    def fit(self, x=None, y=None, batch_size=None, epochs=1, shuffle=True, **kwargs):
        """Trains the text encoder's joint embedding first (``encoder_steps``, once), then the GAN on ``x``.

        ``x``: a dataset of dict batches ``{"images", "tokens"}`` (and
        ``"emoji"``: which images show the same emoji), e.g.
        ``kerasgan.data.load_captioned(gan.vocabulary)``, or images with ``y`` token ids.
        """
        if not getattr(self, "compiled", False):
            raise ValueError("the GAN is not compiled: call gan.compile() (or gan.compile(...))")
        remaining = self.encoder_steps - int(self.encoder_steps_done.numpy())
        if remaining > 0:
            dataset = self._as_dataset(x, y, batch_size, shuffle)
            self.train_text_encoder(dataset, remaining, verbose=kwargs.get("verbose", "auto"))
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=shuffle, **kwargs)

    def train_text_encoder(self, dataset, steps, learning_rate=1e-3, verbose=0):
        """``steps`` steps of the joint embedding (text and image encoders, symmetric InfoNCE) on ``dataset``'s batches."""
        self.text_encoder.trainable = True
        try:
            variables = self.text_encoder.trainable_variables + self.image_encoder.trainable_variables
            optimizer = keras.optimizers.Adam(learning_rate)
            optimizer.build(variables)

            @tf.function
            def step(images, tokens, emoji):
                with tf.GradientTape() as tape:
                    loss = joint_embedding_loss(self.image_encoder(images, training=True),
                                                self.text_encoder(tokens, training=True), emoji)
                optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
                return loss

            done, loss = 0, None
            while done < steps:
                for batch in dataset:
                    images, tokens, _ = self._unpack(batch)
                    emoji = batch.get("emoji") if isinstance(batch, dict) else None
                    if emoji is None:  # without emoji ids, each row matches only its own caption
                        emoji = tf.range(tf.shape(images)[0])
                    loss = step(images, tokens, emoji)
                    done += 1
                    self.encoder_steps_done.assign_add(1)
                    if done >= steps:
                        break
                if done == 0:
                    raise ValueError("the training dataset is empty")
            if verbose:
                print(f"text encoder: {done} joint-embedding steps, last loss {float(loss):.4f}")
        finally:
            self.text_encoder.trainable = False
        return float(loss)

    # ------------------------------------------------------------ losses
    def compute_discriminator_loss(self, batch):
        from kerasgan import losses as losses_lib

        if not losses_lib.outputs_are_probabilities(self.d_loss_fn):
            raise ValueError("GAN-CLS's matching-aware loss is defined for the sigmoid losses: compile with loss='modified' or 'minimax'")
        right_and_fake = super().compute_discriminator_loss(batch)  # log D(x, h) + log(1 - D(G(z, h), h))
        fake_term = tf.nn.compute_average_loss(tf.nn.softplus(tf.reshape(tf.cast(batch.fake_logits, tf.float32), [-1])))
        return right_and_fake - 0.5 * fake_term  # the mismatch half comes from compute_auxiliary_terms

    def compute_auxiliary_terms(self, player, batch):
        if player != "discriminator":
            return {}
        tokens = tf.cast(batch.labels, tf.int32)
        wrong = tf.roll(tokens, 1, axis=0)
        keep = tf.cast(tf.reduce_any(tf.not_equal(wrong, tokens), axis=1), tf.float32)
        logits = tf.reshape(tf.cast(self.discriminator([tf.convert_to_tensor(batch.real_seen), wrong], training=True), tf.float32), [-1])
        return {"d_mismatch": 0.5 * tf.nn.compute_average_loss(keep * tf.nn.softplus(logits))}

    def compute_generator_penalty(self, batch):
        penalty = super().compute_generator_penalty(batch)
        if not self.kl_weight:
            return penalty
        ca = self.generator.get_layer("conditioning_augmentation")
        mu, log_sigma = ca.moments(self.text_encoder(tf.cast(batch.labels, tf.int32), training=False))
        kl = 0.5 * tf.reduce_sum(tf.square(mu) + tf.exp(2.0 * log_sigma) - 2.0 * log_sigma - 1.0, axis=1)
        return penalty + self.kl_weight * tf.nn.compute_average_loss(kl)

    # ------------------------------------------------------------ serving
    def serving_endpoints(self):
        """``serving_default``: z + token ids -> images; ``sample``: num, seed, token ids (one row per image) -> uint8
        images; ``sample_text``: num, seed, captions (one string per image) -> uint8 images and the token ids read.

        ``sample_text`` tokenises inside the graph as ``Vocabulary.encode(strict=False)`` does (lower-case, runs of
        a-z and 0-9, unknown words dropped, at most ``max_tokens`` words), so a server needs no kerasgan; it does not
        refuse captions without a known word (their ids are all 0: check ``tokens``).
        """
        from kerasgan.export import to_uint8
        from kerasgan.models.gan import stateless_latents

        generator, length = self.serving_generator(), self.vocabulary.max_tokens
        words = self.vocabulary.words
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(tf.constant(words), tf.range(1, len(words) + 1, dtype=tf.int32)), default_value=0
        )

        def images_fn(z, tokens):
            return {"images": tf.cast(generator([z, tokens], training=False), tf.float32)}

        def sample_fn(num, seed, tokens):
            z = stateless_latents(self.latent_dim, self.latent_distribution, num, seed)
            return {"images": to_uint8(generator([z, tokens], training=False))}

        def sample_text_fn(num, seed, text):
            spaced = tf.strings.regex_replace(tf.strings.lower(text, encoding="utf-8"), "[^a-z0-9]+", " ")
            ids = table.lookup(tf.strings.split(tf.strings.strip(spaced)))
            tokens = tf.ragged.boolean_mask(ids, ids > 0).to_tensor(default_value=0, shape=[None, length])
            z = stateless_latents(self.latent_dim, self.latent_distribution, num, seed)
            return {"images": to_uint8(generator([z, tokens], training=False)), "tokens": tokens}

        token_spec = tf.TensorSpec([None, length], tf.int32, name="tokens")
        num_seed = [tf.TensorSpec([], tf.int32, name="num"), tf.TensorSpec([], tf.int64, name="seed")]
        return {
            "track": [generator, table],
            "endpoints": {
                "serving_default": (images_fn, [tf.TensorSpec([None, self.latent_dim], tf.float32, name="z"), token_spec]),
                "sample": (sample_fn, [*num_seed, token_spec]),
                "sample_text": (sample_text_fn, [*num_seed, tf.TensorSpec([None], tf.string, name="text")]),
            },
        }


def joint_embedding_loss(image_embeddings, text_embeddings, emoji, temperature=TEMPERATURE):
    """Symmetric InfoNCE between unit-norm image and text embeddings; rows with the same ``emoji`` id all match.

    The cross-entropy of each image's softmax over the batch's captions (and
    each caption's over the images) to the uniform distribution over its matches.
    """
    sims = tf.matmul(tf.cast(image_embeddings, tf.float32), tf.cast(text_embeddings, tf.float32), transpose_b=True) / temperature
    emoji = tf.reshape(emoji, [-1])
    match = tf.cast(tf.equal(emoji[:, None], emoji[None, :]), tf.float32)
    targets = match / tf.reduce_sum(match, axis=1, keepdims=True)
    image_to_text = tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=sims)
    text_to_image = tf.nn.softmax_cross_entropy_with_logits(labels=tf.transpose(targets), logits=tf.transpose(sims))
    return tf.reduce_mean(image_to_text + text_to_image) / 2.0
