"""Pictures: sample grids, 2D scatter plots, decision surfaces, curves and GIFs.

Images are float arrays in [-1, 1] with shape (N, H, W, 1) or (N, H, W, 3),
as the generators produce them.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ganlab.rundir import RunDir


def _check_images(images):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3), got {images.shape}.")
    if len(images) == 0:
        raise ValueError("images is empty.")
    return images


def grid(images, nrow=None, padding=2, pad_value=-1.0):
    """Tile images into one picture, row by row, with ``padding`` pixels between them.

    Args:
        images: (N, H, W[, C]) in [-1, 1].
        nrow: images per row (default: about sqrt(N)).

    Returns:
        A float array (rows * (H + p) + p, nrow * (W + p) + p, C) in [-1, 1].
    """
    images = _check_images(images)
    n, height, width, channels = images.shape
    nrow = nrow or int(np.ceil(np.sqrt(n)))
    if isinstance(nrow, bool) or not isinstance(nrow, (int, np.integer)) or nrow < 1:
        raise ValueError(f"nrow must be a positive integer, got {nrow!r}.")
    rows = int(np.ceil(n / nrow))
    canvas = np.full((rows * (height + padding) + padding, nrow * (width + padding) + padding, channels),
                     pad_value, dtype=np.float32)
    for index, image in enumerate(images):
        row, col = divmod(index, nrow)
        top, left = padding + row * (height + padding), padding + col * (width + padding)
        canvas[top:top + height, left:left + width] = image
    return canvas


def to_uint8(images):
    """Map [-1, 1] floats to [0, 255] bytes (clipping what lies outside)."""
    return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def to_pil(picture, scale=1):
    """Turn one image (H, W[, C]) in [-1, 1] into a PIL image, optionally enlarged ``scale`` times."""
    from PIL import Image

    picture = to_uint8(picture)
    if picture.ndim == 3 and picture.shape[-1] == 1:
        picture = picture[..., 0]
    image = Image.fromarray(picture)
    if scale != 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    return image


def save_grid(images, path, nrow=None, scale=2):
    """Save a grid of images as a PNG (enlarged ``scale`` times, nearest neighbour) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    to_pil(grid(images, nrow=nrow), scale=scale).save(path)
    return path


def show_grid(images, nrow=None, title=None, ax=None, figsize=None):
    """Draw a grid of images with matplotlib and return the axes."""
    picture = grid(images, nrow=nrow)
    if ax is None:
        size = figsize or (min(10, 0.9 * picture.shape[1] / 30 + 1), min(10, 0.9 * picture.shape[0] / 30 + 1))
        _, ax = plt.subplots(figsize=size)
    cmap = "gray" if picture.shape[-1] == 1 else None
    ax.imshow(to_uint8(picture).squeeze(), cmap=cmap, vmin=0, vmax=255, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def save_gif(frames, path, duration=200, scale=2, loop=0):
    """Save a sequence of pictures (each (H, W[, C]) in [-1, 1], or PIL images) as an animated GIF."""
    from PIL import Image

    frames = [f if isinstance(f, Image.Image) else to_pil(f, scale=scale) for f in frames]
    if not frames:
        raise ValueError("save_gif needs at least one frame.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=duration, loop=loop)
    return path


def gif_from_pngs(directory, path, pattern="epoch_*.png", duration=300):
    """Assemble the PNGs in ``directory`` matching ``pattern`` (sorted by name) into a GIF."""
    from PIL import Image

    files = sorted(Path(directory).glob(pattern))
    if not files:
        raise ValueError(f"no files matching {pattern!r} in {directory}.")
    frames = []
    for file in files:
        with Image.open(file) as image:
            frames.append(image.convert("P", palette=Image.ADAPTIVE) if image.mode != "L" else image.copy())
    return save_gif(frames, path, duration=duration)


def scatter_2d(points, real=None, centres=None, ax=None, title=None, limit=None, s=2):
    """Scatter generated 2D points (orange) over real points (blue) and mode centres (grey crosses).

    The crosses are drawn first, under the points: a mode of the toy mixtures is a blob of standard
    deviation 0.02, smaller than a cross, and a cross on top would hide whether anything lands there.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", c="0.45", s=25, linewidths=0.8, label="modes",
                   zorder=1)
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=s, c="tab:blue", alpha=0.3, label="real", zorder=2)
    points = np.asarray(points)
    ax.scatter(points[:, 0], points[:, 1], s=s, c="tab:orange", alpha=0.6, label="generated", zorder=3)
    if limit is None and centres is not None:
        limit = float(np.abs(centres).max()) * 1.4
    if limit is not None:
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def decision_surface(discriminator, limit, resolution=120, ax=None, probabilities=True):
    """Draw the discriminator's output over the square [-limit, limit]^2 as a heatmap.

    ``probabilities=True`` shows sigmoid(logit) = D(x) in [0, 1]; otherwise the raw score.
    Returns the axes and the image so callers can add a colour bar.
    """
    ticks = np.linspace(-limit, limit, resolution, dtype=np.float32)
    xx, yy = np.meshgrid(ticks, ticks)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)
    logits = np.asarray(discriminator(points, training=False)).reshape(resolution, resolution)
    values = 1.0 / (1.0 + np.exp(-logits)) if probabilities else logits
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    image = ax.imshow(values, origin="lower", extent=(-limit, limit, -limit, limit), cmap="RdBu_r",
                      vmin=0 if probabilities else None, vmax=1 if probabilities else None, alpha=0.8)
    return ax, image


def plot_history(history, keys=("d_loss", "g_loss"), ax=None, title=None, xlabel="epoch"):
    """Plot curves from a Keras ``History``, its ``.history`` dict, or a dict of lists."""
    data = getattr(history, "history", history)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        if key not in data:
            raise ValueError(f"no {key!r} in the history; it has {sorted(data)}.")
        values = np.asarray(data[key], dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, marker="o" if len(values) < 30 else None, label=key)
    ax.set_xlabel(xlabel)
    ax.legend()
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------- theory chapters (1-3): minimax plots, tables


def plot_minimax(x, p_data, p_g, d=None, d_trained=None, ax=None, title=None, xlim=None):
    """Draw two 1D densities and a discriminator on one axis (chapter 1).

    p_data (blue) and p_g (orange) are filled curves; ``d`` (black, usually the
    optimal D*) and ``d_trained`` (dashed green, a trained network's D(x)) share
    the same axis, whose range [0, 1] suits both densities and probabilities.

    Args:
        x: the grid; p_data, p_g, d, d_trained: arrays on it (d and d_trained may be None).
        xlim: the x range shown (default: the whole grid).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.fill_between(x, p_data, color="tab:blue", alpha=0.3, label="$p_{data}$")
    ax.fill_between(x, p_g, color="tab:orange", alpha=0.3, label="$p_g$")
    if d is not None:
        ax.plot(x, d, color="black", lw=2, label="$D^*(x)$")
    if d_trained is not None:
        ax.plot(x, d_trained, color="tab:green", lw=2, ls="--", label="trained $D(x)$")
    top = max(1.05, float(np.max(p_data)) * 1.05, float(np.max(p_g)) * 1.05)
    ax.set_ylim(0, top)
    ax.set_xlim(*(xlim if xlim is not None else (float(x[0]), float(x[-1]))))
    ax.set_xlabel("$x$")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return ax


def markdown_table(rows, columns=None, digits=3):
    """Format rows as a Markdown table (for ``IPython.display.Markdown`` or ``print``).

    Args:
        rows: a list of dicts (keys become the header) or of sequences (then give ``columns``).
        columns: the header; default: the first dict's keys in order.
        digits: decimals for floats. A "|" inside a cell is escaped as "\\|".

    Returns:
        The table as one string, a header line, a separator and one line per row.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("markdown_table needs at least one row.")
    if isinstance(rows[0], dict):
        columns = list(columns or rows[0])
        rows = [[row.get(column, "") for column in columns] for row in rows]
    elif columns is None:
        raise ValueError("give columns when the rows are sequences.")

    def cell(value):
        if isinstance(value, (float, np.floating)):
            return f"{value:.{digits}f}"
        return str(value).replace("|", "\\|")  # a bare | would end the cell

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells but there are {len(columns)} columns.")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------- chapter 8 (art): palettes, export


def colorize(images, palette="magma"):
    """Map grey images in [-1, 1] to colour through a palette; returns RGB in [-1, 1].

    Args:
        images: (..., H, W) or (..., H, W, 1).
        palette: a matplotlib colormap name (``"magma"``, ``"twilight"``, ...), a
            ``Colormap``, or a list of colours from dark to light (``["#0b1026", "#f6c177"]``).

    Returns:
        (..., H, W, 3) float32; -1 maps to the palette's first colour, 1 to its last.
    """
    import matplotlib
    from matplotlib.colors import Colormap, LinearSegmentedColormap

    images = np.asarray(images, dtype=np.float32)
    if images.ndim >= 3 and images.shape[-1] == 3:
        raise ValueError("colorize maps grey images; these already have 3 channels.")
    if images.ndim >= 3 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim < 2:
        raise ValueError(f"images must be at least (H, W), got shape {images.shape}.")
    if isinstance(palette, Colormap):
        colormap = palette
    elif isinstance(palette, str):
        try:
            colormap = matplotlib.colormaps[palette]
        except KeyError:
            raise ValueError(f"unknown palette {palette!r}; use a matplotlib colormap name or a list of "
                             "colours.") from None
    else:
        colours = list(palette)
        if len(colours) < 2:
            raise ValueError("a palette given as colours needs at least two of them.")
        colormap = LinearSegmentedColormap.from_list("ganlab", colours)
    rgb = colormap(np.clip((images + 1.0) / 2.0, 0.0, 1.0))[..., :3]
    return (rgb * 2.0 - 1.0).astype(np.float32)


_RESAMPLING = ("nearest", "bilinear", "bicubic", "lanczos")


def export_png(image, path, size=None, palette=None, resample="lanczos"):
    """Save one picture (H, W[, C]) in [-1, 1] as a PNG, optionally resized and coloured.

    Args:
        path: where to write; must end in ``.png``.
        size: the width of the PNG in pixels (height keeps the aspect ratio); None keeps it.
            Enlarging a 28 x 28 sample only blurs it (or, with ``resample="nearest"``,
            shows its pixels); render a CPPN at the size instead.
        palette: colour a grey picture with :func:`colorize` first.
        resample: ``"nearest"``, ``"bilinear"``, ``"bicubic"`` or ``"lanczos"``.

    Returns:
        The path.
    """
    from PIL import Image

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"export_png writes .png files, got {str(path)!r}.")
    if resample not in _RESAMPLING:
        raise ValueError(f"resample must be one of {_RESAMPLING}, got {resample!r}.")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 4 and len(image) == 1:
        image = image[0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (1, 3)):
        raise ValueError(f"image must have shape (H, W), (H, W, 1) or (H, W, 3), got {image.shape}.")
    if palette is not None:
        image = colorize(image, palette)
    picture = to_pil(image)
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"size must be a positive integer, got {size!r}.")
        height = max(1, round(picture.height * size / picture.width))
        picture = picture.resize((int(size), height), getattr(Image.Resampling, resample.upper()))
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path


def contact_sheet(images, captions=None, ncol=8, thumb=96, palette=None, path=None, background=(255, 255, 255),
                  caption_color=None):
    """A contact sheet: thumbnails in rows of ``ncol``, each with a caption (e.g. its seed) below.

    Args:
        images: (N, H, W[, C]) in [-1, 1].
        captions: N strings (or numbers), or None.
        thumb: thumbnail side in pixels (nearest-neighbour enlargement keeps pixels sharp).
        palette: colour grey images with :func:`colorize`.
        path: if given, also save the sheet there as PNG.
        background: RGB of the sheet.
        caption_color: RGB of the captions (default: dark grey on a light background,
            light grey on a dark one).

    Returns:
        The sheet as a PIL image.
    """
    from PIL import Image, ImageDraw, ImageFont

    images = _check_images(images)
    if captions is not None and len(captions) != len(images):
        raise ValueError(f"{len(captions)} captions for {len(images)} images.")
    for name, value in (("ncol", ncol), ("thumb", thumb)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if palette is not None:
        images = colorize(images, palette)
    font = ImageFont.load_default()
    caption_height = 14 if captions is not None else 0
    margin = 6
    ncol = min(ncol, len(images))
    nrows = int(np.ceil(len(images) / ncol))
    cell_w, cell_h = thumb + margin, thumb + caption_height + margin
    sheet = Image.new("RGB", (ncol * cell_w + margin, nrows * cell_h + margin), tuple(background))
    if caption_color is None:
        luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2]
        caption_color = (40, 40, 40) if luminance > 127 else (220, 220, 220)
    draw = ImageDraw.Draw(sheet)
    for index, image in enumerate(images):
        row, col = divmod(index, ncol)
        left, top = margin + col * cell_w, margin + row * cell_h
        picture = to_pil(image).convert("RGB").resize((thumb, thumb), Image.NEAREST)
        sheet.paste(picture, (left, top))
        if captions is not None:
            draw.text((left, top + thumb + 1), str(captions[index]), fill=tuple(caption_color), font=font)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        sheet.save(path)
    return sheet


def gif_html(path, width=None):
    """An ``IPython.display.HTML`` showing a GIF inline (base64), so it plays in Jupyter and in the built book.

    Args:
        width: display width in CSS pixels (default: the GIF's own width).
    """
    import base64

    from IPython.display import HTML

    data = Path(path).read_bytes()
    if not data.startswith(b"GIF8"):
        raise ValueError(f"{path} is not a GIF file.")
    size = f' width="{int(width)}"' if width else ""
    encoded = base64.b64encode(data).decode("ascii")
    return HTML(f'<img src="data:image/gif;base64,{encoded}"{size} alt="{Path(path).name}"/>')


# ---------------------------------------------------------------------- practice chapters (4-7): a run's sample grids


def show_run_samples(run_dir, epochs=None, ncols=4, size=3.2):
    """Show a run's sample grids side by side, one panel per epoch, titled with the epoch.

    ``ganlab.runs.train`` draws the same latent vectors after every epoch, so the
    panels show the same samples (not new ones) as training goes on.

    Args:
        run_dir: a run directory written by ``ganlab.runs.train``.
        epochs: the epochs to show (numbers from 1); None shows up to ``ncols``
            epochs spread evenly from the first to the last saved one.
        ncols: panels per row.
        size: width and height of one panel in inches.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: if the run saved no sample grids, or none for a requested epoch.
    """
    from PIL import Image

    saved = RunDir(run_dir).sample_epochs()
    if not saved:
        raise ValueError(f"{run_dir} holds no sample grids (samples/epoch_NNN.png); train it with runs.train.")
    if epochs is None:
        epochs = sorted({saved[int(round(i))] for i in np.linspace(0, len(saved) - 1, min(ncols, len(saved)))})
    epochs = [int(e) for e in epochs]
    missing = [e for e in epochs if e not in saved]
    if missing or not epochs:
        raise ValueError(f"{run_dir} has no sample grid for epoch(s) {missing or epochs}; it has {saved}.")
    ncols = min(ncols, len(epochs))
    nrows = int(np.ceil(len(epochs) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, epoch in zip(axes.ravel(), epochs):
        with Image.open(RunDir(run_dir).sample_path(epoch)) as image:
            ax.imshow(np.asarray(image.convert("L")), cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(f"epoch {epoch}")
    fig.tight_layout()
    return fig


def toy_snapshot(discriminator, samples, real=None, centres=None, limit=None, ax=None, title=None,
                 probabilities=True, resolution=100):
    """One picture of a 2D GAN: D's decision surface as a heatmap, real points (gray), samples (orange).

    Args:
        discriminator: maps (N, 2) points to logits (or critic scores).
        samples: generated points (N, 2).
        real: real points drawn in gray, or None.
        centres: the mixture's centres; they set the default ``limit`` (1.4 times the farthest).
        limit: the square [-limit, limit]^2 shown.
        probabilities: show sigmoid(logit) = D(x) in [0, 1] (True) or the raw score (False).

    Returns:
        The axes and the heatmap image (for a colour bar).
    """
    if limit is None:
        if centres is None:
            raise ValueError("give limit or centres.")
        limit = float(np.abs(centres).max()) * 1.4
    ax, image = decision_surface(discriminator, limit, resolution=resolution, ax=ax, probabilities=probabilities)
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=1, c="0.3", alpha=0.3)
    samples = np.asarray(samples)
    ax.scatter(samples[:, 0], samples[:, 1], s=2, c="tab:orange", alpha=0.8)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax, image
