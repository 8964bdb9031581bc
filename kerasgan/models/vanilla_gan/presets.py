"""Zoo entries of Goodfellow et al.'s MLP GAN."""

from kerasgan.zoo.registry import ZooEntry, register

register(
    ZooEntry(
        name="gan_mnist",
        architecture="vanilla_gan",
        model_args={"image_shape": (28, 28, 1), "latent_dim": 100},
        description="Goodfellow et al. 2014 MLP GAN (maxout D), 28x28 MNIST digits",
        dataset="mnist (the first 50,000 training images; the last 10,000 held out for validation)",
        recipe={
            "architecture": "vanilla_gan",
            "dataset": "mnist",
            # the paper's split: train on 50,000, choose sigma (Parzen) and the step on the other 10,000
            "split": "train[:50000]",
            # ema_decay: the released generator is an exponential moving average of G
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, "ema_decay": 0.999},
            "compile_args": {
                "g_optimizer": {"class_name": "Adam", "config": {"learning_rate": 5e-4, "beta_1": 0.5}},
                "d_optimizer": {"class_name": "Adam", "config": {"learning_rate": 5e-4, "beta_1": 0.5}},
            },
            "steps": 100000,
            "batch_size": 100,
            "seed": 0,
            # Adam's rates held to step 70k, then linear to 0 at 100k
            "lr_decay": {"start": 70000, "steps": 30000},
            "jit_compile": False,
            "steps_per_execution": 8,
            "checkpoint_every": 2000,
            "keep_checkpoints": 100,
            "sample_every": 5000,
        },
        files={
            "generator.weights.h5": "46c1e836b3d287720905e076a8f845f028a049c42d338016b858409a1318b8d4",
            "discriminator.weights.h5": "086a9e88d7210676ff0471de9dee99ac949aee1cca27c86e22c24b730ec95b93",
        },
        paper="Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014 (arXiv:1406.2661)",
    )
)
