"""Zoo entries of the DCGAN architecture."""

from kerasgan.zoo.registry import ZooEntry, register

PAPER = (
    "Radford, Metz & Chintala, Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks, ICLR 2016 (arXiv:1511.06434)"
)

register(
    ZooEntry(
        name="dcgan_mnist",
        architecture="dcgan",
        model_args={"image_shape": (28, 28, 1), "latent_dim": 100},
        description="DCGAN, 28x28 MNIST digits",
        dataset="mnist (train split, 60,000 images)",
        recipe={
            "architecture": "dcgan",
            "dataset": "mnist",
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100},
            "steps": 4000,
            "batch_size": 64,
            "seed": 0,
        },
        files={
            "generator.weights.h5": "6fa270b9999a5f0c5418536d9cfec3656b5111a561d4b9a45f82a978a9e4cbbf",
            "discriminator.weights.h5": "90777345f3225a07694e0f570d7634d6c9e352ee39aa146f25419ca26f55e270",
        },
        paper=PAPER,
    )
)

register(
    ZooEntry(
        name="dcgan_lsun",
        architecture="dcgan",
        model_args={"image_shape": (64, 64, 3), "latent_dim": 100},
        description="DCGAN, 64x64 LSUN bedrooms (the paper's architecture; weights not shipped)",
        dataset="lsun/bedroom (TFDS) or a folder of bedroom images, 64x64 center crops",
        recipe={
            "architecture": "dcgan",
            "dataset": "lsun/bedroom",
            "image_size": 64,
            "model_args": {"image_shape": (64, 64, 3), "latent_dim": 100},
            "steps": 100000,
            "batch_size": 128,
            "seed": 0,
        },
        files={},
        paper=PAPER,
        no_weights_help=(
            "zoo entry 'dcgan_lsun' ships no weights (LSUN cannot be downloaded here and we never "
            "ship weights we did not train): train them with `kerasgan train --recipe dcgan_lsun "
            "--dataset /path/to/bedrooms`, or convert a pytorch/examples DCGAN checkpoint with "
            "`kerasgan convert pytorch-dcgan netG.pth --out lsun_weights/` and load it with "
            "zoo.load('dcgan_lsun', weights='lsun_weights/')"
        ),
    )
)

register(
    ZooEntry(
        name="dcgan_emoji64",
        architecture="dcgan",
        model_args={"image_shape": (64, 64, 3), "latent_dim": 100, "g_width": 32, "d_width": 16},
        description="DCGAN (the paper's 64x64 architecture, G width 32, D width 16), 1,432 Noto colour emoji",
        dataset="noto_emoji_64 (1,432 Noto Color Emoji, 64x64 RGB, white background)",
        recipe={
            "architecture": "dcgan",
            "dataset": "noto_emoji_64",
            "model_args": {"image_shape": (64, 64, 3), "latent_dim": 100, "g_width": 32, "d_width": 16},
            "steps": 3000,
            "batch_size": 64,
            "seed": 0,
        },
        files={},
        paper=PAPER,
        no_weights_help=(
            "zoo entry 'dcgan_emoji64' has no released weights in this install: train them with "
            "`kerasgan train --recipe dcgan_emoji64 --output run_emoji/`"
        ),
    )
)
