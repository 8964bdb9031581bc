from kerasgan.models.cgan.cgan import ConditionalGAN, conditional_discriminator, conditional_generator

__all__ = ["ConditionalGAN", "conditional_generator", "conditional_discriminator"]
