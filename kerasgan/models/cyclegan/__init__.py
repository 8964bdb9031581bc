from kerasgan.models.cyclegan.cyclegan import CycleGAN, patch_critic, resnet_generator

__all__ = ["CycleGAN", "patch_critic", "resnet_generator"]
