"""Make the resized copies of the eight paintings that the package ships (ganlab/assets/paintings/).

    python scripts/make_painting_assets.py --source /work/shared/data/art [--long-side 640] [--quality 90]

Each painting is converted to sRGB (one source file is tagged Adobe RGB), shrunk
with a Lanczos filter so that its longer side is ``--long-side`` pixels (never
enlarged), and saved as a baseline JPEG at ``--quality`` without chroma
subsampling (4:4:4, so that the saturated colour edges of Matisse and Picabia
stay sharp in small crops). 640 px, quality 90 make about 1 MB for all eight.
The file names are the sources' names. The source folder's README.md (credits,
and why the files are free to ship) is copied beside them with a note on the
resizing; ``ganlab.datasets.paintings()`` holds the same credits, and a test
checks that they agree.
"""

import argparse
import io
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

ROOT = Path(__file__).resolve().parents[1]


def to_srgb(image):
    """Return ``image`` as RGB in sRGB, converting from its embedded ICC profile if it has one."""
    profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if profile:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    return image.convert("RGB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="the folder of the eight originals")
    parser.add_argument("--out", type=Path, default=ROOT / "ganlab" / "assets" / "paintings")
    parser.add_argument("--long-side", type=int, default=640)
    parser.add_argument("--quality", type=int, default=90)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(args.source.glob("*.jpg")):
        with Image.open(path) as original:
            image = to_srgb(original)
        factor = min(1.0, args.long_side / max(image.size))
        if factor < 1.0:
            image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
        target = args.out / path.name
        image.save(target, "JPEG", quality=args.quality, subsampling=0, optimize=True)
        total += target.stat().st_size
        print(f"{target.name}: {image.width} x {image.height}, {target.stat().st_size / 1e3:.0f} kB")
    readme = (args.source / "README.md").read_text()
    note = (f"\nThe copies in this folder are resized: converted to sRGB, longer side at most {args.long_side} px "
            f"(Lanczos), JPEG quality {args.quality}, 4:4:4, made by scripts/make_painting_assets.py. "
            "The sizes in the table are the originals'.\n")
    (args.out / "README.md").write_text(readme.rstrip("\n") + "\n" + note)
    print(f"total {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
