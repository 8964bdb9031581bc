"""Scores every checkpoint of a run: the FID-against-steps curve of a zoo card, and the step to release.

Usage:
    python tools/fid_curve.py RUN_DIR [--num 5000] [--reference mnist:train] [--svg curve.svg] [--every STEPS]
                                      [--features mnist|emoji|inception]

Each complete checkpoint in RUN_DIR/checkpoints is loaded (sha256-checked),
its sampling generator (the EMA one when the run keeps one) draws ``--num``
samples with seed 0, and the MNIST-classifier scores are measured against
the *validation* reference (MNIST train split by default: the test split is
kept for the card's final report). 64x64 colour emoji runs are scored with
``--features inception`` (FID only; slow on a CPU) or ``--features emoji``
(the shipped emoji classifier's features: fast, but they follow drawing style
rather than image quality). A conditional model draws every class in
turn and adds conditional accuracy and intra-class FID to its row. Scores are cached in RUN_DIR/curve.json,
so rerunning after the run has trained on only scores the new checkpoints.
It prints the table, the selected step (lowest validation FID) and whether
the curve has flattened (the best FID of the last third of the steps is
within 5% of the best before them), and writes an SVG plot.
"""

import argparse
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
FEATURE_NAMES = {"mnist": "MNIST-feature", "emoji": "Emoji-feature", "inception": "Inception"}


def score_run(run_dir, num=5000, reference="mnist:train", seed=0, every=None, features="mnist"):
    """{step: scores} for every complete checkpoint (or every ``every`` steps and the newest), cached in RUN_DIR/curve.json.

    With ``features="mnist"`` a row also has the classifier's confident share and class coverage;
    other feature networks give FID alone.
    """
    from kerasgan import training
    from kerasgan.metrics.evaluate import evaluate

    run = training.Run(run_dir)
    cache_path = pathlib.Path(run.output) / "curve.json"
    protocol = {"num": num, "reference": reference, "seed": seed, "features": features}
    cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    if cache.get("protocol") != protocol:
        cache = {"protocol": protocol, "steps": {}}
    checkpoints = run.checkpoints()
    newest = checkpoints[-1][0] if checkpoints else None
    for step, _, _ in checkpoints:
        if str(step) in cache["steps"] or (every and step % every and step != newest):
            continue
        gan = training.load_checkpoint(run.output, step)
        # A conditional model draws every class in turn and is also scored on
        # whether its samples are of the class asked for.
        conditional = getattr(gan, "num_classes", None) is not None and features == "mnist"
        classifier = ["confident", "coverage"] if features == "mnist" else []
        metrics = ["fid"] + classifier + (["conditional_accuracy", "intra_fid"] if conditional else [])
        scores = evaluate(gan, metrics, num=num, reference=reference, features=features, seed=seed)
        row = {"fid": scores["fid"]}
        if classifier:
            row.update(confident=scores["confident"]["share"], min_class_share=min(scores["confident"]["class_shares"]),
                       classes_covered=scores["coverage"]["classes_covered"])
        if conditional:
            row.update(conditional_accuracy=scores["conditional_accuracy"], intra_fid=scores["intra_fid"]["mean"])
        cache["steps"][str(step)] = row
        tmp = cache_path.with_name(".tmp-curve.json")
        tmp.write_text(json.dumps(cache, indent=1) + "\n")
        os.replace(tmp, cache_path)
        print(f"step {step}: " + ", ".join(f"{k} {v:.4g}" for k, v in cache["steps"][str(step)].items()), flush=True)
    return {int(k): v for k, v in cache["steps"].items()}


#: Fewer scored checkpoints than this cannot show whether a curve has flattened.
MIN_POINTS = 4


def select(curve):
    """(best step, flattened?) : lowest FID; flat when the best of the last third of the steps (by step
    count, not by number of points: checkpoints may be scored unevenly) improves on the best before it by
    less than 5%; ``None`` (cannot tell) with fewer than ``MIN_POINTS`` scored checkpoints."""
    steps = sorted(curve)
    best = min(steps, key=lambda s: curve[s]["fid"])
    if len(steps) < MIN_POINTS:
        return best, None
    cut = steps[-1] - (steps[-1] - steps[0]) / 3
    tail = [s for s in steps if s > cut] or steps[-1:]
    earlier = [s for s in steps if s not in tail]
    flat = bool(earlier) and min(curve[s]["fid"] for s in tail) >= 0.95 * min(curve[s]["fid"] for s in earlier)
    return best, flat


def svg(curve, title, selected=None, width=480, height=260):
    """A small line plot of FID against steps (log y axis) as SVG text."""
    import math

    steps = sorted(curve)
    fids = [curve[s]["fid"] for s in steps]
    left, right, top, bottom = 56, 12, 28, 40
    x0, x1 = min(steps), max(steps)
    lo, hi = math.log10(min(fids)), math.log10(max(fids))
    lo, hi = math.floor(lo * 5) / 5, math.ceil(hi * 5) / 5 if hi > lo else lo + 0.2

    def px(step):
        return left + (step - x0) / max(1, x1 - x0) * (width - left - right)

    def py(fid):
        return top + (hi - math.log10(fid)) / (hi - lo) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="12">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>']
    for tick in _ticks(10 ** lo, 10 ** hi):
        y = py(tick)
        out.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for step in _ticks(x0, x1, log=False):
        out.append(f'<text x="{px(step):.1f}" y="{height - bottom + 14}" text-anchor="middle">{step / 1000:g}k</text>')
    out.append(f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle">generator steps</text>')
    out.append(f'<text x="14" y="{height / 2}" text-anchor="middle" transform="rotate(-90 14 {height / 2})">FID (log)</text>')
    points = " ".join(f"{px(s):.1f},{py(f):.1f}" for s, f in zip(steps, fids))
    out.append(f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    if selected is not None:
        out.append(f'<circle cx="{px(selected):.1f}" cy="{py(curve[selected]["fid"]):.1f}" r="4" fill="#d62728"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _ticks(lo, hi, log=True):
    import math

    if log:
        ticks = [m * 10 ** e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1) for m in (1, 2, 5)]
        return [t for t in ticks if lo <= t <= hi]
    span = hi - lo or 1
    step = 10 ** math.floor(math.log10(span / 4))
    for m in (1, 2, 5, 10):
        if span / (m * step) <= 6:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) // step) + 1)]


def table(curve, best=None):
    """The curve as a Markdown table (MNIST-classifier columns when scored with them; conditional runs add
    conditional accuracy and intra-class FID)."""
    conditional = any("conditional_accuracy" in c for c in curve.values())
    classifier = any("confident" in c for c in curve.values())
    head = ["step", "FID (validation)"] + (["confident share", "smallest class share", "classes"] if classifier else [])
    head += ["conditional accuracy", "intra-class FID"] if conditional else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for step in sorted(curve):
        c = curve[step]
        mark = " **selected**" if step == best else ""
        row = [str(step), f"{c['fid']:.2f}{mark}"]
        if classifier:
            row += [f"{c['confident']:.3f}", f"{c['min_class_share']:.3f}", str(c["classes_covered"])] if "confident" in c else ["–"] * 3
        if conditional:
            row += [f"{c['conditional_accuracy']:.3f}", f"{c['intra_fid']:.2f}"] if "conditional_accuracy" in c else ["–", "–"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--num", type=int, default=5000)
    parser.add_argument("--reference", default="mnist:train")
    parser.add_argument("--svg", help="write the plot here (default RUN_DIR/curve.svg)")
    parser.add_argument("--title", default=None, help="plot title (default: FID of the feature network vs the reference)")
    parser.add_argument("--features", default="mnist", choices=("mnist", "emoji", "inception"),
                        help="feature network: mnist (28x28, with the classifier's shares), emoji (64x64 colour), inception")
    parser.add_argument("--every", type=int, default=None, help="score only checkpoints at multiples of this step (and the newest)")
    args = parser.parse_args(argv)
    curve = score_run(args.run_dir, num=args.num, reference=args.reference, every=args.every, features=args.features)
    if not curve:
        raise SystemExit(f"{args.run_dir} holds no complete checkpoint")
    best, flat = select(curve)
    print(table(curve, best))
    verdict = {True: "has flattened", False: "is still falling", None: f"cannot tell (fewer than {MIN_POINTS} scored checkpoints)"}[flat]
    print(f"selected step {best}; curve {verdict}")
    path = args.svg or os.path.join(args.run_dir, "curve.svg")
    title = args.title or f"{FEATURE_NAMES[args.features]} FID vs {args.reference} (validation)"
    pathlib.Path(path).write_text(svg(curve, title, selected=best))
    print(f"plot: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
