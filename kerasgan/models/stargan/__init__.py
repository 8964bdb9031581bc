from kerasgan.models.stargan.stargan import DomainMaps, StarGAN, stargan_discriminator, stargan_generator

__all__ = ["DomainMaps", "StarGAN", "stargan_discriminator", "stargan_generator"]
