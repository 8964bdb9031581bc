"""Representation metrics: nearest-neighbour and linear-probe accuracy on hand-made features."""

import numpy as np
import pytest

from kerasgan.metrics.representation import linear_probe_accuracy, nearest_neighbour_accuracy


def test_one_nearest_neighbour_by_hand():
    train = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    train_y = np.array([0, 1, 2])
    test = np.array([[1.0, 1.0], [9.0, 1.0], [1.0, 6.0], [6.0, 5.0]])
    # nearest: 0, 1, 2, and (6, 5) is at squared distances 61, 41, 61 -> class 1.
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 2, 1])) == 1.0
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 0, 0])) == 0.5
    # chunking does not change the answer
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0, 1, 2, 1]), chunk=1) == 1.0


def test_cosine_ignores_length_and_k_votes():
    train = np.array([[10.0, 0.0], [100.0, 1.0], [0.0, 1.0]])
    train_y = np.array([0, 0, 1])
    test = np.array([[0.5, 0.2]])  # euclidean-nearest is [0, 1] (0.89 vs 90.3); by angle it is [10, 0]
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([1])) == 1.0
    assert nearest_neighbour_accuracy(train, train_y, test, np.array([0]), metric="cosine") == 1.0
    assert nearest_neighbour_accuracy(train, train_y, np.array([[0.1, 1.0]]), np.array([0]), k=3) == 1.0  # 2 votes for 0


def test_linear_probe_separates_separable_classes_and_not_noise():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 5)) * 4
    y = rng.integers(0, 3, 600)
    x = centres[y] + rng.normal(size=(600, 5))
    assert linear_probe_accuracy(x[:400], y[:400], x[400:], y[400:]) > 0.97
    noise = rng.normal(size=(600, 5))
    assert linear_probe_accuracy(noise[:400], y[:400], noise[400:], y[400:]) < 0.5


def test_bad_features_are_one_line_errors():
    with pytest.raises(ValueError, match=r"train labels must have shape \(3,\)"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(2, int), np.zeros((1, 2)), np.zeros(1, int))
    with pytest.raises(ValueError, match="train and test features differ in size: 2 vs 3"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(3, int), np.zeros((1, 3)), np.zeros(1, int))
    with pytest.raises(TypeError, match="labels must be integer classes"):
        linear_probe_accuracy(np.zeros((3, 2)), np.zeros(3), np.zeros((1, 2)), np.zeros(1, int))
    with pytest.raises(ValueError, match="test features contain NaN"):
        nearest_neighbour_accuracy(np.zeros((3, 2)), np.zeros(3, int), np.full((1, 2), np.nan), np.zeros(1, int))


def test_cluster_accuracy_by_hand():
    from kerasgan.metrics.representation import cluster_accuracy

    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    clusters = np.array([2, 2, 1, 0, 0, 1, 1, 2])  # cluster 2 -> class 0, 0 -> 1, 1 -> 2
    accuracy, chosen = cluster_accuracy(clusters, labels)
    assert chosen == {0: 1, 1: 2, 2: 0} and accuracy == pytest.approx(6 / 8)
    # majority: two clusters may share a class
    many = np.array([0, 0, 1, 2, 2, 3, 3, 3])
    accuracy, chosen = cluster_accuracy(many, labels, mapping="majority")
    assert chosen == {0: 0, 1: 0, 2: 1, 3: 2} and accuracy == pytest.approx(1.0)
    with pytest.raises(ValueError, match="use mapping='majority'"):
        cluster_accuracy(many, labels)
    with pytest.raises(TypeError, match="integers"):
        cluster_accuracy(clusters.astype(float), labels)


def test_hungarian_beats_greedy_on_a_crafted_table():
    from kerasgan.metrics.representation import cluster_accuracy

    # counts: cluster 0 -> (class 0: 3, class 1: 2); cluster 1 -> (class 0: 3, class 1: 0)
    # greedy (cluster 0 takes class 0) gives 3 + 0; the best matching is 0 -> 1, 1 -> 0: 2 + 3
    clusters = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 0, 1, 1, 0, 0, 0])
    accuracy, chosen = cluster_accuracy(clusters, labels)
    assert chosen == {0: 1, 1: 0} and accuracy == pytest.approx(5 / 8)


def test_evaluate_representation_on_tiny_models_matches_the_metric_functions():
    import keras

    from kerasgan import data, models
    from kerasgan.metrics.evaluate import evaluate_representation
    from kerasgan.metrics.representation import cluster_accuracy

    keras.utils.set_random_seed(0)
    bigan = models.BiGAN(latent_dim=4, units=16, seed=0)
    result = evaluate_representation(bigan, ["knn"], train_limit=300)
    train_x, train_y = data.load_arrays("mnist", split="train", labels=True)
    test_x, test_y = data.load_arrays("mnist", split="test", labels=True)
    expected = nearest_neighbour_accuracy(bigan.encode(train_x[:300]), train_y[:300], bigan.encode(test_x), test_y)
    assert result["knn"] == pytest.approx(expected) and result["protocol"]["train_images"] == 300
    ssgan = models.SemiSupervisedGAN(g_units=8, d_units=(16,), seed=0)
    errors = evaluate_representation(ssgan, "test_error")["test_error"]
    assert errors["errors"] == int(np.sum(np.argmax(ssgan.classify(test_x), 1) != test_y))
    assert errors["rate"] == pytest.approx(errors["errors"] / len(test_y))
    info = models.InfoGAN(noise_dim=4, g_width=4, d_width=4, seed=0)
    code = evaluate_representation(info, "code_accuracy", num=50)["code_accuracy"]
    assert 0.0 <= code["accuracy"] <= 1.0 and sorted(code["mapping"]) == [str(k) for k in range(10)]
    with pytest.raises(ValueError, match="knn needs a model with encode"):
        evaluate_representation(ssgan, "knn")
    with pytest.raises(ValueError, match="unknown representation metrics"):
        evaluate_representation(bigan, "nn")
    del cluster_accuracy


def test_cluster_labels_take_the_most_confident_image_of_each_cluster():
    from kerasgan.metrics.evaluate import cluster_labels

    probs = np.array([[0.9, 0.1, 0.0], [0.6, 0.4, 0.0], [0.2, 0.3, 0.5], [0.1, 0.8, 0.1], [0.0, 0.2, 0.8]])
    labels = np.array([7, 3, 1, 4, 2])
    # cluster 0: image 0 (0.9) -> 7; cluster 1: image 3 (0.8) -> 4; cluster 2: images 4 (0.8) -> 2
    np.testing.assert_array_equal(cluster_labels(probs, labels), [7, 4, 2])
    with pytest.raises(ValueError, match="one label per row"):
        cluster_labels(probs, labels[:3])


def test_evaluate_cluster_error_of_an_aae_with_clusters():
    import keras

    from kerasgan import data, models
    from kerasgan.metrics.evaluate import cluster_labels, evaluate_representation

    keras.utils.set_random_seed(0)
    aae = models.AdversarialAutoencoder(latent_dim=2, units=16, prior="categorical", clusters=4, seed=0)
    result = evaluate_representation(aae, "cluster_error", train_limit=500)["cluster_error"]
    train_x, train_y = data.load_arrays("mnist", split="train", labels=True)
    test_x, test_y = data.load_arrays("mnist", split="test", labels=True)
    labels = cluster_labels(aae.encode(train_x[:500])[:, :4], train_y[:500])
    expected = int(np.sum(labels[aae.cluster(test_x)] != test_y))
    assert result["errors"] == expected and result["rate"] == pytest.approx(expected / 10000)
    assert result["labels"] == labels.tolist() and 1 <= result["clusters_used"] <= 4
    with pytest.raises(ValueError, match="cluster_error needs a model with num_clusters"):
        evaluate_representation(models.AdversarialAutoencoder(latent_dim=2, units=8, seed=0), "cluster_error")


def test_cli_prints_the_cluster_error(tmp_path, capsys):
    import json

    import keras

    from kerasgan import cli, models

    keras.utils.set_random_seed(0)
    aae = models.AdversarialAutoencoder(latent_dim=2, units=8, prior="categorical", clusters=3, seed=0)
    aae.save(tmp_path / "aae.keras")
    assert cli.main(["eval", str(tmp_path / "aae.keras"), "--metrics", "cluster_error", "--json", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    result = json.loads((tmp_path / "s.json").read_text())["cluster_error"]
    assert f"| cluster test errors | {result['errors']} of 10000 ({100 * result['rate']:.2f} %), {result['clusters_used']} clusters used |" in out
    assert len(result["labels"]) == 3
