from kerasgan.models.text2image.text import Vocabulary, tokenize
from kerasgan.models.text2image.text2image import TextToImageGAN, image_encoder, text_encoder

__all__ = ["TextToImageGAN", "Vocabulary", "image_encoder", "text_encoder", "tokenize"]
