from kerasgan.models.vanilla_gan.vanilla_gan import VanillaGAN, vanilla_discriminator, vanilla_generator

__all__ = ["VanillaGAN", "vanilla_generator", "vanilla_discriminator"]
