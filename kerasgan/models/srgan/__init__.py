from kerasgan.models.srgan.srgan import SRGAN, srgan_discriminator, srresnet_generator

__all__ = ["SRGAN", "srgan_discriminator", "srresnet_generator"]
