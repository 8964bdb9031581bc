from kerasgan.models.dcgan.dcgan import DCGAN, dcgan_discriminator, dcgan_generator

__all__ = ["DCGAN", "dcgan_generator", "dcgan_discriminator"]
