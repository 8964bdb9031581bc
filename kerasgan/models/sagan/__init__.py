from kerasgan.models.sagan.sagan import SAGAN, sagan_discriminator, sagan_generator

__all__ = ["SAGAN", "sagan_generator", "sagan_discriminator"]
