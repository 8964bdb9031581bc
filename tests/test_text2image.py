"""Text -> image (GAN-CLS + conditioning augmentation): words, captions, the joint embedding, the losses by hand, use."""

import numpy as np
import pytest

import keras
import tensorflow as tf
from PIL import Image

from kerasgan import cli, data, models, training
from kerasgan.models import GANBatch
from kerasgan.models.text2image import Vocabulary, tokenize
from kerasgan.models.text2image.text2image import joint_embedding_loss

WORDS = ["cat", "dog", "face", "grinning", "smiling"]
TINY = {"image_shape": (32, 32, 3), "vocabulary": WORDS, "max_tokens": 4, "latent_dim": 8, "embed_dim": 8,
        "condition_dim": 4, "text_dim": 4, "g_width": 4, "d_width": 4, "encoder_steps": 1}


def _gan(**kwargs):
    keras.utils.set_random_seed(0)
    return models.TextToImageGAN(**{**TINY, **kwargs}, seed=0)


def _images(n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 32, 32, 3)).astype("float32")


def test_words_and_the_vocabulary():
    assert tokenize("Smiling cat-face! 2") == ["smiling", "cat", "face", "2"]
    vocab = Vocabulary(WORDS, max_tokens=4)
    np.testing.assert_array_equal(vocab.encode(["smiling cat face", "dog"]), [[5, 1, 3, 0], [2, 0, 0, 0]])
    assert vocab.encode("a smiling zebra cat").tolist() == [[5, 1, 0, 0]] and vocab.unknown_words("a smiling zebra cat") == ["a", "zebra"]
    assert vocab.decode([5, 1, 3, 0]) == "smiling cat face"
    assert vocab.encode("one two three four five six", strict=False).tolist() == [[0, 0, 0, 0]]
    with pytest.raises(ValueError, match="has 5 words; the text encoder reads at most 4: shorten it"):
        vocab.encode("smiling cat face dog cat")
    with pytest.raises(ValueError, match="no known word in text 'smilng dgo' .*close known words: dog, smiling"):
        vocab.encode("smilng dgo")


def test_captions_split_by_code_point_and_load_in_batches():
    train_cp, train_caps = data.emoji_captions("train")
    test_cp, test_caps = data.emoji_captions("test")
    assert not set(train_cp) & set(test_cp) and len(train_caps[0]) == 3
    assert 0.07 < len(test_cp) / (len(train_cp) + len(test_cp)) < 0.13
    vocab = Vocabulary.from_captions([c for cs in train_caps for c in cs])
    images, tokens, emoji = data.load_captioned_arrays(vocab, ("google", "twitter"), "test")
    assert images.shape == (2 * len(test_cp), 64, 64, 3) and tokens.shape == (len(images), 3, 24)
    np.testing.assert_array_equal(emoji[: len(test_cp)], emoji[len(test_cp):])  # the same emoji in both styles
    batch = next(iter(data.load_captioned(vocab, ("google",), batch_size=16, seed=0)))
    assert batch["images"].shape == (16, 64, 64, 3) and batch["tokens"].shape == (16, 24) and batch["emoji"].shape == (16,)
    # Each row's caption is one of its emoji's three captions.
    _, all_tokens, _ = data.load_captioned_arrays(vocab, ("google",), "train")
    for row, index in zip(batch["tokens"].numpy(), batch["emoji"].numpy()):
        assert any(np.array_equal(row, c) for c in all_tokens[index])
    # No training caption is empty: a field without words (one emoji has no tags) repeats the emoji's name.
    assert np.all(all_tokens.max(axis=2) > 0)
    raw = np.stack([vocab.encode(c, strict=False) for c in train_caps])
    empty = np.argwhere(raw.max(axis=2) == 0)
    assert len(empty) >= 1
    for emoji_index, field in empty:
        np.testing.assert_array_equal(all_tokens[emoji_index, field], raw[emoji_index, 0])


def test_a_caption_without_known_words_embeds_to_finite_values():
    gan = _gan()
    tokens = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]], "int32")
    embeddings = gan.embed_text(tokens)
    assert np.all(np.isfinite(embeddings))
    np.testing.assert_allclose(embeddings[1], embeddings[2], atol=1e-6)  # the mean ignores padding, not repeats
    assert np.all(np.isfinite(gan.sample(3, seed=0, labels=tokens)))


def test_joint_embedding_loss_by_hand():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4)); a /= np.linalg.norm(a, axis=1, keepdims=True)
    b = rng.normal(size=(3, 4)); b /= np.linalg.norm(b, axis=1, keepdims=True)
    emoji = np.array([7, 7, 2])  # rows 0 and 1 show the same emoji: both match
    sims = a @ b.T / 0.07
    targets = (emoji[:, None] == emoji[None, :]).astype(float)
    targets /= targets.sum(axis=1, keepdims=True)

    def ce(logits, t):
        logp = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) - logits.max(1, keepdims=True)
        return -(t * logp).sum(1)

    by_hand = np.mean(ce(sims, targets) + ce(sims.T, targets.T)) / 2
    assert float(joint_embedding_loss(a.astype("float32"), b.astype("float32"), emoji)) == pytest.approx(by_hand, rel=1e-5)


def test_matching_aware_discriminator_loss_by_hand():
    gan = _gan()
    gan.compile(label_smoothing=0.0)
    x = _images(4)
    tokens = gan.tokenize(["smiling cat face", "dog", "dog", "grinning face"])
    fake = gan.generate(gan.latents(4, seed=1), labels=tokens)
    real_out = gan.discriminator([x, tokens]).numpy().reshape(-1)
    fake_out = gan.discriminator([fake, tokens]).numpy().reshape(-1)
    wrong = np.roll(tokens, 1, axis=0)  # row 2's wrong caption equals its own ("dog"): left out
    wrong_out = gan.discriminator([x, wrong], training=True).numpy().reshape(-1)  # as in a training step
    batch = GANBatch(real=tf.constant(x), fake=fake, labels=tokens, real_output=real_out[:, None], fake_output=fake_out[:, None])
    total = float(gan.compute_discriminator_loss(batch)) + float(gan.compute_auxiliary_terms("discriminator", batch)["d_mismatch"])
    softplus = lambda v: np.log1p(np.exp(v))  # noqa: E731
    keep = np.array([1, 1, 0, 1])
    by_hand = np.mean(softplus(-real_out)) + 0.5 * np.mean(softplus(fake_out)) + 0.5 * np.mean(keep * softplus(wrong_out))
    assert total == pytest.approx(by_hand, rel=1e-5)


def test_conditioning_augmentation_kl_by_hand_and_mean_when_sampling():
    gan = _gan(kl_weight=2.0)
    tokens = gan.tokenize(["smiling cat face", "dog"])
    ca = gan.generator.get_layer("conditioning_augmentation")
    phi = gan.text_encoder(tokens)
    mu, log_sigma = (np.asarray(v) for v in ca.moments(phi))
    kl = 0.5 * np.sum(mu**2 + np.exp(2 * log_sigma) - 2 * log_sigma - 1, axis=1)
    batch = GANBatch(real=None, fake=None, labels=tokens)
    assert float(gan.compute_generator_penalty(batch)) == pytest.approx(2.0 * kl.mean(), rel=1e-5)
    np.testing.assert_allclose(np.asarray(ca(phi, training=False)), mu, atol=1e-6)
    assert not np.allclose(np.asarray(ca(phi, training=True)), mu)


def test_the_joint_embedding_learns_to_match_captions_to_emoji():
    vocab_captions = data.emoji_captions("train")[1]
    vocab = Vocabulary.from_captions([c for cs in vocab_captions for c in cs])
    gan = models.TextToImageGAN(image_shape=(64, 64, 3), vocabulary=vocab.words, latent_dim=8, embed_dim=32,
                                condition_dim=4, text_dim=4, g_width=4, d_width=4, encoder_steps=0, seed=0)
    dataset = data.load_captioned(vocab, ("google",), batch_size=32, seed=0, repeat=True)
    batch = next(iter(data.load_captioned(vocab, ("google",), batch_size=32, seed=5)))

    def top1():
        sims = gan.image_encoder(batch["images"]).numpy() @ gan.text_encoder(batch["tokens"]).numpy().T
        return np.mean(np.argmax(sims, axis=1) == np.arange(32))

    before = top1()
    gan.train_text_encoder(dataset, 150, learning_rate=2e-3)
    assert int(gan.encoder_steps_done.numpy()) == 150 and not gan.text_encoder.trainable
    assert top1() > max(0.3, 3 * before)  # chance: 1/32


def test_sampling_from_text_saving_and_export(tmp_path):
    gan = _gan()
    gan.compile()
    x = _images(8)
    tokens = gan.tokenize(["smiling cat face", "dog"] * 4)
    history = gan.fit(x, tokens, batch_size=4, epochs=1, verbose=0)
    assert "d_mismatch" in history.history and int(gan.encoder_steps_done.numpy()) == 1
    a = gan.sample(3, seed=1, text="smiling cat face")
    np.testing.assert_array_equal(a, gan.sample(3, seed=1, text="smiling cat face"))
    assert not np.allclose(a, gan.sample(3, seed=1, text="dog"))
    gan.save(tmp_path / "t2i.keras")
    loaded = keras.models.load_model(tmp_path / "t2i.keras")
    np.testing.assert_allclose(loaded.sample(3, seed=1, text="smiling cat face"), a, atol=1e-6)
    assert int(loaded.encoder_steps_done.numpy()) == 1 and loaded.vocabulary.words == WORDS
    text_before = [np.array(w) for w in loaded.text_encoder.weights]
    loaded.fit(x, tokens, batch_size=4, epochs=1, verbose=0)  # no second joint-embedding phase
    assert all(np.array_equal(b, np.array(w)) for b, w in zip(text_before, loaded.text_encoder.weights))
    sm = tf.saved_model.load(gan.export(str(tmp_path / "sm")))
    got = sm.signatures["sample"](num=tf.constant(3), seed=tf.constant(1, tf.int64), tokens=tf.constant(gan.tokenize("smiling cat face", 3)))
    assert np.abs(got["images"].numpy().astype("float32") - np.round((a + 1) * 127.5)).max() <= 1
    # Captions as strings, tokenised in the graph exactly as the vocabulary does (unknown words dropped).
    texts = ["Smiling CAT-face!", "zebra dog", "smiling smiling smiling cat face"]
    got = sm.signatures["sample_text"](num=tf.constant(3), seed=tf.constant(1, tf.int64), text=tf.constant(texts))
    np.testing.assert_array_equal(got["tokens"].numpy(), gan.vocabulary.encode(texts, strict=False))
    assert np.abs(got["images"].numpy()[0].astype("float32") - np.round((a[0] + 1) * 127.5)).max() <= 1
    with pytest.raises(ValueError, match="draws images from captions: pass text="):
        gan.sample(2, seed=0)


def test_cli_samples_a_row_per_caption(tmp_path, capsys):
    gan = _gan()
    gan.compile()
    path = str(tmp_path / "t2i.keras")
    gan.save(path)
    out = str(tmp_path / "grid.png")
    assert cli.main(["sample", path, "--text", "smiling cat face", "--text", "dog", "--per-label", "3", "--out", out]) == 0
    assert np.asarray(Image.open(out)).shape == (2 * 34 + 2, 3 * 34 + 2, 3)
    assert cli.main(["sample", path, "--out", out]) == 2
    assert "draws images from captions: pass --text" in capsys.readouterr().err
    assert cli.main(["sample", path, "--text", "zebra", "--out", out]) == 2
    assert "no known word in text 'zebra'" in capsys.readouterr().err


def test_kerasgan_train_runs_text2image_on_the_emoji_captions(tmp_path):
    config = {"architecture": "text2image", "dataset": "emoji_styles_64", "batch_size": 4, "seed": 0, "steps": 2,
              "model_args": {"latent_dim": 8, "embed_dim": 8, "condition_dim": 4, "text_dim": 4, "g_width": 4,
                             "d_width": 4, "encoder_steps": 2, "styles": ["google"]}}
    result = training.train(config, tmp_path / "run", verbose=0)
    grid = np.asarray(Image.open(result["last_grid"]))
    assert grid.shape == (8 * 66 + 2, 8 * 66 + 2, 3)  # a row per test caption
    gan = keras.models.load_model(result["model_path"])
    assert len(gan.vocabulary) > 1000 and int(gan.encoder_steps_done.numpy()) == 2
