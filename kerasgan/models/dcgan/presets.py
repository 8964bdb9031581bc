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
            # ema_decay: the released generator is an exponential moving average of G
            "model_args": {"image_shape": (28, 28, 1), "latent_dim": 100, "ema_decay": 0.999},
            "steps": 200000,
            "batch_size": 64,
            "seed": 0,
            # one-sided label smoothing 0.25 (TF-GAN's default): the earlier 4k-step
            # release trained with it, and this retrain kept it
            "compile_args": {"label_smoothing": 0.25},
            # Adam's rates held to step 150k, then linear to 0 at 200k
            "lr_decay": {"start": 150000, "steps": 50000},
            "jit_compile": True,
            "steps_per_execution": 8,
            "checkpoint_every": 1000,
            "keep_checkpoints": 100,
            "sample_every": 5000,
        },
        files={
            "generator.weights.h5": "a316b5c27a09ca1125979b2b9afd38c5f7a0e82494abd51536b187afe4bdb1e7",
            "discriminator.weights.h5": "74616621f3f9b6b67d9472994aa9239735d67fb6fde8cabe055c27e79af92adf",
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

# ------------------------------------------------ objectives and stabilisation
# Entries declared with _entry: DCGAN networks; for the MNIST ones, the same
# networks and data as dcgan_mnist, where only the objective, the
# critic's normalization and the optimizers change (the ablation in
# benchmarks/ablation.py compares them on equal terms).
_MNIST = {"image_shape": (28, 28, 1), "latent_dim": 100}


def _adam(lr, beta_1, beta_2=0.999):
    return {"class_name": "Adam", "config": {"learning_rate": lr, "beta_1": beta_1, "beta_2": beta_2}}


def _entry(name, description, paper, steps, model_args=None, compile_args=None, dataset="mnist",
           dataset_text="mnist (train split, 60,000 images)", batch_size=64, files=None, training_args=None, run=None):
    """``training_args``: model arguments of the run only (e.g. ``ema_decay``: the
    released generator is then the EMA one); ``run``: the rest of the run config
    (lr_decay, jit_compile, checkpoints, ...), so the recipe is the whole run."""
    model_args = {**_MNIST, **(model_args or {})}
    register(
        ZooEntry(
            name=name,
            architecture="dcgan",
            model_args=model_args,
            description=description,
            dataset=dataset_text,
            recipe={
                "architecture": "dcgan",
                "dataset": dataset,
                "model_args": {**model_args, **(training_args or {})},
                "compile_args": compile_args or {},
                "steps": steps,
                "batch_size": batch_size,
                "seed": 0,
                **(run or {}),
            },
            files=files or {},
            paper=paper,
            no_weights_help=(
                f"zoo entry {name!r} has no released weights in this install: train them with "
                f"`kerasgan train --recipe {name} --output runs/{name}`"
            ),
        )
    )


_entry(
    "wgan_mnist",
    "WGAN (weight clipping, n_critic 5, RMSProp) with DCGAN networks, 28x28 MNIST",
    "Arjovsky, Chintala & Bottou, Wasserstein GAN, ICML 2017 (arXiv:1701.07875)",
    steps=30000,
    training_args={"ema_decay": 0.999},
    compile_args={
        "loss": "wasserstein",
        "clip_weights": 0.01,
        "d_steps": 5,
        "g_optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 5e-5}},
        "d_optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 5e-5}},
    },
    # 5 critic steps per generator step make a step ~3x dearer than dcgan's: RMSProp's rates held to step 20k, then
    # linear to 0 at 30k; XLA was 1.5x slower on the AVX-512 CPU (310 vs 207 ms a step)
    run={"lr_decay": {"start": 20000, "steps": 10000}, "jit_compile": False, "steps_per_execution": 8,
         "checkpoint_every": 1000, "keep_checkpoints": 100, "sample_every": 5000},
    files={
        "generator.weights.h5": "3106d0f718319068454e4bc3e939132c47138a3df3faac35ea8298dc6959b742",
        "discriminator.weights.h5": "7f65fb2b60b8df6c9ca3a115a719e1bbbbba6a3f6f77523696a5257c4bd11572",
    },
)
_entry(
    "wgangp_mnist",
    "WGAN-GP (lambda 10, n_critic 5, layer-norm critic) with DCGAN networks, 28x28 MNIST",
    "Gulrajani et al., Improved Training of Wasserstein GANs, NeurIPS 2017 (arXiv:1704.00028)",
    steps=20000,
    model_args={"d_norm": "layer"},
    training_args={"ema_decay": 0.999},
    compile_args={
        "loss": "wasserstein",
        "gradient_penalty": 10.0,
        "d_steps": 5,
        "g_optimizer": _adam(1e-4, 0.0, 0.9),
        "d_optimizer": _adam(1e-4, 0.0, 0.9),
    },
    # The penalty's double backward over 5 critic steps makes a step ~6x dearer than dcgan's (374-391 ms on the
    # AVX-512 CPU): the paper's rates held to step 15k, then linear to 0 at 20k; XLA not measured for this recipe
    run={"lr_decay": {"start": 15000, "steps": 5000}, "jit_compile": False, "steps_per_execution": 8,
         "checkpoint_every": 1000, "keep_checkpoints": 100, "sample_every": 5000},
    files={
        "generator.weights.h5": "37c0f69771242770ffbe5120e081ca74a314aff1093cdbdd848245fa4792ef04",
        "discriminator.weights.h5": "e9a9fb3f4417075cedb6c3f01e1a9d73552bff3d7de073b9e44767f75cef5a38",
    },
)
_entry(
    "lsgan_mnist",
    "LSGAN (a=0, b=c=1) with DCGAN networks, 28x28 MNIST",
    "Mao et al., Least Squares Generative Adversarial Networks, ICCV 2017 (arXiv:1611.04076)",
    steps=200000,
    training_args={"ema_decay": 0.999},
    compile_args={"loss": "least_squares"},
    # the sngan_mnist schedule: Adam's rates held to step 150k, then linear to 0 at 200k
    run={"lr_decay": {"start": 150000, "steps": 50000}, "jit_compile": False, "steps_per_execution": 8,
         "checkpoint_every": 1000, "keep_checkpoints": 100, "sample_every": 5000},
    files={
        "generator.weights.h5": "86a94d83bbea0016b8f74927a3c6565e8add201a899d4e0074712e6c7c6f07a1",
        "discriminator.weights.h5": "ebe0e022a4ed544f2d42945dbc627dd51104508f57a94ddf0a7d1e85f693b7e3",
    },
)
_entry(
    "sngan_mnist",
    "SNGAN (spectral norm on every critic layer, hinge loss) with DCGAN networks, 28x28 MNIST",
    "Miyato et al., Spectral Normalization for Generative Adversarial Networks, ICLR 2018 (arXiv:1802.05957)",
    steps=200000,
    model_args={"d_norm": "spectral"},
    training_args={"ema_decay": 0.999},
    compile_args={"loss": "hinge"},
    # Adam's rates held to step 150k, then linear to 0 at 200k; plain float32 (no XLA) was fastest on the AVX-512 CPU
    run={"lr_decay": {"start": 150000, "steps": 50000}, "jit_compile": False, "steps_per_execution": 8,
         "checkpoint_every": 1000, "keep_checkpoints": 100, "sample_every": 5000},
    files={
        "generator.weights.h5": "62d978a52b11251af9ea4e60fca9e3a7c3377b2e3952831d455a9bdcc700e01e",
        "discriminator.weights.h5": "21074d98b7f0ab137521d621fbd2ed4f713553651354b132820a0c100f94902f",
    },
)
_entry(
    "dcgan_fmnist900_ada",
    "DCGAN with ADA (adaptive augmentation, target 0.6), 900 Fashion-MNIST images",
    "Karras et al., Training Generative Adversarial Networks with Limited Data, NeurIPS 2020 (arXiv:2006.06676)",
    steps=3000,
    # label_smoothing 0.25: see dcgan_mnist's recipe
    compile_args={"augment": {"name": "ada", "target": 0.6, "interval": 4, "speed_kimg": 100.0}, "label_smoothing": 0.25},
    dataset="fashion_mnist_900",
    dataset_text="fashion_mnist_900 (900 Fashion-MNIST training images, 90 per class)",
    files={
        "generator.weights.h5": "468b3c8639fa9a1d03754b82bec755937359f5e168bed71517e5f06c95f4de4b",
        "discriminator.weights.h5": "7eab520f2a3cb40f5d33955695356ead3a18685f1f1a2cba69d159e6daa3d104",
    },
)


_entry(
    "dcgan_emoji64",
    "DCGAN (the paper's 64x64 architecture, G width 32, D width 16), 1,432 Noto colour emoji",
    PAPER,
    steps=6000,
    model_args={"image_shape": (64, 64, 3), "g_width": 32, "d_width": 16},
    compile_args={"label_smoothing": 0.25},  # see dcgan_mnist's recipe
    dataset="noto_emoji_64",
    dataset_text="noto_emoji_64 (1,432 Noto Color Emoji, 64x64 RGB, white background)",
    files={
        "generator.weights.h5": "50fcf3fdf03c1dc7af47daf137f0d94715ab5694a2ddb5036e7ba17f5cb8fd23",
        "discriminator.weights.h5": "c8f04f53f82a08064ad2ec481b6558e39e0b4538819cdcbafde7db34c5b21389",
    },
)
