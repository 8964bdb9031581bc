from kerasgan.models.stylegan2.stylegan2 import StyleGAN2, path_lengths, resnet_discriminator, skip_synthesis_network

__all__ = ["StyleGAN2", "skip_synthesis_network", "resnet_discriminator", "path_lengths"]
