from kerasgan.models.biggan.biggan import BigGAN, biggan_generator, latent_chunks, orthogonal_penalty

__all__ = ["BigGAN", "biggan_generator", "latent_chunks", "orthogonal_penalty"]
