"""Which route reaches a given FID soonest on this machine: precision x XLA x steps_per_execution.

Usage:
    python benchmarks/fid_per_minute.py [--steps 1500] [--eval-every 250] [--num 2000]
        [--variants float32,auto,xla,spe8,auto+xla+spe8]

Each variant trains the ``dcgan_mnist`` recipe (same networks, optimizers,
batch, seed 0; without the recipe's EMA generator, see ``train_variant``)
for ``--steps`` generator steps in this one invocation, one after the other
(keep the machine otherwise idle). Every ``--eval-every`` steps the
sampling generator is scored (MNIST-feature FID of ``--num``
samples, seed 0, against MNIST train: the validation reference); scoring
time is excluded from the training minutes. The table gives FID against
training minutes per variant, the minutes each needed to reach the FID
that plain float32 reached at the end, and its speed relative to float32 —
a ratio measured in the same invocation. The machine (CPU model, AVX2 /
AVX-512 / bfloat16 flags) is written with the numbers: the answer differs
between AVX2-only and AVX-512-BF16 CPUs (bfloat16 was 5x slower on one,
1.3x faster on the other).

Variants: ``float32`` (the recipes' default), ``auto`` (``--precision auto``:
mixed_bfloat16 where the hardware has bfloat16, else float32), ``xla``
(``jit_compile=True``), ``speN`` (``steps_per_execution=N``), and any
``+``-joined combination.
"""

import argparse
import json
import time

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


def parse_variant(name):
    """'auto+xla+spe8' -> {'precision': 'auto', 'jit_compile': True, 'steps_per_execution': 8}."""
    options = {"precision": "float32", "jit_compile": False, "steps_per_execution": 1}
    for part in name.split("+"):
        if part in ("float32", "auto", "mixed_bfloat16", "mixed_float16"):
            options["precision"] = part
        elif part == "xla":
            options["jit_compile"] = True
        elif part.startswith("spe") and part[3:].isdigit():
            options["steps_per_execution"] = int(part[3:])
        else:
            raise SystemExit(f"unknown variant part {part!r} in {name!r}: use float32, auto, xla, speN joined by +")
    return options


def variant_config(recipe, options):
    """The run config of one variant: the recipe's networks, loss, optimizers and batch, seed 0.

    The variant's XLA and steps per execution replace the recipe's (a recipe
    may pin them). No EMA generator: a 0.999 average lags ~1k steps, longer
    than these runs, and the variants compare the training route itself.
    """
    model_args = {k: v for k, v in recipe["model_args"].items() if k != "ema_decay"}
    return {**recipe, "seed": 0, "model_args": model_args, "jit_compile": options["jit_compile"],
            "steps_per_execution": options["steps_per_execution"]}


def train_variant(name, steps, eval_every, num):
    import keras

    from kerasgan import data, distribute, training, zoo
    from kerasgan.metrics.evaluate import evaluate

    options = parse_variant(name)
    recipe = zoo.info("dcgan_mnist")["recipe"]
    keras.utils.set_random_seed(0)
    precision = distribute.set_precision(options["precision"])
    dataset = data.load(recipe["dataset"], batch_size=recipe["batch_size"], seed=0, repeat=True)
    gan = training.build_model(variant_config(recipe, options), (28, 28, 1))
    points = []
    clock = {"train": 0.0, "since": None, "last": 0, "calls": 0}

    class Track(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            clock["since"] = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            clock["calls"] += 1
            if clock["calls"] > 1:  # the first execution traces and compiles: not training speed
                clock["train"] += time.perf_counter() - clock["since"]
            step = int(self.model.g_optimizer.iterations.numpy())
            crossed = step // eval_every > clock["last"] // eval_every
            clock["last"] = step
            if crossed or step >= steps:
                policy = keras.config.dtype_policy()
                distribute.set_precision("float32")
                fid = evaluate(self.model, ["fid"], num=num, reference="mnist:train", features="mnist", seed=0)["fid"]
                keras.config.set_dtype_policy(policy)
                points.append({"step": step, "minutes": clock["train"] / 60, "fid": fid})
                print(json.dumps({"variant": name, **points[-1]}), flush=True)
            if step >= steps:
                self.model.stop_training = True

    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[Track()])
    distribute.set_precision("float32")
    return {"variant": name, **options, "precision": precision, "points": points}  # the resolved policy


def minutes_to(points, target):
    for p in points:
        if p["fid"] <= target:
            return p["minutes"]
    return None


def table(results):
    base = results[0]
    target = base["points"][-1]["fid"]
    lines = [
        f"Target: the FID plain `{base['variant']}` reached after {base['points'][-1]['step']} steps ({target:.1f}).",
        "",
        "| variant | resolved precision | XLA | steps/execution | s / 1k steps | speed vs first | final FID | minutes to target | FID at each eval (minutes) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    base_rate = base["points"][-1]["minutes"] / base["points"][-1]["step"]
    for r in results:
        last = r["points"][-1]
        rate = last["minutes"] / last["step"]
        reach = minutes_to(r["points"], target)
        curve = ", ".join(f"{p['fid']:.1f} ({p['minutes']:.1f})" for p in r["points"])
        lines.append(
            f"| {r['variant']} | {r['precision']} | {'on' if r['jit_compile'] else 'off'} | {r['steps_per_execution']} | "
            f"{60000 * rate:.0f} | {base_rate / rate:.2f}x | {last['fid']:.1f} | "
            f"{'not reached' if reach is None else f'{reach:.1f}'} | {curve} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--num", type=int, default=2000)
    parser.add_argument("--variants", default="float32,auto,xla,spe8,auto+xla+spe8")
    parser.add_argument("--out", default="fid_per_minute", help="result name: benchmarks/results/NAME.md")
    args = parser.parse_args()
    names = [v.strip() for v in args.variants.split(",") if v.strip()]
    for name in names:
        parse_variant(name)  # fail before training anything
    machine = machine_description()  # its load average is the one before training
    results = [train_variant(name, args.steps, args.eval_every, args.num) for name in names]
    text = "\n".join([
        "# FID reached per minute of training (dcgan_mnist recipe)",
        "",
        f"Command: `{command_line()}`",
        "",
        machine,
        "",
        f"Each variant: {args.steps} generator steps, batch 64, seed 0, one after the other in this invocation; "
        f"MNIST-feature FID of {args.num} samples (seed 0) vs MNIST train every {args.eval_every} steps; "
        "minutes exclude scoring and the first execution (tracing/compilation).",
        "",
        table(results),
        "",
    ])
    write_result(args.out, text)


if __name__ == "__main__":
    main()
