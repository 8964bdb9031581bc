"""Limited data: DCGAN with and without ADA on the 900 Fashion-MNIST images.

Usage:
    python benchmarks/ada_limited_data.py [--steps 3000] [--eval-every 250] [--inception]

Both runs use the ``dcgan_fmnist900_ada`` recipe (same networks, optimizers,
batch, steps and seed 0); the plain run drops ``augment``. Every
``--eval-every`` generator steps a callback measures, on the same fixed
latents:

* the discriminator's clean real/fake gap: mean sigmoid(D(x)) over the 900
  training images minus the mean over 900 samples, both *without*
  augmentation (the training metrics ``d_real``/``d_fake`` see augmented
  images under ADA, so they are not comparable between the runs). A gap near
  1 means D separates the training set from samples outright — it has
  memorised the 900 images (Karras et al. 2020, Fig. 1);
* FID of 900 samples against the 900 training images in the feature space
  of kerasgan's MNIST classifier (a 28x28 feature net; Fashion-MNIST is not
  its domain, so read the curve, not the absolute value);
* ADA's augmentation probability p at that step.

With ``--inception``, the final models also get Inception FID and KID (900
samples vs the 900 images, legacy_tf resize; FID is biased upward at this
size, KID is not). Runs are kept in ``--runs``; the table goes to
``benchmarks/results/ada_limited_data.md``.
"""

import argparse
import json
import os
import pathlib

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()

import keras  # noqa: E402
import numpy as np  # noqa: E402

REFERENCE = "fashion_mnist_900:train"


class GapAndFID(keras.callbacks.Callback):
    """Clean D gap and MNIST-feature FID every epoch (= --eval-every steps)."""

    def __init__(self, real, net, ref_stats, every, seed=0):
        super().__init__()
        self.real = real
        self.net = net
        self.ref_stats = ref_stats
        self.every = every
        self.seed = seed
        self.rows = []

    def _d_mean(self, images):
        logits = self.model.discriminator.predict(images, batch_size=300, verbose=0)
        return float(np.mean(1.0 / (1.0 + np.exp(-logits.astype(np.float64)))))

    def _ada_p(self):
        augmenter = getattr(self.model, "augmenter", None)
        return float(augmenter.p.numpy()) if augmenter is not None else 0.0

    def on_epoch_end(self, epoch, logs=None):
        from kerasgan.metrics.frechet import activation_statistics, frechet_distance_from_stats

        fake = self.model.sample(len(self.real), seed=self.seed)
        feats, _ = self.net(fake)
        mu, sigma = activation_statistics(feats)
        fid = frechet_distance_from_stats(mu, sigma, *self.ref_stats)
        d_real, d_fake = self._d_mean(self.real), self._d_mean(fake)
        row = {"step": (epoch + 1) * self.every, "d_real": d_real, "d_fake": d_fake, "gap": d_real - d_fake,
               "mnist_fid": float(fid), "ada_p": self._ada_p()}
        self.rows.append(row)
        print(json.dumps(row), flush=True)


def run_variant(name, compile_args, args, real, net, ref_stats):
    from kerasgan import training, zoo

    run = pathlib.Path(args.runs) / f"{name}_{args.steps}"
    log = run / "curve.json"
    if log.is_file() and (run / "model.keras").is_file():
        return json.loads(log.read_text()), keras.models.load_model(run / "model.keras")
    recipe = zoo.info("dcgan_fmnist900_ada")["recipe"]
    config = {**recipe, "steps": args.steps, "compile_args": compile_args}
    callback = GapAndFID(real, net, ref_stats, args.eval_every)
    result = training.train(config, str(run), sample_every=args.eval_every, verbose=0, callbacks=[callback])
    curve = {"rows": callback.rows, "seconds": result["seconds"]}
    log.write_text(json.dumps(curve, indent=1))
    return curve, result["model"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--inception", action="store_true")
    parser.add_argument("--runs", default=str(pathlib.Path(__file__).resolve().parent / "runs" / "ada_limited_data"))
    args = parser.parse_args()

    from kerasgan import data, zoo
    from kerasgan.metrics.evaluate import FeatureNet, evaluate
    from kerasgan.metrics.frechet import activation_statistics

    real = data.load_arrays("fashion_mnist_900")
    net = FeatureNet("mnist")
    ref_stats = activation_statistics(net(real)[0])
    ada_args = zoo.info("dcgan_fmnist900_ada")["recipe"]["compile_args"]
    plain_args = {k: v for k, v in ada_args.items() if k != "augment"}
    curves, finals = {}, {}
    for name, compile_args in (("plain", plain_args), ("ada", ada_args)):
        curve, gan = run_variant(name, compile_args, args, real, net, ref_stats)
        curves[name] = curve
        if args.inception:
            finals[name] = evaluate(gan, ["fid", "kid"], num=len(real), reference=REFERENCE, features="inception", seed=0)

    lines = [
        f"# Limited data: DCGAN with and without ADA, 900 Fashion-MNIST images, {args.steps} steps",
        "",
        machine_description(),
        "",
        f"command: `{command_line()}`",
        "",
        "Recipe `dcgan_fmnist900_ada` (batch 64, Adam 2e-4/0.5, seed 0); the plain run is the same without "
        f"`augment`. ADA: {json.dumps(ada_args['augment'])}. Every {args.eval_every} steps, on fixed latents: "
        "D gap = mean sigmoid(D(real)) − mean sigmoid(D(fake)) on un-augmented images (900 each); MNIST-feature "
        "FID of 900 samples vs the 900 training images (kerasgan's MNIST classifier, off-domain: compare rows).",
        "",
        "| step | plain: D(real) | plain: D(fake) | plain: gap | ada: D(real) | ada: D(fake) | ada: gap | ada: p "
        "| plain: MNIST-feature FID | ada: MNIST-feature FID |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p, a in zip(curves["plain"]["rows"], curves["ada"]["rows"]):
        lines.append(
            f"| {p['step']} | {p['d_real']:.3f} | {p['d_fake']:.3f} | {p['gap']:.3f} | {a['d_real']:.3f} | "
            f"{a['d_fake']:.3f} | {a['gap']:.3f} | {a['ada_p']:.3f} | {p['mnist_fid']:.1f} | {a['mnist_fid']:.1f} |"
        )
    lines += ["", "| run | final MNIST-feature FID | best MNIST-feature FID (step) | final D gap | wall s |",
              "|---|---|---|---|---|"]
    for name in ("plain", "ada"):
        rows = curves[name]["rows"]
        best = min(rows, key=lambda r: r["mnist_fid"])
        lines.append(f"| {name} | {rows[-1]['mnist_fid']:.1f} | {best['mnist_fid']:.1f} ({best['step']}) | "
                     f"{rows[-1]['gap']:.3f} | {curves[name]['seconds']:.0f} |")
    if finals:
        lines += ["", "Final models, Inception features (900 samples vs the 900 images, legacy_tf resize; KID's subsets hold at most 1,000 images, so here every subset is all 900 and its std is 0):", "",
                  "| run | Inception FID | KID x 1000 |", "|---|---|---|"]
        for name, s in finals.items():
            lines.append(f"| {name} | {s['fid']:.1f} | {1000 * s['kid']['mean']:.2f} ± {1000 * s['kid']['std']:.2f} |")
    write_result("ada_limited_data", "\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
