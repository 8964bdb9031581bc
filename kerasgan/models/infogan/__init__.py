from kerasgan.models.infogan.infogan import InfoGAN, infogan_discriminator, infogan_generator

__all__ = ["InfoGAN", "infogan_discriminator", "infogan_generator"]
