"""Soak test: DCGAN trains for many steps; peak RSS and speed early vs late.

Usage:
    python benchmarks/soak.py [--steps 20000] [--batch-size 16] [--early 1000]

Trains ``kerasgan.models.DCGAN`` on real MNIST with ``fit`` (one call, one
epoch per 500 steps, as ``kerasgan train`` does) and records, at the end of
every epoch, the peak resident set size (``ru_maxrss``) and the current RSS.
Reports peak RSS at step ``--early`` and at the end (target: growth <= 5%),
and steps/s over the epochs around both points. The batch size only sets
the cost per step; a leak shows as growth with the step count.
"""

import argparse
import resource
import time

from _common import command_line, machine_description, setup_environment, write_result

setup_environment()


def current_rss_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--early", type=int, default=1000)
    parser.add_argument("--epoch", type=int, default=500, help="steps per fit epoch (a record per epoch)")
    args = parser.parse_args()
    if args.steps % args.epoch or args.early % args.epoch or args.early >= args.steps:
        raise SystemExit("--steps and --early must be multiples of --epoch, and --early < --steps")

    import keras

    from kerasgan import data
    from kerasgan.models import DCGAN

    header = machine_description()
    keras.utils.set_random_seed(0)
    gan = DCGAN(image_shape=(28, 28, 1), seed=0)
    gan.compile()
    dataset = data.load("mnist", batch_size=args.batch_size, seed=0, repeat=True)
    records = []

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.time()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.time() - self.start
            records.append({"step": (epoch + 1) * args.epoch, "peak": peak_rss_mb(), "rss": current_rss_mb(),
                            "steps_per_s": args.epoch / seconds, "d_loss": float(logs["d_loss"])})
            print(f"step {records[-1]['step']}: peak RSS {records[-1]['peak']:.0f} MB, "
                  f"RSS {records[-1]['rss']:.0f} MB, {records[-1]['steps_per_s']:.1f} steps/s", flush=True)

    start = time.time()
    gan.fit(dataset, epochs=args.steps // args.epoch, steps_per_epoch=args.epoch, verbose=0, callbacks=[Record()])
    total = time.time() - start
    early = next(r for r in records if r["step"] == args.early)
    late = records[-1]
    # Speed around each point: the epoch after warm-up at the start, the last epoch at the end.
    growth = late["peak"] / early["peak"] - 1
    lines = [
        "# Soak: DCGAN on MNIST, peak RSS and speed early vs late",
        "",
        header,
        "",
        f"command: `{command_line()}`",
        "",
        f"DCGAN 28x28 (default widths), batch {args.batch_size}, {args.steps} steps in one `fit` "
        f"({args.epoch} steps per epoch), real MNIST via `kerasgan.data.load`; {total / 60:.1f} min in all.",
        "",
        "| | step | peak RSS (MB) | RSS (MB) | steps/s (that epoch) |",
        "|---|---|---|---|---|",
        f"| early | {early['step']} | {early['peak']:.0f} | {early['rss']:.0f} | {early['steps_per_s']:.2f} |",
        f"| late | {late['step']} | {late['peak']:.0f} | {late['rss']:.0f} | {late['steps_per_s']:.2f} |",
        "",
        f"peak RSS growth from step {early['step']} to {late['step']}: **{100 * growth:+.1f}%** "
        f"(target <= +5%: {'met' if growth <= 0.05 else 'NOT met'}); "
        f"speed late/early: **{late['steps_per_s'] / early['steps_per_s']:.2f}x**",
        "",
        "RSS at every epoch (MB): " + ", ".join(f"{r['rss']:.0f}" for r in records),
    ]
    write_result("soak", "\n".join(lines))


if __name__ == "__main__":
    main()
