"""The distribution: ``ganlab-book`` builds into an sdist and a wheel that PyPI would accept.

The import name and the command stay ``ganlab``; the distribution is called ``ganlab-book``
because PyPI compares names with separators removed and ``gan-lab`` (another project) exists.
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_WHEEL_BYTES = 5 * 2**20  # the shipped classifiers and paintings included


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist, and the wheel built from that sdist (so the sdist must be complete)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    return out


def tracked(pattern):
    listed = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, check=True, capture_output=True, text=True)
    return sorted(line for line in listed.stdout.splitlines() if line)


@pytest.mark.slow
def test_sdist_and_wheel_pass_twine_check(built):
    files = sorted(built.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"], files
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_wheel_holds_every_module_and_asset_under_the_published_name(built):
    wheel = next(built.glob("*.whl"))
    assert wheel.name.startswith("ganlab_book-"), wheel.name
    assert wheel.stat().st_size < MAX_WHEEL_BYTES, f"{wheel.name} is {wheel.stat().st_size} bytes"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    missing = [path for path in tracked("ganlab") if path not in names]
    assert not missing, f"files of ganlab/ missing from the wheel: {missing}"
    assert "Name: ganlab-book\n" in metadata
    assert "ganlab = ganlab.cli:main" in entry_points


def _floors(lines):
    """{distribution: lowest version} from requirement lines such as ``numpy>=2.0`` or ``numpy==2.0.2``."""
    import re

    floors = {}
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(>=|==)\s*([0-9][0-9.]*)", line.split("#")[0])
        if match:
            floors[match.group(1).lower().replace("tensorflow-cpu", "tensorflow")] = match.group(3)
    return floors


def _version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_the_floor_environment_pins_exactly_the_floors_pyproject_declares():
    import tomllib

    declared = _floors(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    pinned = _floors((ROOT / "requirements-floor.txt").read_text().splitlines())
    newest = _floors((ROOT / "requirements-newest.txt").read_text().splitlines())
    assert declared and {name: _version(pinned.get(name, "0")) for name in declared} == \
        {name: _version(version) for name, version in declared.items()}
    assert {name: _version(newest.get(name, "0")) for name in declared} == \
        {name: _version(version) for name, version in declared.items()}
