"""The ``ganlab`` command line (also ``python -m ganlab``).

    ganlab train --model dcgan --dataset mnist --out runs/dcgan
    ganlab sample runs/dcgan --n 64 --seed 1 --out samples.npz
    ganlab evaluate samples.npz

Bad arguments, missing or corrupt runs and bad files print one line on stderr
and exit with code 2; a diverged training run exits with code 1 and keeps its
last good checkpoint.
"""

import argparse
import os
import sys

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
    """Import TensorFlow with its C++ start-up log lines (oneDNN, CPU features) kept off stderr,
    so that stderr carries only ganlab's own messages."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


# ---------------------------------------------------------------------- commands


def cmd_train(args):
    from ganlab import runs

    verbose = 1 if sys.stdout.isatty() else 2
    gan, history = runs.train(args.model, args.dataset, out=args.out, epochs=args.epochs, steps=args.steps,
                              batch_size=args.batch_size, seed=args.seed, resume=args.resume, verbose=verbose,
                              limit=args.limit)
    print(f"run saved in {args.out}: generator.keras, history.csv, config.json, samples/, training.gif")


def cmd_sample(args):
    import numpy as np

    from ganlab import runs

    if not args.out.endswith(".npz"):
        raise CliError(f"--out must name a .npz file, got {args.out!r}")
    samples = runs.sample(args.run_dir, args.n, seed=args.seed,
                          labels=None if args.label is None else np.full(args.n, args.label))
    np.savez(args.out, samples=samples)
    print(f"wrote {len(samples)} samples of shape {samples.shape[1:]} to {args.out}")


def cmd_evaluate(args):
    import json

    from ganlab import metrics

    result = metrics.evaluate_file(args.file, n=args.n, distribution=args.dataset)
    print(json.dumps(result))


def build_parser():
    """The argument parser of the ``ganlab`` command."""
    from ganlab import __version__

    parser = _Parser(prog="ganlab", description="Train, sample and evaluate GANs (the ganlab book's tool).")
    parser.add_argument("--version", action="version", version=f"ganlab {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train a named recipe into a run directory")
    train.add_argument("--model", required=True,
                       choices=["mlp", "dcgan", "cdcgan", "cmlp", "wgan", "wgan-gp", "gan", "mbstd"])
    train.add_argument("--dataset", required=True, choices=["mnist", "ring8", "grid25"])
    length = train.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=_positive_int, help="passes over the data (toy data: 500 steps each)")
    length.add_argument("--steps", type=_positive_int, help="generator steps (rounded up to whole epochs)")
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--limit", type=_positive_int, help="train on the first N examples only")
    train.add_argument("--out", required=True, help="run directory (refused if it holds a run, unless --resume)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its last epoch")
    train.set_defaults(handler=cmd_train)

    sample = commands.add_parser("sample", help="draw samples from a trained run into an .npz (key 'samples')")
    sample.add_argument("run_dir")
    sample.add_argument("--n", type=_positive_int, required=True)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--label", type=int, help="class label for a conditional run")
    sample.add_argument("--out", required=True)
    sample.set_defaults(handler=cmd_sample)

    evaluate = commands.add_parser("evaluate", help="score samples in an .npz; prints one JSON object")
    evaluate.add_argument("file")
    evaluate.add_argument("--n", type=_positive_int, help="use the first N samples")
    evaluate.add_argument("--dataset", default="ring8", choices=["ring8", "grid25"],
                          help="the 2D distribution that 2D points are scored against (default ring8)")
    evaluate.set_defaults(handler=cmd_evaluate)
    return parser


def main(argv=None):
    """Run the command line; return the exit code."""
    try:
        args = build_parser().parse_args(argv)
        _quiet_tensorflow()
        from ganlab.callbacks import TrainingDiverged

        try:
            args.handler(args)
        except TrainingDiverged as error:
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
