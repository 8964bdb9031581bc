"""Tools over the latent space of trained models: interpolation, vector arithmetic, inversion, closed-form directions.

Each works on any kerasgan model with a latent space (``gan.latent_dim`` and
``gan.generate``); the style-based models add W and W+ inversion.

- ``interpolate_latents`` / ``interpolate``: linear or spherical (slerp, White
  2016) paths between two latents, and their images.
- ``arithmetic``: vector arithmetic on averaged latents (Radford et al. 2016,
  section 6.3: "smiling woman - neutral woman + neutral man").
- ``invert``: latents whose images match given images, by gradient descent
  on a pixel (and optionally a feature) loss, from random draws, the average
  w, or an encoder's codes where the model has one (BiGAN).
- ``sefa``: closed-form semantic directions (Shen & Zhou 2021, "Closed-Form
  Factorization of Latent Semantics in GANs"): the top eigenvectors of
  ``A^T A`` for the first layer ``A`` that reads z.
- ``discover_directions``: unsupervised discovery of interpretable directions
  (Voynov & Babenko 2020): a direction matrix and a reconstructor trained so
  that the reconstructor can tell which direction, and how far, moved an image.
"""

import numpy as np

METHODS = ("slerp", "lerp")
SPACES = ("z", "w", "w+")
INVERSION_LOSSES = ("pixel", "pixel+features")


def _latent_model(gan):
    if getattr(gan, "latent_dim", None) is None or not hasattr(gan, "generate"):
        raise ValueError(
            f"{type(gan).__name__} has no latent space to work in (no latent_dim/generate): use a latent -> image model "
            f"such as kerasgan.zoo.load('dcgan_mnist')"
        )
    return gan


def _vector(z, dim, name):
    z = np.asarray(z, "float64")
    if z.shape != (dim,) or not np.all(np.isfinite(z)):
        raise ValueError(f"{name} must be one finite latent vector of shape ({dim},), got shape {np.shape(z)}")
    return z


def interpolate_latents(z0, z1, steps=8, method="slerp"):
    """``steps`` latents from ``z0`` to ``z1`` (both included), float32 (steps, dim).

    ``slerp`` follows the great circle (norms interpolated linearly), which
    keeps Gaussian latents at typical norms; ``lerp`` the straight line.
    """
    if method not in METHODS:
        raise ValueError(f"unknown interpolation method {method!r}: choose one of {', '.join(METHODS)}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (the two ends included), got {steps!r}")
    z0 = np.asarray(z0, "float64")
    z1 = _vector(z1, z0.shape[-1] if z0.ndim == 1 else -1, "z1")
    z0 = _vector(z0, z1.shape[0], "z0")
    t = np.linspace(0.0, 1.0, int(steps))[:, None]
    if method == "lerp":
        return ((1 - t) * z0 + t * z1).astype("float32")
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        return ((1 - t) * z0 + t * z1).astype("float32")
    u0, u1 = z0 / n0, z1 / n1
    omega = np.arccos(np.clip(np.dot(u0, u1), -1.0, 1.0))
    if omega < 1e-6:  # (anti)parallel to machine precision: the line is the path
        return ((1 - t) * z0 + t * z1).astype("float32")
    direction = (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)
    return (direction * ((1 - t) * n0 + t * n1)).astype("float32")


def interpolate(gan, z0, z1, steps=8, method="slerp", labels=None):
    """Images along the path from ``z0`` to ``z1`` (``interpolate_latents``), (steps, H, W, C) in [-1, 1].

    A conditional model takes ``labels`` (one class for the whole path, or one per step).
    """
    _latent_model(gan)
    z = interpolate_latents(_vector(z0, gan.latent_dim, "z0"), _vector(z1, gan.latent_dim, "z1"), steps, method)
    if labels is not None and np.ndim(labels) == 0:
        labels = np.full(len(z), int(labels))
    return gan.generate(z, labels=labels)


def arithmetic(gan, groups, signs, labels=None):
    """Vector arithmetic on averaged latents: ``z = sum_i signs[i] * mean(groups[i])`` and its image.

    Args:
        groups: a list of latent arrays (n_i, latent_dim), e.g. the latents of
            three samples each of "smiling woman", "neutral woman", "neutral man".
        signs: +1 or -1 per group (e.g. ``[1, -1, 1]``).

    Returns:
        ``(z, image)``: the latent (latent_dim,) and its image (H, W, C).
    """
    _latent_model(gan)
    if len(groups) != len(signs) or not groups:
        raise ValueError(f"give one sign per group of latents: got {len(groups)} groups and {len(signs)} signs")
    if any(s not in (1, -1) for s in signs):
        raise ValueError(f"signs must be +1 or -1, got {list(signs)}")
    total = np.zeros(gan.latent_dim)
    for group, sign in zip(groups, signs):
        group = np.asarray(group, "float64")
        if group.ndim != 2 or group.shape[1] != gan.latent_dim or len(group) == 0:
            raise ValueError(f"each group must be latents of shape (n, {gan.latent_dim}) with n >= 1, got {group.shape}")
        total += sign * group.mean(axis=0)
    z = total.astype("float32")
    image = gan.generate(z[None], labels=None if labels is None else np.atleast_1d(labels))[0]
    return z, image


def _first_latent_kernel(gan):
    """The first generator weight that reads z: a (k >= latent_dim, units) kernel, cut to its latent rows."""
    generator = gan.generator
    for variable in generator.trainable_variables:
        shape = tuple(variable.shape)
        if len(shape) == 2 and shape[0] >= gan.latent_dim and "embedding" not in variable.path:
            return np.asarray(variable)[: gan.latent_dim]
    raise ValueError(f"{type(gan).__name__}'s generator has no dense layer reading z: SeFa needs one (a DCGAN-style projection)")


def sefa(gan, num=5):
    """The ``num`` closed-form directions of SeFa (Shen & Zhou 2021) in z space, unit vectors (num, latent_dim).

    For the first projection ``y = A z`` of the generator (a Keras kernel
    ``K = A^T``), the directions ``n`` that change ``y`` most under
    ``||n|| = 1`` are the top eigenvectors of ``A^T A = K K^T``; they are
    returned with the largest eigenvalue first, each signed so that its
    largest component is positive. Walk them with ``gan.generate(z + alpha * n)``.
    """
    _latent_model(gan)
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or not 1 <= num <= gan.latent_dim:
        raise ValueError(f"num must be an integer in [1, {gan.latent_dim}] (the latent size), got {num!r}")
    kernel = _first_latent_kernel(gan).astype("float64")
    values, vectors = np.linalg.eigh(kernel @ kernel.T)
    order = np.argsort(values)[::-1][: int(num)]
    directions = vectors[:, order].T
    signs = np.sign(directions[np.arange(len(directions)), np.argmax(np.abs(directions), axis=1)])
    return (directions * signs[:, None]).astype("float32")


def _feature_net(image_shape, loss):
    if loss == "pixel":
        return None
    if tuple(image_shape) != (28, 28, 1):
        raise ValueError(
            f"loss='pixel+features' uses the shipped MNIST classifier's features, which read 28x28x1 images; this model "
            f"makes {tuple(image_shape)}: use loss='pixel'"
        )
    from kerasgan.metrics.mnist_features import FEATURE_LAYER, MNISTClassifier

    import keras

    classifier = MNISTClassifier()
    return keras.Model(classifier.model.input, classifier.model.get_layer(FEATURE_LAYER).output)


def invert(gan, images, space="z", steps=200, learning_rate=0.05, loss="pixel", feature_weight=0.1, seed=0, labels=None,
           init=None):
    """Latents whose images reconstruct ``images`` (GAN inversion by optimisation).

    Args:
        gan: a latent model; ``space="w"`` / ``"w+"`` need a style-based one
            (``StyleGAN``, ``StyleGAN2``).
        images: float images in [-1, 1] of the model's image shape, (N, H, W, C).
        space: ``"z"`` (returns (N, latent_dim) for ``gan.generate``), ``"w"``
            ((N, w_dim) for ``gan.synthesis``) or ``"w+"`` (one w per synthesis
            layer, (N, num_layers, w_dim), for ``gan.synthesis``).
        steps: Adam steps.
        learning_rate: Adam's rate.
        loss: ``"pixel"`` (mean squared error) or ``"pixel+features"`` (plus
            ``feature_weight`` times the squared distance of the shipped MNIST
            classifier's 128-d features; 28x28x1 models).
        seed: seed of the random z start.
        labels: classes of a conditional model.
        init: starting latents; default an encoder's codes when the model has
            ``encode`` (BiGAN), the average w for W/W+, else N(0, I) draws.

    Returns:
        float32 numpy latents of the shape given for ``space``.
    """
    import keras
    import tensorflow as tf

    from kerasgan.utils.images import check_image_batch

    _latent_model(gan)
    if space not in SPACES:
        raise ValueError(f"unknown latent space {space!r}: choose one of {', '.join(SPACES)}")
    if loss not in INVERSION_LOSSES:
        raise ValueError(f"unknown inversion loss {loss!r}: choose one of {', '.join(INVERSION_LOSSES)}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    styled = hasattr(gan, "synthesis") and hasattr(gan, "w_avg")
    if space != "z" and not styled:
        raise ValueError(f"space={space!r} needs a style-based model (StyleGAN, StyleGAN2); {type(gan).__name__} inverts into 'z'")
    target = tf.constant(check_image_batch(np.asarray(images), gan.image_shape, "images to invert"))
    n = int(target.shape[0])
    y = None if labels is None else tf.constant(gan.check_labels(labels, n))
    features = _feature_net(gan.image_shape, loss)
    if space == "z":
        if init is None:
            init = gan.encode(np.asarray(target)) if hasattr(gan, "encode") else np.random.default_rng(seed).standard_normal((n, gan.latent_dim))
        generator = gan.serving_generator()

        def render(latent):
            return generator(latent if y is None else [latent, y], training=False)
    else:
        synthesis = gan.serving_generator().get_layer("synthesis")
        if init is None:
            init = np.repeat(gan.w_avg[None], n, axis=0)
            if space == "w+":
                init = np.repeat(init[:, None], gan.num_layers, axis=1)

        def render(latent):
            ws = latent if space == "w+" else tf.repeat(tf.expand_dims(latent, 1), gan.num_layers, axis=1)
            return synthesis(ws, training=False)

    latent = tf.Variable(np.asarray(init, "float32"))
    optimizer = keras.optimizers.Adam(learning_rate)
    target_features = None if features is None else features(target, training=False)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            fake = tf.cast(render(latent), tf.float32)
            value = tf.reduce_mean(tf.square(fake - target))
            if features is not None:
                value += feature_weight * tf.reduce_mean(tf.square(features(fake, training=False) - target_features))
        optimizer.apply_gradients([(tape.gradient(value, latent), latent)])
        return value

    for _ in range(int(steps)):
        step()
    return latent.numpy()


def _reconstructor(image_shape, num, width=32):
    """Voynov & Babenko's reconstructor: (image, shifted image) -> (direction logits (num,), shift (1,))."""
    import keras

    pair = keras.Input((*image_shape[:2], 2 * image_shape[2]), name="pair")
    x = pair
    for i, filters in enumerate((width, 2 * width, 4 * width)):
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", name=f"conv{i}")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{i}_lrelu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(pair, [keras.layers.Dense(num, name="direction")(x), keras.layers.Dense(1, name="shift")(x)],
                       name="reconstructor")


def discover_directions(gan, num=8, steps=1000, batch_size=32, max_shift=6.0, min_shift=0.5, shift_weight=0.25,
                        learning_rate=1e-3, seed=0, return_accuracy=False):
    """Interpretable latent directions found without labels (Voynov & Babenko 2020), unit vectors (num, latent_dim).

    A direction matrix ``A`` (latent_dim x num, unit columns) and a
    reconstructor ``R`` are trained together, with G frozen: for z ~ N(0, I),
    a direction k and a shift eps (|eps| in [min_shift, max_shift]), R sees
    ``(G(z), G(z + eps A_k))`` and must predict k (cross-entropy) and eps
    (mean absolute error, weight ``shift_weight``). Directions that R can tell
    apart are ones that change the image in distinct, consistent ways.

    With ``return_accuracy``, also R's direction accuracy on the last 10% of
    the steps (chance is 1 / num).
    """
    import keras
    import tensorflow as tf

    _latent_model(gan)
    if getattr(gan, "num_classes", None) is not None:
        raise ValueError(f"{type(gan).__name__} is conditional: discover_directions works on unconditional models")
    for name, value in (("num", num), ("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not 0 <= min_shift < max_shift:
        raise ValueError(f"shifts need 0 <= min_shift < max_shift, got {min_shift} and {max_shift}")
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    generator = gan.serving_generator()
    directions = tf.Variable(rng.standard_normal((gan.latent_dim, int(num))).astype("float32"), name="directions")
    reconstructor = _reconstructor(gan.image_shape, int(num))
    optimizer = keras.optimizers.Adam(learning_rate)
    variables = [directions, *reconstructor.trainable_variables]

    @tf.function
    def step(z, k, eps):
        with tf.GradientTape() as tape:
            unit = directions / tf.norm(directions, axis=0, keepdims=True)
            shifted = z + eps[:, None] * tf.transpose(tf.gather(unit, k, axis=1))
            pair = tf.concat([tf.cast(generator(z, training=False), tf.float32),
                              tf.cast(generator(shifted, training=False), tf.float32)], axis=-1)
            logits, shift = reconstructor(pair, training=True)
            ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=k, logits=logits))
            loss = ce + shift_weight * tf.reduce_mean(tf.abs(shift[:, 0] - eps))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), k), tf.float32))

    accuracies = []
    for _ in range(int(steps)):
        z = rng.standard_normal((batch_size, gan.latent_dim)).astype("float32")
        k = rng.integers(0, int(num), batch_size).astype("int32")
        eps = (rng.uniform(min_shift, max_shift, batch_size) * rng.choice([-1.0, 1.0], batch_size)).astype("float32")
        accuracies.append(float(step(z, k, eps)))
    unit = directions.numpy() / np.linalg.norm(directions.numpy(), axis=0, keepdims=True)
    result = unit.T.astype("float32")
    if return_accuracy:
        tail = max(1, len(accuracies) // 10)
        return result, float(np.mean(accuracies[-tail:]))
    return result
