"""How good a learned representation is: nearest-neighbour and linear-probe accuracy.

Pure maths on feature arrays (an encoder's ``E(x)``, a discriminator's
features); the network that makes them lives elsewhere. BiGAN (Donahue et
al. 2016, Table 1) reports 1-NN accuracy on MNIST test images with the
training images as the reference set; the linear probe is the usual second
measure (a multinomial logistic regression on frozen features).
"""

import numpy as np


def _check(features, labels, what):
    features = np.asarray(features, dtype="float64")
    labels = np.asarray(labels)
    if features.ndim != 2:
        raise ValueError(f"{what} features must be (N, D), got shape {features.shape}")
    if labels.shape != (len(features),):
        raise ValueError(f"{what} labels must have shape ({len(features)},), got {labels.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{what} labels must be integer classes, got dtype {labels.dtype}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{what} features contain NaN or Inf")
    return features, labels.astype("int64")


def nearest_neighbour_accuracy(train_features, train_labels, test_features, test_labels, k=1, metric="euclidean", chunk=1024):
    """Share of test points whose k nearest training points vote for their label.

    Args:
        metric: ``"euclidean"`` or ``"cosine"`` (distances between unit vectors).
        k: neighbours voting (ties go to the smallest label).
        chunk: test points per distance block (bounds memory).
    """
    train, train_y = _check(train_features, train_labels, "train")
    test, test_y = _check(test_features, test_labels, "test")
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"train and test features differ in size: {train.shape[1]} vs {test.shape[1]}")
    if metric not in ("euclidean", "cosine"):
        raise ValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}")
    if not 1 <= int(k) <= len(train):
        raise ValueError(f"k must be in [1, {len(train)}], got {k}")
    if metric == "cosine":
        train = train / np.maximum(np.linalg.norm(train, axis=1, keepdims=True), 1e-12)
        test = test / np.maximum(np.linalg.norm(test, axis=1, keepdims=True), 1e-12)
    train_sq = np.sum(train**2, axis=1)
    classes = int(max(train_y.max(), test_y.max())) + 1
    correct = 0
    for start in range(0, len(test), chunk):
        block = test[start : start + chunk]
        # ||a - b||^2 = |a|^2 - 2 a.b + |b|^2 (the |a|^2 term does not change the ranking).
        d = train_sq[None, :] - 2.0 * block @ train.T
        if k == 1:
            predicted = train_y[np.argmin(d, axis=1)]
        else:
            nearest = np.argpartition(d, k - 1, axis=1)[:, :k]
            votes = np.zeros((len(block), classes))
            np.add.at(votes, (np.arange(len(block))[:, None], train_y[nearest]), 1)
            predicted = np.argmax(votes, axis=1)
        correct += int(np.sum(predicted == test_y[start : start + chunk]))
    return correct / len(test)


def linear_probe_accuracy(train_features, train_labels, test_features, test_labels, l2=1e-4, max_iterations=500):
    """Test accuracy of a multinomial logistic regression fitted on standardised train features.

    L-BFGS on the mean cross-entropy plus ``l2 * ||W||^2`` (no penalty on
    biases); features are standardised with the train mean and deviation.
    """
    from scipy.optimize import minimize

    train, train_y = _check(train_features, train_labels, "train")
    test, test_y = _check(test_features, test_labels, "test")
    mean, std = train.mean(0), train.std(0) + 1e-8
    train, test = (train - mean) / std, (test - mean) / std
    n, d = train.shape
    classes = int(max(train_y.max(), test_y.max())) + 1
    onehot = np.eye(classes)[train_y]

    def loss_and_grad(theta):
        w, b = theta[: d * classes].reshape(d, classes), theta[d * classes :]
        logits = train @ w + b
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        loss = -np.mean(np.sum(onehot * np.log(p + 1e-300), axis=1)) + l2 * np.sum(w**2)
        g = (p - onehot) / n
        return loss, np.concatenate([(train.T @ g + 2 * l2 * w).ravel(), g.sum(0)])

    theta = np.zeros(d * classes + classes)
    result = minimize(loss_and_grad, theta, jac=True, method="L-BFGS-B", options={"maxiter": int(max_iterations)})
    w, b = result.x[: d * classes].reshape(d, classes), result.x[d * classes :]
    return float(np.mean(np.argmax(test @ w + b, axis=1) == test_y))


def cluster_accuracy(assignments, labels, mapping="hungarian", num_classes=None):
    """Accuracy of cluster assignments against classes, after mapping clusters to classes.

    Args:
        assignments: (N,) int cluster of each point (InfoGAN's categorical
            code, an AAE's cluster head, k-means).
        labels: (N,) int true classes.
        mapping: ``"hungarian"`` (one-to-one, the best matching of clusters
            to classes; needs no more clusters than classes, as InfoGAN's
            10 codes vs 10 digits) or ``"majority"`` (each cluster takes the
            class most of its points have, so several clusters may share a
            class, as the adversarial autoencoder's 16 clusters, Makhzani
            et al. 2015, section 5.1).
        num_classes: number of classes when some never occur in ``labels``
            (default: the largest label + 1).

    Returns:
        ``(accuracy, mapping dict cluster -> class)``.
    """
    from scipy.optimize import linear_sum_assignment

    assignments, labels = np.asarray(assignments), np.asarray(labels)
    if assignments.shape != labels.shape or assignments.ndim != 1 or not len(labels):
        raise ValueError(f"assignments and labels must be two (N,) arrays of the same length, got {assignments.shape} and {labels.shape}")
    if assignments.dtype.kind not in "iu" or labels.dtype.kind not in "iu":
        raise TypeError(f"assignments and labels must be integers, got {assignments.dtype} and {labels.dtype}")
    if assignments.min() < 0 or labels.min() < 0:
        raise ValueError("clusters and classes must be >= 0")
    clusters, classes = int(assignments.max()) + 1, max(int(labels.max()) + 1, int(num_classes or 0))
    counts = np.zeros((clusters, classes), dtype="int64")
    np.add.at(counts, (assignments, labels), 1)
    if mapping == "majority":
        chosen = {c: int(np.argmax(counts[c])) for c in range(clusters) if counts[c].sum()}
    elif mapping == "hungarian":
        if clusters > classes:
            raise ValueError(f"a one-to-one matching needs no more clusters ({clusters}) than classes ({classes}): use mapping='majority'")
        rows, cols = linear_sum_assignment(-counts)
        chosen = {int(r): int(c) for r, c in zip(rows, cols)}
    else:
        raise ValueError(f"mapping must be 'hungarian' or 'majority', got {mapping!r}")
    correct = sum(int(counts[c, k]) for c, k in chosen.items())
    return correct / len(labels), chosen
