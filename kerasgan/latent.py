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
