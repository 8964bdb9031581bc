"""Zoo entries of Goodfellow et al.'s MLP GAN."""

from kerasgan.zoo.registry import ZooEntry, register

register(
    ZooEntry(
        name="gan_mnist",
        architecture="vanilla_gan",
        model_args={"image_shape": (28, 28, 1), "latent_dim": 100},
        description="Goodfellow et al. 2014 MLP GAN (maxout D), 28x28 MNIST digits",
        dataset="mnist (train split, 60,000 images)",
        recipe={
            "architecture": "vanilla_gan",
            "dataset": "mnist",
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100},
            "steps": 10000,
            "batch_size": 100,
            "seed": 0,
            # trained before the architecture's default moved to lr 5e-4
            "compile_args": {
                "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
                "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 2e-4, "beta_1": 0.5}},
                # trained when compile's label_smoothing=0 never reached the loss, whose
                # default (TF-GAN's) smoothed the real targets by 0.25: kept to reproduce it
                "label_smoothing": 0.25,
            },
        },
        files={
            "generator.weights.h5": "bbfe09b433c988755d6131baab50ed3d2352a91cbd5c3c77edb9ac7a2dffda0f",
            "discriminator.weights.h5": "54d990a72a26cae1c91df5bc41c50ae575998de28a0ecafcec910cc3f90e4cdd",
        },
        paper="Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014 (arXiv:1406.2661)",
    )
)
