"""The one structure every loss and penalty hook of a GAN training step receives.

Like TF-GAN's ``GANModel`` tuple and stylegan2-ada's
``accumulate_gradients(phase, real_img, real_c, gen_z, gen_c)``: a hook sees
everything the step has (images, latents, labels, the discriminator's outputs)
instead of a signature that grows with each new model. InfoGAN reads
``latents``, ACGAN reads ``labels`` and the class head of ``fake_output``,
feature matching reads ``real``, gradient penalties read the augmented views
the discriminator saw.
"""

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class GANBatch:
    """One step's tensors, as handed to ``GAN.compute_*`` hooks.

    Attributes:
        real: the real images of this step, as loaded (before augmentation).
        fake: the generator's images for ``latents`` (and ``labels``).
        latents: the latent vectors ``fake`` was drawn from.
        labels: int class labels of ``real`` and ``fake`` (conditional GANs), else None.
        real_output, fake_output: the discriminator's outputs on the
            (augmented) real and fake images: a tensor of logits, or a dict
            with ``"logits"`` and named heads. ``real_output`` is None in the
            generator's step, where D is not run on real images.
        real_seen, fake_seen: the images D was actually given (augmented when
            the GAN augments, else ``real``/``fake``): what gradient penalties
            differentiate through.
        source: the input images of an image-to-image model (``fake`` is
            G(source), ``real`` its true translation when the data is
            paired); None for latent -> image models.
        extras: other entries of a dict batch (e.g. a semi-supervised GAN's
            labelled images), by key; an empty dict when there are none.
    """

    real: Any
    fake: Any
    latents: Any = None
    labels: Any = None
    real_output: Any = None
    fake_output: Any = None
    real_seen: Any = None
    fake_seen: Any = None
    source: Any = None
    extras: Any = None

    def __post_init__(self):
        if self.extras is None:
            object.__setattr__(self, "extras", {})
        if self.real_seen is None:
            object.__setattr__(self, "real_seen", self.real)
        if self.fake_seen is None:
            object.__setattr__(self, "fake_seen", self.fake)

    @property
    def real_logits(self):
        """The real/fake logits of D on the real images (``real_output["logits"]`` for dict outputs)."""
        return logits_of(self.real_output)

    @property
    def fake_logits(self):
        """The real/fake logits of D on the fake images."""
        return logits_of(self.fake_output)

    def replace(self, **changes):
        """A copy with some fields replaced; an unaugmented view follows its replaced image."""
        for name in ("real", "fake"):
            seen = name + "_seen"
            if name in changes and seen not in changes and getattr(self, seen) is getattr(self, name):
                changes[seen] = changes[name]
        return dataclasses.replace(self, **changes)


def logits_of(output):
    """The real/fake logits of a discriminator output (a tensor, or a dict with ``"logits"``)."""
    if output is None:
        return None
    return output["logits"] if isinstance(output, dict) else output


def head_of(output, name, needed_by):
    """The named head of a discriminator output, or a one-line error naming what is missing and why.

    ``needed_by`` says which loss reads the head (e.g. "AC-GAN's class loss").
    """
    if isinstance(output, dict) and name in output:
        return output[name]
    has = f"a dict with {sorted(output)}" if isinstance(output, dict) else "one tensor of logits"
    raise ValueError(
        f"{needed_by} needs the discriminator's {name!r} head, but it returns {has}: "
        f"return {{'logits': ..., {name!r}: ...}} from the discriminator"
    )
