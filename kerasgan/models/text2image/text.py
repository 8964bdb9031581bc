"""Words of captions: tokenisation and the vocabulary of a text -> image model.

Captions are lower-cased and split into runs of letters and digits
("Smiling cat-face!" -> ["smiling", "cat", "face"]). The vocabulary maps each
known word to an id >= 1 (0 pads); it is built from the training captions
and stored in the model's config, so a saved model tokenises as it was trained.
"""

import difflib
import re

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text):
    """The words of ``text``: lower-cased runs of ASCII letters and digits."""
    if not isinstance(text, str):
        raise TypeError(f"a caption must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


class Vocabulary:
    """Known words and their ids (1..size; 0 is padding), with checked encoding of captions.

    Args:
        words: the known words (their order fixes the ids).
        max_tokens: the most words a caption may have (longer ones are refused).
    """

    def __init__(self, words, max_tokens=24):
        words = [str(w) for w in words]
        if len(set(words)) != len(words) or not words:
            raise ValueError("a vocabulary needs distinct, non-empty words")
        if isinstance(max_tokens, bool) or int(max_tokens) != max_tokens or max_tokens < 1:
            raise ValueError(f"max_tokens must be a positive integer, got {max_tokens!r}")
        self.words, self.max_tokens = words, int(max_tokens)
        self.ids = {w: i + 1 for i, w in enumerate(words)}

    @classmethod
    def from_captions(cls, captions, max_tokens=24):
        """The sorted set of words of ``captions``."""
        return cls(sorted({w for c in captions for w in tokenize(c)}), max_tokens)

    def __len__(self):
        return len(self.words)

    def encode(self, texts, strict=True):
        """int32 token ids ``(len(texts), max_tokens)`` (0-padded) of the known words of each text.

        With ``strict`` (user input), a text with more than ``max_tokens``
        words, or without one known word, is refused with a one-line error;
        otherwise (training captions) long texts are cut and unknown words
        dropped. Unknown words beside known ones are dropped in both modes
        (``unknown_words`` lists them).
        """
        if isinstance(texts, str):
            texts = [texts]
        out = np.zeros((len(texts), self.max_tokens), "int32")
        for row, text in enumerate(texts):
            words = tokenize(text)
            if strict and len(words) > self.max_tokens:
                raise ValueError(f"text {text!r} has {len(words)} words; the text encoder reads at most {self.max_tokens}: shorten it")
            known = [self.ids[w] for w in words if w in self.ids][: self.max_tokens]
            if strict and not known:
                close = sorted({m for w in words for m in difflib.get_close_matches(w, self.words, n=2)})
                hint = f"close known words: {', '.join(close)}" if close else "use words of emoji names and tags, e.g. 'smiling cat face'"
                raise ValueError(f"no known word in text {text!r} (the vocabulary has {len(self)} words): {hint}")
            out[row, : len(known)] = known
        return out

    def unknown_words(self, text):
        """The words of ``text`` that the vocabulary does not know (they are ignored)."""
        return [w for w in tokenize(text) if w not in self.ids]

    def decode(self, tokens):
        """The words of one row of token ids (padding dropped), joined by spaces."""
        return " ".join(self.words[int(t) - 1] for t in np.asarray(tokens).reshape(-1) if int(t) > 0)
