from kerasgan.models.ssgan.ssgan import SemiSupervisedGAN, ssgan_discriminator, ssgan_generator

__all__ = ["SemiSupervisedGAN", "ssgan_discriminator", "ssgan_generator"]
