"""Layers used by kerasgan architectures, one per file."""

from kerasgan.layers.maxout import Maxout

__all__ = ["Maxout"]
