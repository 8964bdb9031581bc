from kerasgan.models.bigan.bigan import BiGAN, bigan_discriminator, bigan_encoder, bigan_generator

__all__ = ["BiGAN", "bigan_discriminator", "bigan_encoder", "bigan_generator"]
