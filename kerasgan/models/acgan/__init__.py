from kerasgan.models.acgan.acgan import ACGAN, acgan_discriminator

__all__ = ["ACGAN", "acgan_discriminator"]
