from kerasgan.models.pix2pix.pix2pix import Pix2Pix, patch_discriminator, unet_generator

__all__ = ["Pix2Pix", "patch_discriminator", "unet_generator"]
