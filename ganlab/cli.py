"""The ``ganlab`` command line (also ``python -m ganlab``).

    ganlab recipes
    ganlab --backend torch train --model mlp --dataset mnist --out runs/mlp-torch
    ganlab train --model dcgan --dataset mnist --out runs/dcgan
    ganlab sample runs/dcgan --n 64 --seed 1 --out samples.npz
    ganlab evaluate samples.npz
    ganlab render runs/cppn --size 1024 --seed 7 --out art.png
    ganlab interpolate runs/cdcgan --from 1 --to 2 --frames 24 --label 5 --out walk.gif

Bad arguments, missing or corrupt runs and bad files print one line on stderr
and exit with code 2; a diverged training run exits with code 1 and keeps its
last good checkpoint.
"""

import argparse
import os
import sys

from ganlab.backends import BACKENDS  # a list of names: importing it imports no keras

EXIT_USAGE = 2
EXIT_DIVERGED = 1


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CliError(f"{message} (see `{self.prog} --help`)")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _quiet_tensorflow():
    """Import TensorFlow with its C++ log lines kept off stderr, so that stderr carries only ganlab's own messages.

    The start-up lines (oneDNN, CPU features) are printed during the import, which runs with stderr
    sent to /dev/null; TF_CPP_MIN_LOG_LEVEL=3 silences the C++ lines of later graph optimisations too.
    Not all of them in every release: TensorFlow 2.18 printed grappler's "remapper failed" (at the first
    training step of an image GAN, when the remapper cannot fuse a convolution's gradient) through a
    logger that ignored the level (2.21 honours it), so the remapper pass, which fails on these graphs
    anyway, is turned off here. Chapters 5-10 of the book only set the level, and keep the pass on.
    Python exceptions still carry TensorFlow's errors."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow

                tensorflow.config.optimizer.set_experimental_options({"remapping": False})
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# ---------------------------------------------------------------------- commands


def cmd_recipes(args):
    from ganlab import recipes

    width = max(len(name) for name in recipes.RECIPES)
    for recipe in recipes.recipe_table():
        print(f"{recipe['name']:<{width}}  {', '.join(recipe['datasets'])}: {recipe['description']}")


TRAINING_COPIES = 8  # a training step holds a batch several times over (real, fake, gradients): a low estimate


def cmd_train(args):
    import math

    from ganlab import _checks, recipes, runs

    recipe = recipes.get_recipe(args.model, args.dataset, args.size)
    shape = recipes.get_dataset_spec(args.dataset, args.size).shape
    batch_size = args.batch_size or recipe.batch_size
    _checks.fits_in_memory(TRAINING_COPIES * batch_size * math.prod(shape) * 4,
                           f"batches of {batch_size} examples of shape {tuple(shape)}", "use a smaller --batch-size")
    verbose = 1 if sys.stdout.isatty() else 2
    gan, history = runs.train(args.model, args.dataset, out=args.out, epochs=args.epochs, steps=args.steps,
                              batch_size=args.batch_size, seed=args.seed, resume=args.resume, verbose=verbose,
                              limit=args.limit, size=args.size)
    print(f"run saved in {args.out}: generator.keras, history.csv, config.json, samples/, training.gif")


def cmd_sample(args):
    import numpy as np

    from ganlab import runs
    from ganlab.rundir import RunDir

    if not args.out.endswith(".npz"):
        raise CliError(f"--out must name a .npz file, got {args.out!r}")
    config = RunDir(args.run_dir).read_config()
    samples = runs.sample(args.run_dir, args.n, seed=args.seed,
                          labels=None if args.label is None else np.full(args.n, args.label))
    # what `ganlab evaluate` needs to score them against the right data: the run's dataset and the label
    provenance = dict(dataset=config["dataset"], **({} if args.label is None else dict(label=args.label)))
    np.savez(args.out, samples=samples, **provenance)
    print(f"wrote {len(samples)} samples of shape {samples.shape[1:]} to {args.out}")


FID_UNBIASED_N = 10_000  # FID is biased upward below this many samples (the README's and metrics' advice)


def _inspect_samples(path, n):
    """``(recorded, count)`` of the samples file ``path``: what ``ganlab sample`` recorded beside the samples
    (their dataset and label) and how many samples will be scored; refuses images that are not in [-1, 1].

    A file that cannot be read returns ``({}, None)``: ``metrics.evaluate_file`` says what is wrong with it."""
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile) or "samples" not in archive.files:
                return {}, None
            recorded = {key: archive[key].item() for key in ("dataset", "label") if key in archive.files}
            samples = archive["samples"][:n]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return {}, None
    if samples.ndim in (3, 4) and samples.size:  # images; 2D points have no range to check
        if not np.issubdtype(samples.dtype, np.floating):
            raise CliError(f"{path}: 'samples' holds {samples.dtype} values from {samples.min()} to "
                           f"{samples.max()}; ganlab scores float images in [-1, 1]: convert 0-255 pixels with "
                           "x / 127.5 - 1 and 0/1 pixels with 2 * x - 1")
        low, high = float(np.nanmin(samples)), float(np.nanmax(samples))
        if low >= 0 and high <= 1:
            raise CliError(f"{path}: the images lie in [{low:g}, {high:g}], as images scaled to [0, 1] do; "
                           "ganlab scores images in [-1, 1] (black is -1): convert them with 2 * x - 1")
    return recorded, len(samples)


def cmd_evaluate(args):
    import json

    from ganlab import metrics, recipes

    recorded, count = _inspect_samples(args.file, args.n)
    for option, key in (("--dataset", "dataset"), ("--label", "label")):
        given = getattr(args, key)
        if given is not None and key in recorded and given != recorded[key]:
            raise CliError(f"{option} {given} differs from the {key} {recorded[key]!r} these samples were drawn "
                           f"for (recorded by `ganlab sample` in {args.file}); leave {option} out")
    dataset = args.dataset or recorded.get("dataset")
    label = args.label if args.label is not None else recorded.get("label")
    distribution = dataset if dataset in recipes.TOY_DATASETS else None
    result = metrics.evaluate_file(args.file, n=args.n, distribution=distribution or "ring8", painting=label,
                                   scale=args.scale)
    if "high_quality" in result and distribution is None:
        print("ganlab: warning: these 2D points were scored against ring8 (the default); pass --dataset if they "
              "come from another mixture", file=sys.stderr)
    if "fid" in result and count is not None and count < FID_UNBIASED_N:
        print(f"ganlab: warning: FID from {count} samples is biased upward; compare files only at the same "
              f"--n ({FID_UNBIASED_N} recommended)", file=sys.stderr)
    print(json.dumps(result))


# ---------------------------------------------------------------------- chapter 8 (art): render, interpolate

ART_MIN_SIZE, ART_MAX_SIZE = 8, 8192
MAX_FRAMES = 2000


def _art_size(text):
    value = _positive_int(text)
    if not ART_MIN_SIZE <= value <= ART_MAX_SIZE:
        raise argparse.ArgumentTypeError(f"size must be between {ART_MIN_SIZE} and {ART_MAX_SIZE} pixels, got {value}")
    return value


def _wander(text):
    value = _positive_int(text)
    if value > ART_MAX_SIZE:
        raise argparse.ArgumentTypeError(f"wander must be between the training crop size and {ART_MAX_SIZE} pixels, "
                                         f"got {value}")
    return value


MAX_SEED = 2**32 - 1  # the largest seed TensorFlow's and numpy's generators take


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a seed (an integer from 0 to {MAX_SEED}), got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed must be from 0 to {MAX_SEED}, got {value}")
    return value


def _frames(text):
    value = _positive_int(text)
    if not 2 <= value <= MAX_FRAMES:
        raise argparse.ArgumentTypeError(f"frames must be between 2 and {MAX_FRAMES}, got {value}")
    return value


def _extent(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(f"extent must be in (0, 1000], got {value}")
    return value


def _load_art_run(run_dir):
    """(config, generator, recipe) of an image run, or ValueError."""
    from ganlab import recipes
    from ganlab.rundir import RunDir

    config = RunDir(run_dir).read_config()
    if config.get("dataset") in recipes.TOY_DATASETS:
        raise CliError(f"{run_dir} is a run on 2D points ({config.get('dataset')!r}); this command needs an image run")
    return config, RunDir(run_dir).load_generator()


def cmd_render(args):
    from ganlab import _checks, cppn, latent, texture, viz

    if not args.out.lower().endswith(".png"):
        raise CliError(f"--out must name a .png file, got {args.out!r}")
    config, generator = _load_art_run(args.run_dir)
    channels = int(generator.output.shape[-1])
    # the picture as float32 and as the PNG's bytes, and the renderer's working copies
    _checks.fits_in_memory(3 * args.size**2 * channels * 4, f"a {args.size}x{args.size} picture",
                           "use a smaller --size")
    if texture.is_texture(generator):
        image = texture.render_texture(generator, size=args.size, seed=args.seed, tileable=args.tileable,
                                       wander=args.wander)
        viz.export_png(image, args.out, palette=args.palette)
        kind = ("tileable " if args.tileable else "") + ("wandering " if args.wander else "")
        print(f"wrote a {kind}{args.size}x{args.size} canvas (seed {args.seed}) to {args.out}")
        return
    if not cppn.is_cppn(generator):
        raise CliError(f"{args.run_dir} holds a {config['model']!r} run; only a CPPN run (`ganlab train --model cppn`) "
                       "or a texture run (`--model texture`) renders at any size. Use `ganlab interpolate` or "
                       "`ganlab sample` for it")
    if args.tileable or args.wander:
        option = "--tileable" if args.tileable else "--wander"
        raise CliError(f"{option} needs a texture run (`ganlab train --model texture`); {args.run_dir} holds a "
                       "CPPN run, which has no global noise to tile or wander")
    latents = latent.seed_latents([args.seed], _checks.latent_dim(generator))
    image = cppn.render_cppn(generator, latents, size=args.size, extent=args.extent)[0]
    viz.export_png(image, args.out, palette=args.palette)
    print(f"wrote a {args.size}x{args.size} picture (seed {args.seed}) to {args.out}")


def cmd_interpolate(args):
    import numpy as np

    from ganlab import _checks, cppn, latent, texture, viz

    if not args.out.lower().endswith(".gif"):
        raise CliError(f"--out must name a .gif file, got {args.out!r}")
    config, generator = _load_art_run(args.run_dir)
    side = args.size or (256 if texture.is_texture(generator) else int(generator.output.shape[1]))
    scale = args.scale or (1 if args.size is not None or texture.is_texture(generator) else 4)
    channels = 3 if args.palette is not None else int(generator.output.shape[-1])
    # every frame as float32, then as the GIF's enlarged 8-bit frames
    _checks.fits_in_memory(args.frames * side**2 * channels * (4 + scale**2), f"{args.frames} frames of {side}x{side}",
                           "use fewer --frames or a smaller --size or --scale")
    if texture.is_texture(generator):  # walk the global noise from one seed's to the other's; the local noise stays
        start, end = (texture.texture_global_noise(generator, seed) for seed in (args.from_seed, args.to_seed))
        vectors = texture.blend_between(start, end, np.linspace(0.0, 1.0, args.frames))
        frames = np.stack([texture.render_texture(generator, size=args.size or 256, seed=args.from_seed,
                                                  global_noise=vector) for vector in vectors])
        if args.palette is not None:
            frames = viz.colorize(frames, args.palette)
        viz.save_gif(list(frames), args.out, duration=args.duration, scale=args.scale or 1)
        print(f"wrote {len(frames)} frames (the global noise from seed {args.from_seed} to seed {args.to_seed}) "
              f"to {args.out}")
        return
    if args.size is not None and not cppn.is_cppn(generator):
        side = generator.output.shape[1]
        raise CliError(f"--size needs a CPPN run; {args.run_dir} holds a {config['model']!r} run, which draws "
                       f"{side}x{side}")
    label = _checks.class_labels(generator, args.label)
    if label is None and _checks.is_conditional(generator):
        label = 0
    keyframes = latent.seed_latents([args.from_seed, args.to_seed], _checks.latent_dim(generator))
    frames = latent.walk_frames(generator, keyframes, frames_per_segment=args.frames - 1, method=args.method,
                             labels=label, size=args.size)
    if args.palette is not None:
        frames = viz.colorize(frames, args.palette)
    scale = args.scale or (1 if args.size is not None else 4)
    viz.save_gif(list(frames), args.out, duration=args.duration, scale=scale)
    print(f"wrote {len(frames)} frames ({args.method} from seed {args.from_seed} to seed {args.to_seed}) to {args.out}")


def build_parser():
    """The argument parser of the ``ganlab`` command."""
    from ganlab import __version__, datasets, recipes

    parser = _Parser(prog="ganlab", description="Train, sample and evaluate GANs (the ganlab book's tool).")
    parser.add_argument("--version", action="version", version=f"ganlab {__version__}")
    parser.add_argument("--backend", choices=BACKENDS, help="the Keras backend to run on (default: $KERAS_BACKEND, "
                        "else tensorflow); training reads its data with tf.data on every backend")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("recipes", help="list the recipes `train --model` takes, with their datasets")
    listing.set_defaults(handler=cmd_recipes, tensorflow=False)

    train = commands.add_parser("train", help="train a named recipe into a run directory")
    train.add_argument("--model", required=True, choices=list(recipes.RECIPES),
                       help="a recipe (`ganlab recipes` lists them)")
    train.add_argument("--dataset", required=True, help=f"one of {', '.join(recipes.DATASETS)}, or "
                       f"{recipes.IMAGE_SOURCES_HELP}")
    train.add_argument("--size", type=_positive_int, help="image data: the side of the square crops trained on, "
                       f"a power of two from 16 to 256 (default {recipes.DEFAULT_IMAGE_SIZE})")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=_positive_int, help="passes over the data (2D data: 500 steps each; "
                        "image sources: 100 steps each)")
    length.add_argument("--steps", type=_positive_int, help="generator steps (rounded up to whole epochs)")
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--seed", type=_seed, default=0)
    train.add_argument("--limit", type=_positive_int, help="train on the first N examples only")
    train.add_argument("--out", required=True, help="run directory (refused if it holds a run, unless --resume)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its last epoch")
    train.set_defaults(handler=cmd_train)

    sample = commands.add_parser("sample", help="draw samples from a trained run into an .npz (key 'samples')")
    sample.add_argument("run_dir")
    sample.add_argument("--n", type=_positive_int, required=True)
    sample.add_argument("--seed", type=_seed, default=0)
    sample.add_argument("--label", type=int, help="class label for a conditional run")
    sample.add_argument("--out", required=True)
    sample.set_defaults(handler=cmd_sample)

    evaluate = commands.add_parser("evaluate", help="score samples in an .npz; prints one JSON object")
    evaluate.add_argument("file")
    evaluate.add_argument("--n", type=_positive_int, help="use the first N samples")
    evaluate.add_argument("--dataset", choices=list(recipes.TOY_DATASETS),
                          help="the 2D distribution that 2D points are scored against (default: the one the "
                          "run trained on, as `ganlab sample` records it; else ring8)")
    evaluate.add_argument("--label", type=int, help="colour crops: the painting they were drawn for (the label of "
                          "a conditional run on paintings, 0-7); default: the `sample --label` recorded in the "
                          "file, else scored against all eight")
    evaluate.add_argument("--scale", type=float, nargs=2, metavar=("LOW", "HIGH"), help="colour crops: the crop "
                          f"scale the run trained on (default the package's, {' '.join(map(str, datasets.DEFAULT_SCALE))})")
    evaluate.set_defaults(handler=cmd_evaluate)

    # chapter 8 (art)
    render = commands.add_parser("render", help="render a CPPN run's picture, or a texture run's canvas, at any size "
                                 "into a PNG")
    render.add_argument("run_dir")
    render.add_argument("--size", type=_art_size, default=1024, help=f"side in pixels, {ART_MIN_SIZE}..{ART_MAX_SIZE} "
                        "(default 1024)")
    render.add_argument("--seed", type=_seed, default=0, help="seed of the latent vector (as in `ganlab sample`)")
    render.add_argument("--extent", type=_extent, default=1.0, help="half-width of the square drawn; 1 is the "
                        "training frame, larger zooms out (default 1)")
    render.add_argument("--tileable", action="store_true", help="texture runs: a canvas whose left and right "
                        "(and top and bottom) edges continue each other, for prints that repeat")
    render.add_argument("--wander", type=_wander, default=None, metavar="PIXELS",
                        help="texture runs: let the global noise drift across the canvas, from one random vector "
                        "to the next about every PIXELS pixels (at least the training crop), so the canvas passes "
                        "through the painting's several moods instead of repeating one")
    render.add_argument("--palette", help="a matplotlib colormap name (e.g. magma); default grey")
    render.add_argument("--out", required=True, help="the .png to write")
    render.set_defaults(handler=cmd_render)

    interpolate = commands.add_parser("interpolate", help="animate the walk between two seeds of an image run (GIF)")
    interpolate.add_argument("run_dir")
    interpolate.add_argument("--from", dest="from_seed", type=_seed, required=True, help="seed of the first frame")
    interpolate.add_argument("--to", dest="to_seed", type=_seed, required=True, help="seed of the last frame")
    interpolate.add_argument("--frames", type=_frames, default=24, help="frames, both ends included (default 24)")
    interpolate.add_argument("--method", choices=["slerp", "lerp"], default="slerp")
    interpolate.add_argument("--label", type=int, help="class held along the walk (conditional runs; default 0)")
    interpolate.add_argument("--size", type=_art_size, help="CPPN and texture runs: side in pixels of the frames")
    interpolate.add_argument("--palette", help="a matplotlib colormap name (e.g. magma); default grey")
    interpolate.add_argument("--duration", type=_positive_int, default=80, help="milliseconds per frame (default 80)")
    interpolate.add_argument("--scale", type=_positive_int, help="enlarge frames this many times (nearest "
                             "neighbour; default 4, or 1 with --size)")
    interpolate.add_argument("--out", required=True, help="the .gif to write")
    interpolate.set_defaults(handler=cmd_interpolate)
    return parser


def _select_backend(argv):
    """Set KERAS_BACKEND from ``--backend`` before keras is first imported; return the backend that will run.

    Raises:
        CliError: for an unknown name, or if keras already runs on another backend in this process.
    """
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--backend")
    known, _ = pre.parse_known_args(argv)
    if known.backend is None:
        return os.environ.get("KERAS_BACKEND", "tensorflow")
    if known.backend not in BACKENDS:
        raise CliError(f"--backend must be one of {', '.join(BACKENDS)}, got {known.backend!r}")
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != known.backend:
        raise CliError(f"--backend {known.backend}: keras already runs on {keras.backend.backend()} in this process; "
                       f"set KERAS_BACKEND={known.backend} before starting Python")
    os.environ["KERAS_BACKEND"] = known.backend
    return known.backend


def main(argv=None):
    """Run the command line; return the exit code."""
    try:
        backend = _select_backend(sys.argv[1:] if argv is None else argv)
        args = build_parser().parse_args(argv)
        diverged = ()  # what a command that trains may raise when the losses become NaN
        # TensorFlow is the backend, or (for train) the tf.data input pipeline; other commands on
        # other backends never import it
        if getattr(args, "tensorflow", True) and (backend == "tensorflow" or args.command == "train"):
            _quiet_tensorflow()
        if getattr(args, "tensorflow", True):
            from ganlab.callbacks import TrainingDiverged as diverged
        try:
            args.handler(args)
        except diverged as error:
            print(f"ganlab: {error}", file=sys.stderr)
            return EXIT_DIVERGED
    except CliError as error:
        print(f"ganlab: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, FileNotFoundError, FileExistsError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"ganlab: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ganlab: interrupted; the last completed epoch is saved (resume with --resume).", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
