from kerasgan.models.stylegan.stylegan import StyleGAN, mapping_network, stylegan_generator, synthesis_network

__all__ = ["StyleGAN", "mapping_network", "synthesis_network", "stylegan_generator"]
