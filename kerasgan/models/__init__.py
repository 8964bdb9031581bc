"""GAN models: the base ``GAN`` and one folder per architecture."""

from kerasgan.models.gan import GAN
from kerasgan.models.batch import GANBatch
from kerasgan.models import common, options
from kerasgan.models.translation import TranslationGAN
from kerasgan.models.registry import get_architecture, list_architectures, register_architecture
from kerasgan.models.dcgan import DCGAN, dcgan_discriminator, dcgan_generator
from kerasgan.models.vanilla_gan import VanillaGAN, vanilla_discriminator, vanilla_generator
from kerasgan.models.cgan import ConditionalGAN, conditional_discriminator, conditional_generator
from kerasgan.models.acgan import ACGAN, acgan_discriminator
from kerasgan.models.infogan import InfoGAN, infogan_discriminator, infogan_generator
from kerasgan.models.bigan import BiGAN, bigan_discriminator, bigan_encoder, bigan_generator
from kerasgan.models.ssgan import SemiSupervisedGAN, ssgan_discriminator, ssgan_generator
from kerasgan.models.aae import AdversarialAutoencoder
from kerasgan.models.pix2pix import Pix2Pix, patch_discriminator, unet_generator
from kerasgan.models.cyclegan import CycleGAN, patch_critic, resnet_generator
from kerasgan.models.stargan import StarGAN, stargan_discriminator, stargan_generator
from kerasgan.models.sagan import SAGAN, sagan_discriminator, sagan_generator
from kerasgan.models.biggan import BigGAN, biggan_generator
from kerasgan.models.stylegan import StyleGAN, mapping_network, synthesis_network
from kerasgan.models.stylegan2 import StyleGAN2
from kerasgan.models.progan import ProGAN
from kerasgan.models.can import CAN
from kerasgan.models.lapgan import LAPGAN
from kerasgan.models.text2image import TextToImageGAN
from kerasgan.models.srgan import SRGAN, srgan_discriminator, srresnet_generator

__all__ = [
    "GAN",
    "SAGAN",
    "BigGAN",
    "StyleGAN",
    "StyleGAN2",
    "ProGAN",
    "CAN",
    "LAPGAN",
    "TextToImageGAN",
    "SRGAN",
    "srgan_discriminator",
    "srresnet_generator",
    "GANBatch",
    "TranslationGAN",
    "common",
    "options",
    "DCGAN",
    "VanillaGAN",
    "ConditionalGAN",
    "ACGAN",
    "InfoGAN",
    "BiGAN",
    "SemiSupervisedGAN",
    "AdversarialAutoencoder",
    "Pix2Pix",
    "CycleGAN",
    "StarGAN",
    "stargan_generator",
    "stargan_discriminator",
    "resnet_generator",
    "patch_critic",
    "unet_generator",
    "patch_discriminator",
    "ssgan_generator",
    "ssgan_discriminator",
    "bigan_generator",
    "bigan_encoder",
    "bigan_discriminator",
    "infogan_generator",
    "infogan_discriminator",
    "acgan_discriminator",
    "conditional_generator",
    "conditional_discriminator",
    "dcgan_generator",
    "dcgan_discriminator",
    "vanilla_generator",
    "vanilla_discriminator",
    "get_architecture",
    "list_architectures",
    "register_architecture",
]
