from kerasgan.models.aae.aae import AdversarialAutoencoder, aae_code_discriminator, aae_decoder, aae_encoder

__all__ = ["AdversarialAutoencoder", "aae_code_discriminator", "aae_decoder", "aae_encoder"]
