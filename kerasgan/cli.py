"""The ``kerasgan`` command line: a thin layer over library functions.

Every error is one line on stderr with exit code 2, never a traceback.
"""

import argparse
import json
import os
import sys
import time

EXIT_USAGE = 2


class CLIError(Exception):
    """An error to report as one line (exit code 2)."""


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value

    return parse


def _quiet_tensorflow():
    """Imports TensorFlow without its native start-up log lines on stderr.

    The GPU wheel logs cuInit errors on CPU-only machines (silenced by
    TF_CPP_MIN_LOG_LEVEL); on CPUs with AVX-512 TF 2.21 also prints absl's
    "All log messages before absl::InitializeLog()" and oneDNN notices during
    the import, which ignore that variable. The CLI's stderr is for its own
    one-line errors, so file descriptor 2 points at /dev/null while
    TensorFlow loads (Python errors raised by the import still show: they are
    printed after it is restored). KERASGAN_VERBOSE_IMPORT=1 keeps the lines.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules or os.environ.get("KERASGAN_VERBOSE_IMPORT"):
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced by an object without a descriptor
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _json_object(text):
    try:
        value = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a JSON object, got {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object like '{{\"g_width\": 32}}', got {text!r}")
    return value


def _lr_decay(text):
    start, sep, steps = text.partition(":")
    if not sep or not start.isdigit() or not steps.isdigit() or int(steps) == 0:
        raise argparse.ArgumentTypeError(f"expected START:STEPS (e.g. 150000:50000, decay from step 150000 to 0 at 200000), got {text!r}")
    return {"start": int(start), "steps": int(steps)}


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``kerasgan: error: ...``) and exit code 2, like every other error."""

    def error(self, message):
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        where = f" {command}" if command else ""
        self.exit(EXIT_USAGE, f"kerasgan: error: {message} (see `kerasgan{where} --help`)\n")


def build_parser():
    parser = _Parser(
        prog="kerasgan",
        description="kerasgan: train, sample, evaluate and export GANs (Keras 3).",
    )
    from kerasgan import __version__

    parser.add_argument("--version", action="version", version=f"kerasgan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("train", help="train an architecture (or a zoo recipe) on a dataset")
    p.add_argument("model", nargs="?", help="architecture name (see `kerasgan list`)")
    p.add_argument("--recipe", help="reproduce a zoo entry from its recipe (e.g. dcgan_mnist)")
    p.add_argument("--dataset", help="mnist, fashion_mnist, a TFDS name, a folder or an .npz file")
    p.add_argument("--split", help="split to train on (default train); a slice such as 'train[:50000]' holds the rest out")
    p.add_argument("--steps", type=_positive(int), help="generator steps to train")
    p.add_argument("--batch-size", type=_positive(int), help="batch size (default: the model's recipe)")
    p.add_argument("--seed", type=int, help="random seed (default 0, or the recipe's)")
    p.add_argument("--output", required=True, help="output folder (model.keras, samples/)")
    p.add_argument("--image-size", type=_positive(int), help="resize images from folders to this size")
    p.add_argument("--loss", help="loss pair, e.g. modified, minimax, wasserstein, hinge")
    p.add_argument("--sample-every", type=_positive(int), help="steps between sample grids (default steps/10)")
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="Keras fit verbosity")
    p.add_argument("--model-args", type=_json_object, help='architecture arguments as JSON, e.g. \'{"sync_batch_norm": true}\'')
    p.add_argument("--compile-args", type=_json_object,
                   help='compile options as JSON (merged over the recipe\'s), e.g. \'{"label_smoothing": 0.25, "augment": "diffaugment"}\'')
    p.add_argument("--log-coverage", type=_positive(int), metavar="NUM", help="MNIST-like data: log classes covered and KL to uniform of NUM samples per epoch")
    p.add_argument("--checkpoint-every", type=_positive(int), help="steps between checkpoints in OUTPUT/checkpoints")
    p.add_argument("--keep-checkpoints", type=_positive(int), help="complete checkpoints to keep (default 3, or the resumed run's)")
    p.add_argument("--resume", action="store_true", help="continue the run in --output from its last complete checkpoint (or its finished model.keras)")
    p.add_argument("--strategy", choices=("default", "mirrored", "multiworker", "tpu"), help="tf.distribute strategy")
    p.add_argument("--precision", choices=("float32", "mixed_float16", "mixed_bfloat16", "auto"), help="dtype policy (default float32)")
    p.add_argument("--jit-compile", choices=("auto", "on", "off"), help="XLA compilation of the train step")
    p.add_argument("--num-labelled", type=_positive(int), metavar="N", help="semi-supervised models (ssgan): training images that keep their label (balanced over classes; default 100)")
    p.add_argument("--steps-per-execution", type=_positive(int), metavar="N", help="train steps per call of the compiled train function (default 1; must divide --steps, --checkpoint-every and --sample-every)")
    p.add_argument("--lr-decay", type=_lr_decay, metavar="START:STEPS", help="hold every learning rate until step START, then decay it linearly to 0 over STEPS steps (a resumed run may add it from a step it has not trained yet)")

    p = sub.add_parser("sample", help="write a grid of samples from a zoo model or a .keras file")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("--num", type=_positive(int), default=64, help="number of images (default 64)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="samples.png", help="a .png (one grid, default samples.png), an .npz (uint8 array 'x', written incrementally) or a folder (one PNG per sample)")
    p.add_argument("--weights", help="explicit weights file for a zoo entry")
    p.add_argument("--labels", help="conditional models: classes to draw, e.g. 0-9 or 1,3,5 (a grid row per class)")
    p.add_argument("--per-label", type=_positive(int), metavar="N", help="with --labels or --text: images per class or caption (default 8); replaces --num")
    p.add_argument("--text", action="append", metavar="CAPTION", help="text -> image models: a caption (repeat for more; a grid row per caption)")

    p = sub.add_parser("interpolate", help="a grid of latent interpolations between pairs of seeds")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("--seeds", default="0,1", help="comma list of seeds; a row per consecutive pair (default 0,1)")
    p.add_argument("--steps", type=_positive(int), default=8, help="images per row, both ends included (default 8)")
    p.add_argument("--method", choices=("slerp", "lerp"), default="slerp", help="path (default slerp)")
    p.add_argument("--label", type=int, help="conditional models: the class of every image")
    p.add_argument("--out", default="interpolation.png", help="output PNG grid")
    p.add_argument("--weights", help="explicit weights file for a zoo entry")

    p = sub.add_parser("invert", help="find latents that reconstruct images; writes inputs and reconstructions as a grid")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("input", help="an image file or a folder of images (resized to the model's size)")
    p.add_argument("--space", choices=("z", "w", "w+"), default="z", help="latent space (w and w+: style-based models)")
    p.add_argument("--steps", type=_positive(int), default=300, help="optimisation steps (default 300)")
    p.add_argument("--loss", choices=("pixel", "pixel+features"), default="pixel", help="reconstruction loss (default pixel)")
    p.add_argument("--out", default="inversion.png", help="output PNG grid: inputs in the first row, reconstructions below")
    p.add_argument("--latents", help="also save the latents to this .npy file")
    p.add_argument("--weights", help="explicit weights file for a zoo entry")

    p = sub.add_parser("directions", help="a grid walking the SeFa closed-form latent directions (Shen & Zhou 2021)")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("--num", type=_positive(int), default=5, help="directions, one row each (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the latent the rows start from (default 0)")
    p.add_argument("--magnitude", type=float, default=3.0, help="walk from -M to +M along each unit direction (default 3)")
    p.add_argument("--steps", type=_positive(int), default=7, help="images per row (default 7)")
    p.add_argument("--out", default="directions.png", help="output PNG grid")
    p.add_argument("--weights", help="explicit weights file for a zoo entry")

    p = sub.add_parser("translate", help="translate images with an image-to-image model (pix2pix, CycleGAN, StarGAN)")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("input", help="an image file or a folder of images (resized to the model's size)")
    p.add_argument("--to", help="target style by name (see the model's styles); one-direction models need none")
    p.add_argument("--out", required=True, help="output folder (a new or empty one): one PNG per input, same names")
    p.add_argument("--weights", help="explicit weights for a zoo entry")
    p.add_argument("--seed", type=int, default=0, help="random seed (test-time dropout of pix2pix)")

    p = sub.add_parser("upscale", help="super-resolve an image with a super-resolution model (SRGAN)")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("input", help="an image file, any size (the generator is fully convolutional)")
    p.add_argument("--out", required=True, help="output PNG (scale times the input's width and height)")
    p.add_argument("--scale", type=_positive(int), help="the factor expected (checked against the model's)")
    p.add_argument("--weights", help="explicit weights for a zoo entry")

    sub.add_parser("list", help="list architectures and zoo entries")

    p = sub.add_parser("info", help="show a zoo entry as JSON")
    p.add_argument("name")

    p = sub.add_parser("download", help="fetch zoo weights for offline use (into $KERASGAN_HOME/zoo)")
    p.add_argument("names", nargs="*", help="zoo entries (see `kerasgan list`)")
    p.add_argument("--all", action="store_true", help="every entry that has weights")

    p = sub.add_parser("export", help="export a zoo model or .keras file as SavedModel or TFLite")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("--format", default="savedmodel", choices=("savedmodel", "tflite"))
    p.add_argument("--quantize", choices=("dynamic_int8",), help="TFLite only: dynamic-range int8")
    p.add_argument("--out", required=True, help="output folder (savedmodel) or .tflite file")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--weights", help="explicit weights for a zoo entry")

    p = sub.add_parser("eval", help="score a zoo model or .keras file (FID with an explicit protocol)")
    p.add_argument("model", help="zoo name or path to a .keras file")
    p.add_argument("--metrics", help="comma list of fid, kid, pr, dc, is, coverage, classifier_score, confident, parzen (default fid,coverage); conditional models also conditional_accuracy, class_coverage, intra_fid; image-to-image models l1, psnr, ssim, fid, kid (default: all five); models that encode knn, linear_probe, that classify test_error, InfoGAN code_accuracy (on --reference's source); super-resolution models psnr, ssim, fid, kid (default all four); 64x64 emoji generators style_entropy, novelty; text -> image models category_agreement, retrieval")
    p.add_argument("--num", type=_positive(int), default=10000, help="generated samples (default 10000)")
    p.add_argument("--reference", default="mnist:test", help="reference set SOURCE:SPLIT (default mnist:test)")
    p.add_argument("--features", default="mnist", choices=("mnist", "inception", "emoji"),
                   help="feature network: mnist (28x28), inception (the FID network) or emoji (64x64 colour emoji classifier)")
    p.add_argument("--resize", default="legacy_tf", choices=("legacy_tf", "clean"), help="Inception resize mode")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the result to this JSON file")
    p.add_argument("--split", choices=("train", "test"), help="image-to-image, super-resolution and text -> image models: split of the emoji (default test)")
    p.add_argument("--baseline", choices=("copy", "bicubic"), help="score a baseline instead of the model's outputs: copy (image-to-image: the source images) or bicubic (super-resolution)")
    p.add_argument("--to", help="image-to-image models: target style (default the model's)")
    p.add_argument("--from", dest="source", help="image-to-image models: source style (default the model's; needed for multi-domain models)")
    p.add_argument("--weights", help="explicit weights for a zoo entry")

    p = sub.add_parser("convert", help="import a third-party checkpoint (needs torch)")
    from kerasgan.convert import CONVERTERS  # numpy only: the CLI still starts without TensorFlow

    p.add_argument("kind", choices=tuple(CONVERTERS),
                   help="; ".join(f"{name}: {entry['help']}" for name, entry in CONVERTERS.items()))
    p.add_argument("checkpoint", help="generator state_dict file (e.g. netG.pth)")
    p.add_argument("--discriminator", help="discriminator state_dict file (e.g. netD.pth)")
    p.add_argument("--out", required=True, help="output folder for the converted weights")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0
    except CLIError as err:
        return _fail(str(err))
    except (ValueError, TypeError, ImportError, FileNotFoundError, NotADirectoryError, PermissionError, KeyError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        return _fail(str(message))
    except OSError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return _fail("interrupted")


def _fail(message):
    message = " ".join(str(message).split()) or "failed"
    print(f"kerasgan: error: {message}", file=sys.stderr)
    return EXIT_USAGE


# ---------------------------------------------------------------- commands
def cmd_list(args):
    _quiet_tensorflow()
    from kerasgan import models, zoo

    print("architectures:")
    for name in models.list_architectures():
        print(f"  {name}")
    print("zoo entries:")
    for name in zoo.list():
        entry = zoo.info(name)
        status = "" if entry.get("weights_available", True) else "  (no shipped weights)"
        print(f"  {name:<20} {entry.get('description', '')}{status}")


def cmd_info(args):
    _quiet_tensorflow()
    from kerasgan import zoo

    print(json.dumps(zoo.info(args.name), indent=2, default=str))


def cmd_download(args):
    from kerasgan.zoo import registry

    if args.all and args.names:
        raise CLIError("give zoo entry names or --all, not both")
    if args.all:
        names = [n for n in registry.list() if registry.get_entry(n).files]
    elif args.names:
        names = list(dict.fromkeys(args.names))
        for name in names:
            registry.get_entry(name)  # unknown names fail before anything is fetched
    else:
        raise CLIError("name the zoo entries to download (see `kerasgan list`) or pass --all")
    for name in names:
        paths = registry.download(name)
        folders = sorted({str(p.parent) for p in paths.values()})
        print(f"{name}: {len(paths)} files verified in {', '.join(folders)}")


def _check_writable_file(path, suffix=None):
    path = os.path.abspath(path)
    if suffix and not path.lower().endswith(suffix):
        raise CLIError(f"output file {path} must end with {suffix}")
    parent = os.path.dirname(path)
    if os.path.isdir(path):
        raise CLIError(f"output {path} is a directory: give a file name ending with {suffix}")
    probe = parent
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe) or not os.access(probe, os.W_OK):
        raise CLIError(f"cannot write to {parent} ({probe} is not a writable folder): choose another output path")
    return path


def _load_model(name_or_path, weights=None):
    from kerasgan import zoo

    return zoo.load_any(name_or_path, weights=weights or None, compile=False)  # ValueError: main's one-line error


def _sample_target(out):
    """("grid" | "npz" | "folder", absolute path) for ``kerasgan sample --out``."""
    ext = os.path.splitext(out.rstrip("/" + os.sep))[1].lower()
    if ext == ".png":
        return "grid", _check_writable_file(out, ".png")
    if ext == ".npz":
        return "npz", _check_writable_file(out, ".npz")
    if ext and not os.path.isdir(out):
        raise CLIError(
            f"--out {out} must end with .png (one grid), .npz (all samples as a uint8 array) or name a folder "
            f"(one PNG per sample)"
        )
    folder = os.path.abspath(out)
    if os.path.exists(folder) and (not os.path.isdir(folder) or os.listdir(folder)):
        raise CLIError(f"--out {folder} exists and is not an empty folder: choose a new or empty folder for the PNGs")
    _check_writable_file(os.path.join(folder, "00000000.png"), ".png")
    return "folder", folder


def cmd_sample(args):
    kind, out = _sample_target(args.out)
    _quiet_tensorflow()
    from kerasgan.utils import sample_files
    from kerasgan.utils.images import save_grid

    if args.per_label is not None and args.labels is None and args.text is None:
        raise CLIError("--per-label needs --labels (e.g. --labels 0-9) or --text")
    if args.labels is not None and args.text is not None:
        raise CLIError("give --labels (class-conditional models) or --text (text -> image models), not both")
    classes = _parse_labels(args.labels) if args.labels is not None else None
    gan = _load_model(args.model, args.weights)
    if not hasattr(gan, "sample"):
        raise CLIError(
            f"{args.model} translates images; it has no latent space to sample from: use "
            f"`kerasgan translate {args.model} input.png --out DIR`"
        )
    labels, nrow = None, None
    takes_text = hasattr(gan, "tokenize")
    if args.text is not None:
        if not takes_text:
            raise CLIError(f"--text: {args.model} does not draw from captions: drop --text")
        per_text = args.per_label or 8
        texts = [t for t in args.text for _ in range(per_text)]
        args.num, nrow = len(texts), per_text
        try:
            labels = gan.check_labels(texts, len(texts), what="--text")
        except ValueError as err:
            raise CLIError(f"--text: {err}")
    elif takes_text:
        raise CLIError(f"{args.model} draws images from captions: pass --text \"...\" (e.g. --text \"smiling cat face\")")
    elif classes is not None:
        if getattr(gan, "num_classes", None) is None:
            raise CLIError(f"--labels: {args.model} is an unconditional model: drop --labels")
        per_label = args.per_label or 8
        labels = [k for k in classes for _ in range(per_label)]
        args.num, nrow = len(labels), per_label
        gan.check_labels(labels, len(labels), what="--labels")
    elif getattr(gan, "num_classes", None) is not None:
        raise CLIError(f"{args.model} is conditional ({gan.num_classes} classes): pass --labels (e.g. --labels 0-{gan.num_classes - 1})")
    if kind == "grid":
        try:
            sample_files.check_grid_size(args.num, gan.image_shape)
        except ValueError as err:
            raise CLIError(str(err))
        save_grid(gan.sample(args.num, seed=args.seed, labels=labels), out, nrow=nrow)
    else:
        progress = None
        if args.num > 10000:
            import keras

            progress = keras.utils.Progbar(args.num, unit_name="image").add
        batches = gan.iter_samples(args.num, seed=args.seed, labels=labels)
        if kind == "npz":
            sample_files.write_npz(batches, out, args.num, gan.image_shape, progress=progress)
        else:
            sample_files.write_png_folder(batches, out, args.num, progress=progress)
    print(f"wrote {args.num} samples to {out}")


def _parse_labels(text):
    """'0-9' -> [0..9]; '1,3,5' -> [1, 3, 5]; '2-4,7' -> [2, 3, 4, 7]."""
    out = []
    for part in str(text).split(","):
        part = part.strip()
        lo, dash, hi = part.partition("-")
        try:
            if dash:
                lo, hi = int(lo), int(hi)
                if hi < lo:
                    raise ValueError
                out.extend(range(lo, hi + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise CLIError(f"--labels {text!r}: use class indices and ranges such as 0-9 or 1,3,5") from None
    return out


def cmd_train(args):
    if args.recipe and args.model:
        raise CLIError("give either an architecture or --recipe, not both")
    if not args.recipe and not args.model and not args.resume:
        raise CLIError("name an architecture to train (see `kerasgan list`) or pass --recipe NAME")
    output = os.path.abspath(args.output)
    if os.path.exists(output) and not os.path.isdir(output):
        raise CLIError(f"--output {output} exists and is not a folder: choose a new or existing folder")
    _quiet_tensorflow()
    from kerasgan import training

    extra = {
        "strategy": args.strategy,
        "precision": args.precision,
        "jit_compile": {"on": True, "off": False, "auto": "auto", None: None}[args.jit_compile],
        "log_coverage": args.log_coverage,
        "steps_per_execution": args.steps_per_execution,
        "num_labelled": args.num_labelled,
        "lr_decay": args.lr_decay,
        "split": args.split,
    }
    if args.recipe:
        config = training.recipe_config(args.recipe)
        for key in ("dataset", "steps", "batch_size", "image_size", "loss"):
            value = getattr(args, key)
            if value is not None:
                config[key] = value
        config["seed"] = args.seed if args.seed is not None else config.get("seed", 0)
        config.update({k: v for k, v in extra.items() if v is not None})
        if args.model_args:
            config["model_args"] = {**(config.get("model_args") or {}), **args.model_args}
        if args.compile_args:
            config["compile_args"] = {**(config.get("compile_args") or {}), **args.compile_args}
    elif args.model:
        if args.dataset is None and not args.resume:
            raise CLIError("--dataset is required (e.g. --dataset mnist)")
        if args.steps is None and not args.resume:
            raise CLIError("--steps is required (e.g. --steps 2000)")
        config = {
            "architecture": args.model,
            "dataset": args.dataset,
            "steps": args.steps,
            "batch_size": args.batch_size,
            "seed": args.seed,
            "image_size": args.image_size,
            "loss": args.loss,
            "model_args": args.model_args,
            "compile_args": args.compile_args,
            **extra,
        }
    else:  # --resume with only --output (and maybe a larger --steps)
        config = None
        if args.compile_args:
            raise CLIError("--compile-args: a resumed run keeps the compile options it started with; drop --compile-args")
        if args.steps is not None or any(v is not None for v in extra.values()):
            config = {"steps": args.steps, **extra}
    start = time.time()
    try:
        result = training.train(
            config,
            output,
            sample_every=args.sample_every,
            verbose=args.verbose,
            checkpoint_every=args.checkpoint_every,
            keep_checkpoints=args.keep_checkpoints,
            resume=args.resume,
        )
    except training.TrainingDiverged as err:
        raise CLIError(str(err))
    minutes = (time.time() - start) / 60
    done = "resumed at step %d, trained to" % result["initial_step"] if result["initial_step"] else "trained"
    print(f"{done} {result['model'].g_optimizer.iterations.numpy()} steps in {minutes:.1f} min; model: {result['model_path']}")
    print(f"samples: {result['last_grid']}")


def cmd_export(args):
    if args.quantize and args.format != "tflite":
        raise CLIError("--quantize applies to --format tflite only")
    if args.format == "tflite":
        _check_writable_file(args.out, ".tflite")
    if os.path.exists(args.out) and not args.overwrite:
        raise CLIError(f"{args.out} already exists: choose another --out or pass --overwrite")
    _quiet_tensorflow()
    gan = _load_model(args.model, args.weights)
    path = gan.export(args.out, format=args.format, quantize=args.quantize, overwrite=args.overwrite)
    print(f"exported {args.model} as {args.format} to {path}")


def _print_translation_scores(result):
    print("| metric | value |\n|---|---|")
    for key, value in result.items():
        if key == "protocol":
            continue
        if key == "kid":
            print(f"| kid (inception features) | {value[0]:.4f} ± {value[1]:.4f} |")
        else:
            print(f"| {key} | {value:.4f} |")
    print("protocol: " + json.dumps(result["protocol"], sort_keys=True))


def _print_nested_scores(result):
    """Style and text scores: numbers and dicts of numbers, one row each."""
    print("| metric | value |\n|---|---|")
    for key, value in result.items():
        if key == "protocol":
            continue
        items = value.items() if isinstance(value, dict) else [("", value)]
        for name, number in items:
            label = f"{key} {name}".strip()
            shown = "[" + ", ".join(f"{v:.3f}" for v in number) + "]" if isinstance(number, list) else f"{number:.4f}"
            print(f"| {label} | {shown} |")
    print("protocol: " + json.dumps(result["protocol"], sort_keys=True))


def _write_json(path, result):
    """``kerasgan eval --json PATH``: the scores and their protocol (nothing when no path was given)."""
    if path:
        with open(path, "w") as f:
            json.dump(result, f, indent=2)


def cmd_eval(args):
    metrics = [m.strip() for m in (args.metrics or "").split(",") if m.strip()]
    if args.json:
        _check_writable_file(args.json, ".json")
    _quiet_tensorflow()
    from kerasgan.metrics.evaluate import (
        REPRESENTATION_METRICS,
        STYLE_METRICS,
        SUPER_RESOLUTION_METRICS,
        TEXT_METRICS,
        DEFAULT_TRANSLATION_METRICS,
        evaluate,
        evaluate_representation,
        evaluate_styles,
        evaluate_super_resolution,
        evaluate_text,
        evaluate_translation,
    )

    gan = _load_model(args.model, args.weights)
    if args.baseline and not hasattr(gan, "translate"):
        raise CLIError("--baseline applies to image-to-image models (copy) and super-resolution models (bicubic)")
    if not metrics and hasattr(gan, "embed_text"):
        metrics = list(TEXT_METRICS)  # a text -> image model has no unconditional samples to score
    for group, function in ((STYLE_METRICS, evaluate_styles), (TEXT_METRICS, evaluate_text)):
        chosen = [m for m in metrics if m in group]
        if not chosen:
            continue
        if len(chosen) != len(metrics):
            raise CLIError(f"score {', '.join(chosen)} in a run of their own (without {', '.join(m for m in metrics if m not in chosen)})")
        if function is evaluate_styles:
            result = evaluate_styles(gan, chosen, num=args.num, seed=args.seed)
        else:
            result = evaluate_text(gan, chosen, split=args.split or "test", seed=args.seed)
        _print_nested_scores(result)
        _write_json(args.json, result)
        return
    if hasattr(gan, "upscale"):
        if args.baseline not in (None, "bicubic"):
            raise CLIError(f"--baseline {args.baseline}: a super-resolution model's baseline is bicubic")
        result = evaluate_super_resolution(gan, metrics or SUPER_RESOLUTION_METRICS, split=args.split or "test", baseline=args.baseline,
                                           resize=args.resize, seed=args.seed)
        _print_translation_scores(result)
        _write_json(args.json, result)
        return
    representation = [m for m in metrics if m in REPRESENTATION_METRICS]
    if representation:
        if len(representation) != len(metrics):
            raise CLIError(f"score {', '.join(representation)} in a run of their own (without {', '.join(m for m in metrics if m not in representation)})")
        source = args.reference.partition(":")[0]
        result = evaluate_representation(gan, representation, source=source, num=args.num, seed=args.seed)
        print("| metric | value |\n|---|---|")
        for key in representation:
            value = result[key]
            if key == "test_error":
                print(f"| test errors | {value['errors']} of {result['protocol']['test_images']} ({100 * value['rate']:.2f} %) |")
            elif key == "cluster_error":
                print(f"| cluster test errors | {value['errors']} of {result['protocol']['test_images']} ({100 * value['rate']:.2f} %), "
                      f"{value['clusters_used']} clusters used |")
            elif key == "code_accuracy":
                print(f"| categorical code -> digit accuracy (best matching) | {value['accuracy']:.4f} |")
            else:
                print(f"| {key} accuracy | {value:.4f} |")
        print("protocol: " + json.dumps(result["protocol"], sort_keys=True))
        _write_json(args.json, result)
        return
    if hasattr(gan, "translate"):
        if args.baseline not in (None, "copy"):
            raise CLIError(f"--baseline {args.baseline}: an image-to-image model's baseline is copy (the source images)")
        result = evaluate_translation(gan, metrics or DEFAULT_TRANSLATION_METRICS, split=args.split or "test", source=args.source, target=args.to, seed=args.seed,
                                      resize=args.resize, baseline=args.baseline)
        _print_translation_scores(result)
        _write_json(args.json, result)
        return
    if args.split is not None or args.to is not None or args.source is not None:
        raise CLIError("--split, --from and --to apply to image-to-image models: use --reference SOURCE:SPLIT for latent models")
    result = evaluate(gan, metrics or ["fid", "coverage"], num=args.num, reference=args.reference, features=args.features,
                      seed=args.seed, resize=args.resize, verbose=1)
    print("| metric | value |\n|---|---|")
    for key, value in result.items():
        if key == "protocol":
            continue
        if isinstance(value, dict) and "class_shares" in value:
            print(f"| share of samples read with p > {value['threshold']:g} | {value['share']:.3f} |")
            print(f"| smallest class share | {min(value['class_shares']):.3f} |")
        elif isinstance(value, dict) and "classes_covered" in value:
            print(f"| classes covered | {value['classes_covered']} / {len(value['histogram'])} |")
            print(f"| KL(class histogram || uniform) | {value['kl_to_uniform']:.4f} |")
        elif isinstance(value, dict) and "std_error" in value:
            print(f"| parzen log-likelihood (sigma {value['sigma']:.3f}) | {value['mean']:.1f} ± {value['std_error']:.1f} |")
        elif isinstance(value, dict) and "std" in value:
            print(f"| {key} | {value['mean']:.4f} ± {value['std']:.4f} |")
        elif isinstance(value, dict):
            for name, number in value.items():
                print(f"| {name} | {number:.4f} |")
        else:
            print(f"| {key} ({args.features} features) | {value:.3f} |")
    print("protocol: " + json.dumps(result["protocol"], sort_keys=True))
    _write_json(args.json, result)


def _translate_inputs(path):
    from kerasgan.data import IMAGE_EXTENSIONS

    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise CLIError(f"no such file or folder: {path}")
    files = sorted(os.path.join(path, n) for n in os.listdir(path) if not n.startswith("."))
    files = [f for f in files if os.path.isfile(f)]
    others = [f for f in files if os.path.splitext(f)[1].lower() not in IMAGE_EXTENSIONS]
    if others:
        raise CLIError(f"{others[0]} is not an image ({', '.join(IMAGE_EXTENSIONS)}): give a folder of images only")
    if not files:
        raise CLIError(f"{path} holds no images: give an image file or a folder of images")
    return files


def cmd_translate(args):
    files = _translate_inputs(args.input)
    out = os.path.abspath(args.out)
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise CLIError(f"--out {out} exists and is not an empty folder: choose a new or empty folder")
    _quiet_tensorflow()
    import keras
    import numpy as np

    from kerasgan.data import to_uint8
    from kerasgan.utils.images import read_image, save_image

    model = _load_model(args.model, args.weights)
    if not hasattr(model, "translate"):
        raise CLIError(f"{args.model} generates from latents; it does not translate images: use `kerasgan sample {args.model}`")
    if args.to is None and getattr(model, "num_domains", None) is not None:
        styles = ", ".join(model.styles or ()) or f"domains 0-{model.num_domains - 1}"
        raise CLIError(f"{args.model} translates to several styles: choose one with --to ({styles})")
    if args.to is not None:
        model.target_domain(args.to)  # unknown styles fail before any file is read
    size, channels = model.image_shape[0], model.image_shape[-1]
    images, resized = [], 0
    for f in files:
        array, original = read_image(f, size, channels)
        resized += original != (size, size)
        images.append(array)
    if resized:
        print(f"note: {resized} of {len(files)} images resized to {size}x{size} (the model's size)")
    keras.utils.set_random_seed(args.seed)
    x = np.stack(images).astype("float32") / 127.5 - 1.0
    y = model.translate(x, target=args.to)
    os.makedirs(out, exist_ok=True)
    names = set()
    for f, image in zip(files, y):
        name = os.path.splitext(os.path.basename(f))[0] + ".png"
        if name in names:
            raise CLIError(f"two inputs would both be written as {name}: rename one")
        names.add(name)
        save_image(to_uint8(image), os.path.join(out, name))
    print(f"translated {len(files)} images to {out}")


def cmd_upscale(args):
    if not os.path.isfile(args.input):
        raise CLIError(f"no such image file: {args.input}")
    out = _check_writable_file(args.out, ".png")
    _quiet_tensorflow()
    import numpy as np

    from kerasgan.data import to_uint8
    from kerasgan.utils.images import read_image, save_image

    model = _load_model(args.model, args.weights)
    if not hasattr(model, "upscale"):
        raise CLIError(f"{args.model} is not a super-resolution model: give one such as srgan_emoji_x4")
    if args.scale is not None and args.scale != model.scale:
        raise CLIError(f"{args.model} upscales by {model.scale}, not {args.scale}: drop --scale or use a x{args.scale} model")
    try:
        array, (width, height) = read_image(args.input, None, model.image_shape[-1])
    except ValueError as err:
        raise CLIError(str(err))
    high = model.upscale(array[np.newaxis].astype("float32") / 127.5 - 1.0)[0]
    save_image(to_uint8(high), out)
    print(f"upscaled {args.input} ({width}x{height}) x{model.scale} to {out} ({high.shape[1]}x{high.shape[0]})")


def cmd_convert(args):
    from kerasgan import convert

    if args.discriminator is not None and not convert.CONVERTERS[args.kind]["discriminator"]:
        raise CLIError(f"{args.kind} converts a generator only: drop --discriminator")
    for path in (args.checkpoint, args.discriminator):
        if path is not None and not os.path.isfile(path):
            raise CLIError(f"no such checkpoint file: {path}")
    _quiet_tensorflow()
    gan = convert.convert(args.kind, args.checkpoint, args.discriminator)
    sources = [p for p in (args.checkpoint, args.discriminator) if p]
    out = convert.save_converted(gan, args.out, sources)
    print(f"converted {', '.join(sources)} to {out}")


def _latent_model_or_error(args):
    model = _load_model(args.model, args.weights)
    if getattr(model, "latent_dim", None) is None or not hasattr(model, "generate"):
        raise CLIError(f"{args.model} has no latent space (it translates images): use a latent -> image model such as dcgan_mnist")
    return model


def cmd_interpolate(args):
    out = _check_writable_file(args.out, ".png")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        raise CLIError(f"--seeds must be a comma list of integers such as 0,1,2, got {args.seeds!r}")
    if len(seeds) < 2:
        raise CLIError(f"--seeds needs at least two seeds (a row per consecutive pair), got {args.seeds!r}")
    if args.steps < 2:
        raise CLIError(f"--steps must be >= 2 (both ends are included), got {args.steps}")
    _quiet_tensorflow()
    import numpy as np

    from kerasgan import latent
    from kerasgan.utils.images import save_grid

    model = _latent_model_or_error(args)
    if getattr(model, "num_classes", None) is not None and args.label is None:
        raise CLIError(f"{args.model} is conditional: choose the class with --label (0-{model.num_classes - 1})")
    z = np.concatenate([model.latents(1, seed=s) for s in seeds])
    rows = [latent.interpolate(model, z[i], z[i + 1], args.steps, args.method, labels=args.label) for i in range(len(seeds) - 1)]
    save_grid(np.concatenate(rows), out, nrow=args.steps)
    print(f"wrote {len(rows)} interpolation rows of {args.steps} images to {out}")


def cmd_invert(args):
    out = _check_writable_file(args.out, ".png")
    if args.latents:
        _check_writable_file(args.latents, ".npy")
    files = _translate_inputs(args.input)
    _quiet_tensorflow()
    import numpy as np

    from kerasgan import latent
    from kerasgan.utils.images import read_image, save_grid

    model = _latent_model_or_error(args)
    size, channels = model.image_shape[0], model.image_shape[-1]
    x = np.stack([read_image(f, size, channels)[0] for f in files]).astype("float32") / 127.5 - 1.0
    try:
        z = latent.invert(model, x, space=args.space, steps=args.steps, loss=args.loss)
    except ValueError as err:
        raise CLIError(str(err))
    recon = model.generate(z) if args.space == "z" else model.synthesis(z)
    save_grid(np.concatenate([x, recon]), out, nrow=len(x))
    if args.latents:
        np.save(args.latents, z)
    print(f"inverted {len(x)} images into {args.space} (pixel MSE {float(np.mean((recon - x) ** 2)):.4f}); grid: {out}")


def cmd_directions(args):
    out = _check_writable_file(args.out, ".png")
    if not args.magnitude > 0:
        raise CLIError(f"--magnitude must be > 0, got {args.magnitude}")
    _quiet_tensorflow()
    import numpy as np

    from kerasgan import latent
    from kerasgan.utils.images import save_grid

    model = _latent_model_or_error(args)
    if getattr(model, "num_classes", None) is not None:
        raise CLIError(f"{args.model} is conditional: directions are drawn for unconditional models")
    if args.num > model.latent_dim:
        raise CLIError(f"--num {args.num} is more than the {model.latent_dim} latent dimensions of {args.model}")
    directions = latent.sefa(model, args.num)
    z = model.latents(1, seed=args.seed).numpy()[0]
    alphas = np.linspace(-args.magnitude, args.magnitude, args.steps)
    rows = [model.generate(np.stack([z + a * d for a in alphas]).astype("float32")) for d in directions]
    save_grid(np.concatenate(rows), out, nrow=args.steps)
    print(f"wrote {args.num} SeFa directions x {args.steps} steps to {out}")


COMMANDS = {
    "directions": cmd_directions,
    "interpolate": cmd_interpolate,
    "invert": cmd_invert,
    "download": cmd_download,
    "export": cmd_export,
    "convert": cmd_convert,
    "eval": cmd_eval,
    "list": cmd_list,
    "info": cmd_info,
    "sample": cmd_sample,
    "train": cmd_train,
    "translate": cmd_translate,
    "upscale": cmd_upscale,
}


if __name__ == "__main__":
    sys.exit(main())
