#!/usr/bin/env bash
# Test the dependency ranges pyproject.toml declares, at both ends:
#
#   floor   requirements-floor.txt   Python 3.10, the lowest versions declared, pinned
#   newest  requirements-newest.txt  Python 3.13, the newest versions in the ranges, unpinned
#
# For each, make a virtual environment, install the requirements, and run the quick tests
# (-m "not slow and not torch": these environments hold TensorFlow only, and the tests marked torch
# move a run between two backends) and chapters 1, 3 and 6 in fast mode through nbmake, with this checkout's ganlab
# on PYTHONPATH (the package's own dependencies are what the requirements file installs).
# tests/test_book.py and tests/test_packaging.py check the book's sources and the distribution, not the
# package against its dependencies; they need the book's tool chain and run in `make test`.
#
#   scripts/test_envs.sh [--install-only] [floor|newest ...]     (default: both)
#
# --install-only makes and fills the environments and runs nothing (.ci/run does that in the background
# while it installs .venv-ci, before the main pass; it tests the two environments side by side after it).
#
# The environments are kept in $GANLAB_ENVS_DIR (default ~/.cache/ganlab-envs), one per requirements
# file's content, so a later run on the same machine installs nothing for the floor and only what is
# newer for the newest (pip install --upgrade). Interpreters: PYTHON_FLOOR / PYTHON_NEWEST, else
# python3.10 / python3.13 on the PATH, else pyenv's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
envs_dir="${GANLAB_ENVS_DIR:-$HOME/.cache/ganlab-envs}"
export GANLAB_FAST=1 PIP_DISABLE_PIP_VERSION_CHECK=1

interpreter() {  # interpreter VERSION OVERRIDE
    local version=$1 override=$2 pyenv
    if [[ -n "$override" ]]; then echo "$override"; return; fi
    # a pyenv shim answers `command -v` for every version pyenv has, but runs only those `pyenv global`
    # names: take the command only if it really runs
    if "python$version" -c 'import sys' >/dev/null 2>&1; then command -v "python$version"; return; fi
    for pyenv in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python; do
        if [[ -x "$pyenv" ]]; then echo "$pyenv"; return; fi
    done
    echo "scripts/test_envs.sh: no Python $version (set PYTHON_FLOOR / PYTHON_NEWEST)" >&2
    return 1
}

test_env() {  # test_env NAME PYTHON REQUIREMENTS [PIP OPTIONS]
    local name=$1 python=$2 requirements=$3 start=$SECONDS
    shift 3
    local venv="$envs_dir/$name-$(cat "$requirements" | sha256sum | cut -c1-12)"
    if [[ ! -f "$venv/.installed" ]]; then
        rm -rf "$venv"
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install -q "$@" -r "$requirements"
    touch "$venv/.installed"
    local installed=$(( SECONDS - start ))
    if [[ -n "$install_only" ]]; then
        echo "test_envs: $name installed in ${installed} s"
        return
    fi
    export PYTHONPATH="$root"
    # a run directory of its own: runs that `make test` trained with the pinned (newer) Keras may not
    # load in an older one, which is what a reader with two environments would meet too
    export GANLAB_RUNS_DIR
    GANLAB_RUNS_DIR="$(mktemp -d)"
    "$venv/bin/python" -c 'import sys, numpy, keras, tensorflow, ganlab; print("test_envs: '"$name"': python",
        sys.version.split()[0], "numpy", numpy.__version__, "keras", keras.__version__, "tensorflow",
        tensorflow.__version__, "ganlab from", ganlab.__file__)'
    "$venv/bin/python" -m pytest -q -m "not slow and not torch" tests -p no:cacheprovider \
        --ignore tests/test_book.py --ignore tests/test_packaging.py
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --nbmake --nbmake-timeout=600 \
        book/01_minimax.ipynb book/03_mode_collapse.ipynb book/06_wgan.ipynb
    rm -rf "$GANLAB_RUNS_DIR"
    unset PYTHONPATH GANLAB_RUNS_DIR
    echo "test_envs: $name passed: install ${installed} s, tests $(( SECONDS - start - installed )) s"
}

install_only=
if [[ "${1:-}" == --install-only ]]; then
    install_only=1
    shift
fi
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(floor newest)
mkdir -p "$envs_dir"
for name in "${names[@]}"; do
    case "$name" in
        floor) test_env floor "$(interpreter 3.10 "${PYTHON_FLOOR:-}")" requirements-floor.txt ;;
        newest) test_env newest "$(interpreter 3.13 "${PYTHON_NEWEST:-}")" requirements-newest.txt --upgrade ;;
        *) echo "scripts/test_envs.sh: unknown environment $name (floor or newest)" >&2; exit 2 ;;
    esac
done
