from kerasgan.models.lapgan.lapgan import LAPGAN, lapgan_coarse_discriminator, lapgan_coarse_generator, lapgan_level_discriminator, lapgan_level_generator

__all__ = ["LAPGAN", "lapgan_coarse_discriminator", "lapgan_coarse_generator", "lapgan_level_discriminator",
           "lapgan_level_generator"]
