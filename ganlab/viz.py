"""Pictures: sample grids, 2D scatter plots, decision surfaces, curves and GIFs.

Images are float arrays in [-1, 1] with shape (N, H, W, 1) or (N, H, W, 3),
as the generators produce them.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


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
    """Scatter generated 2D points (orange) over real points (blue) and mode centres (black crosses)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=s, c="tab:blue", alpha=0.3, label="real")
    points = np.asarray(points)
    ax.scatter(points[:, 0], points[:, 1], s=s, c="tab:orange", alpha=0.6, label="generated")
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", c="black", s=25, label="modes")
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


def plot_minimax(x, p_data, p_g, d=None, d_trained=None, ax=None, title=None):
    """Draw two 1D densities and a discriminator on one axis (chapter 1).

    p_data (blue) and p_g (orange) are filled curves; ``d`` (black, usually the
    optimal D*) and ``d_trained`` (dashed green, a trained network's D(x)) share
    the same axis, whose range [0, 1] suits both densities and probabilities.

    Args:
        x: the grid; p_data, p_g, d, d_trained: arrays on it (d and d_trained may be None).
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
    ax.set_xlim(float(x[0]), float(x[-1]))
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
        digits: decimals for floats.

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
        return str(value)

    lines = ["| " + " | ".join(str(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells but there are {len(columns)} columns.")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)
