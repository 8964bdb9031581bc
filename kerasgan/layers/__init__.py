"""Layers used by kerasgan architectures, one per file."""

from kerasgan.layers.adaptive_instance_normalization import AdaptiveInstanceNormalization
from kerasgan.layers.conditional_batch_normalization import ConditionalBatchNormalization
from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.maxout import Maxout
from kerasgan.layers.minibatch_discrimination import MinibatchDiscrimination
from kerasgan.layers.minibatch_stddev import MinibatchStdDev
from kerasgan.layers.modulated_conv import ModulatedConv2D
from kerasgan.layers.noise_injection import NoiseInjection
from kerasgan.layers.pixel_normalization import PixelNormalization
from kerasgan.layers.pixel_shuffle import PixelShuffle
from kerasgan.layers.reflection_padding import ReflectionPadding2D
from kerasgan.layers.resample import Resample2D
from kerasgan.layers.self_attention import SelfAttention2D
from kerasgan.layers.spectral_normalization import SNConv2D, SNDense
from kerasgan.layers.virtual_batch_normalization import (
    VirtualBatchNormalization,
    set_reference_batch,
)

__all__ = [
    "AdaptiveInstanceNormalization", "ConditionalBatchNormalization", "EqualizedConv2D", "EqualizedDense", "Maxout",
    "MinibatchDiscrimination", "MinibatchStdDev", "ModulatedConv2D", "NoiseInjection", "PixelNormalization", "PixelShuffle",
    "ReflectionPadding2D", "Resample2D", "SNConv2D", "SNDense", "SelfAttention2D",
    "VirtualBatchNormalization", "set_reference_batch",
]
