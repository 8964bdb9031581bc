from kerasgan.models.progan.progan import ProGAN, progan_discriminator, progan_generator, schedule

__all__ = ["ProGAN", "progan_generator", "progan_discriminator", "schedule"]
