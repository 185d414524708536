"""Tests for ganlab.viz: grids, palettes, export, contact sheets, tables and plots."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from ganlab import viz  # noqa: E402
from ganlab.theory import Mixture1D  # noqa: E402


def test_colorize_maps_the_ends_to_the_palette_ends():
    image = np.array([[-1.0, 1.0]])
    rgb = viz.colorize(image, ["#000000", "#ff8000"])
    assert rgb.shape == (1, 2, 3)
    np.testing.assert_allclose(viz.to_uint8(rgb)[0, 0], [0, 0, 0])
    np.testing.assert_allclose(viz.to_uint8(rgb)[0, 1], [255, 128, 0], atol=1)
    with pytest.raises(ValueError, match="3 channels"):
        viz.colorize(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="palette"):
        viz.colorize(image, "no-such-palette")


def test_export_png_writes_the_requested_size(tmp_path):
    image = np.linspace(-1, 1, 28 * 14).reshape(14, 28, 1)
    path = viz.export_png(image, tmp_path / "art.png", size=280, palette="magma")
    with Image.open(path) as png:
        assert png.size == (280, 140)
        assert png.mode == "RGB"
    with Image.open(viz.export_png(image, tmp_path / "grey.png")) as png:
        assert png.size == (28, 14) and png.mode == "L"
    with pytest.raises(ValueError, match=".png"):
        viz.export_png(image, tmp_path / "art.jpg")
    with pytest.raises(ValueError, match="size"):
        viz.export_png(image, tmp_path / "art.png", size=0)


def test_contact_sheet_lays_out_captioned_thumbnails(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, (10, 28, 28, 1))
    sheet = viz.contact_sheet(images, captions=[f"seed {i}" for i in range(10)], ncol=4, thumb=50,
                              path=tmp_path / "sheet.png")
    margin, caption = 6, 14
    assert sheet.size == (4 * (50 + margin) + margin, 3 * (50 + caption + margin) + margin)
    assert (tmp_path / "sheet.png").is_file()
    # the first thumbnail is the first image, enlarged
    first = np.asarray(sheet)[margin:margin + 50, margin:margin + 50, 0]
    expected = np.asarray(viz.to_pil(images[0, :, :, 0]).resize((50, 50), Image.NEAREST))
    np.testing.assert_array_equal(first, expected)
    with pytest.raises(ValueError, match="captions"):
        viz.contact_sheet(images, captions=["a"])


def test_gif_html_embeds_the_gif(tmp_path):
    import base64

    path = viz.save_gif([np.zeros((4, 4)), np.ones((4, 4))], tmp_path / "walk.gif")
    html = viz.gif_html(path, width=120).data
    assert 'width="120"' in html
    encoded = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(encoded) == path.read_bytes()
    (tmp_path / "fake.gif").write_bytes(b"not a gif")
    with pytest.raises(ValueError, match="not a GIF"):
        viz.gif_html(tmp_path / "fake.gif")


def test_contact_sheet_captions_stay_readable_on_a_dark_background():
    images = np.full((2, 8, 8, 1), -1.0)
    light = np.asarray(viz.contact_sheet(images, captions=["a", "b"], thumb=40))
    dark = np.asarray(viz.contact_sheet(images, captions=["a", "b"], thumb=40, background=(20, 20, 20)))
    caption_band = (slice(6 + 40, 6 + 40 + 14), slice(6, 6 + 40))
    assert light[caption_band].min() <= 60  # dark text on white
    assert dark[caption_band].max() >= 200  # light text on near-black


def test_markdown_table_formats_dict_rows_with_a_header_and_rounded_floats():
    table = viz.markdown_table([{"model": "gan", "modes": 3, "hq": 0.12345},
                                {"model": "wgan-gp", "modes": 8, "hq": 0.9}], digits=2)
    assert table.splitlines() == ["| model | modes | hq |", "|---|---|---|",
                                  "| gan | 3 | 0.12 |", "| wgan-gp | 8 | 0.90 |"]


def test_markdown_table_refuses_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 cells"):
        viz.markdown_table([[1, 2]], columns=["a", "b", "c"])


def test_plot_minimax_draws_both_densities_and_the_discriminator():
    x = np.linspace(-3, 3, 61)
    p_data, p_g = (Mixture1D(means=(mean,), stds=(1.0,)).density(x) for mean in (0.0, 1.0))
    ax = viz.plot_minimax(x, p_data, p_g, d=np.full_like(x, 0.5))
    assert len(ax.collections) == 2 and len(ax.lines) == 1
    plt.close(ax.figure)


def test_toy_snapshot_draws_the_surface_under_real_and_generated_points():
    from ganlab import models

    discriminator = models.toy_discriminator(hidden=(8,))
    ax, image = viz.toy_snapshot(discriminator, np.zeros((5, 2)), real=np.ones((7, 2)),
                                 centres=np.array([[2.0, 0.0]]), resolution=10)
    assert ax.get_xlim() == pytest.approx((-2.8, 2.8))
    assert len(ax.images) == 1 and len(ax.collections) == 2
    assert image.get_array().shape == (10, 10)
    plt.close(ax.figure)


def test_markdown_table_escapes_vertical_bars_inside_cells():
    table = viz.markdown_table([{"KL(q || u)": "a|b"}])
    assert table.splitlines()[0] == "| KL(q \\|\\| u) |"
    assert table.splitlines()[2] == "| a\\|b |"


def test_show_run_samples_titles_one_panel_per_epoch(tmp_path, run_with_grids):
    import matplotlib.pyplot as plt

    from ganlab import viz

    run = run_with_grids(range(1, 11))
    fig = viz.show_run_samples(run, ncols=4)  # default: 4 epochs from first to last
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["epoch 1", "epoch 4", "epoch 7", "epoch 10"]
    fig = viz.show_run_samples(run, epochs=[2, 5], ncols=4)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["epoch 2", "epoch 5"]
    plt.close("all")


def test_show_run_samples_refuses_missing_grids(tmp_path, run_with_grids):
    from ganlab import viz

    with pytest.raises(ValueError, match="no sample grids"):
        viz.show_run_samples(tmp_path)
    run = run_with_grids([1, 2])
    with pytest.raises(ValueError, match="epoch"):
        viz.show_run_samples(run, epochs=[3])
