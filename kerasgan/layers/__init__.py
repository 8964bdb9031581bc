"""Layers used by kerasgan architectures, one per file."""

from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kerasgan.layers.maxout import Maxout
from kerasgan.layers.minibatch_discrimination import MinibatchDiscrimination
from kerasgan.layers.reflection_padding import ReflectionPadding2D
from kerasgan.layers.spectral_normalization import SNConv2D, SNDense
from kerasgan.layers.virtual_batch_normalization import (
    VirtualBatchNormalization,
    set_reference_batch,
)

__all__ = ["ConditionalBatchNormalization", "Maxout", "ReflectionPadding2D", "SNConv2D", "SNDense", "MinibatchDiscrimination", "VirtualBatchNormalization", "set_reference_batch"]
