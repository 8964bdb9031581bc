"""The per-direction table of a multi-domain translation model (StarGAN's card): one markdown table per metric.

Usage:
    python tools/translation_table.py MODEL [--metrics l1,fid,style_accuracy] [--split test] [--baseline copy] [--json F]

MODEL is a zoo name or a .keras file; rows are source styles, columns target styles, each cell
``kerasgan.metrics.evaluate.evaluate_translation`` of that direction on the paired emoji test split.
"""

import argparse
import json
import sys


def markdown(result):
    """One markdown table per metric: rows source, columns target."""
    styles = result["protocol"]["styles"]
    lines = []
    for metric, rows in result["table"].items():
        lines += [f"**{metric}** (rows: source, columns: target)", "", "| source \\ target | " + " | ".join(styles) + " |",
                  "|---" * (len(styles) + 1) + "|"]
        for source in styles:
            cells = []
            for target in styles:
                value = rows[source].get(target)
                cells.append("–" if value is None else (f"{value[0]:.4f}" if isinstance(value, (list, tuple)) else f"{value:.4f}"))
            lines.append(f"| {source} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="zoo name or .keras file")
    parser.add_argument("--metrics", default="l1,fid,style_accuracy")
    parser.add_argument("--split", default="test")
    parser.add_argument("--baseline", choices=("copy",), help="score the source images themselves")
    parser.add_argument("--json", help="also write the table to this .json file")
    args = parser.parse_args(argv)
    from kerasgan import zoo
    from kerasgan.metrics.evaluate import translation_table

    model = zoo.load_any(args.model)
    result = translation_table(model, [m for m in args.metrics.split(",") if m], split=args.split, baseline=args.baseline)
    print(markdown(result))
    print("protocol: " + json.dumps(result["protocol"], sort_keys=True))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
