#!/usr/bin/env bash
# Screenshot built pages of the book with headless Chromium, to look at them as a reader would.
#
#   scripts/screenshot.sh [-d HTML_DIR] [-h HEIGHT] PAGE...      e.g.  scripts/screenshot.sh intro 00_gans_in_one_picture
#
# HTML_DIR defaults to _build/html, else _build/fast/_build/html. Writes
# _build/screenshots/PAGE.png (1280 pixels wide, HEIGHT tall, default 2000).
# Needs Debian's chromium (apt-get install chromium). Offline, the pages'
# MathJax (loaded from a CDN) cannot run; if Debian's libjs-mathjax is
# installed, the script points a scratch copy of the pages at it instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
html=""
height=2000
while getopts "d:h:" option; do
    case $option in
        d) html=$OPTARG ;;
        h) height=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [[ $# -eq 0 ]]; then
    echo "usage: scripts/screenshot.sh [-d HTML_DIR] [-h HEIGHT] PAGE..." >&2
    exit 2
fi
if [[ -z $html ]]; then
    for candidate in _build/html _build/fast/_build/html; do
        if [[ -f $candidate/index.html ]]; then html=$candidate; break; fi
    done
fi
[[ -n $html && -d $html ]] || { echo "no built book found; run make book or make book-fast" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$html" "$scratch/html"
local_mathjax=/usr/share/javascript/mathjax/MathJax.js
if [[ -f $local_mathjax ]]; then
    python3 - "$scratch/html" "$local_mathjax" <<'EOF'
import pathlib, re, sys
root, mathjax = pathlib.Path(sys.argv[1]), sys.argv[2]
local = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {inlineMath: [["\\\\(","\\\\)"]], '
         'displayMath: [["\\\\[","\\\\]"]], processClass: "math|output_area", ignoreClass: "tex2jax_ignore"}, '
         f'messageStyle: "none"}});</script><script src="file://{mathjax}?config=TeX-AMS_CHTML"></script>')
for page in root.rglob("*.html"):
    text = page.read_text()
    text = re.sub(r'<script defer="defer" src="https://cdn\.jsdelivr\.net/npm/mathjax@3[^"]*"></script>',
                  lambda match: local, text)  # a function: re.sub would eat the backslashes of a string
    text = re.sub(r"<script>window\.MathJax = .*?</script>", "", text)
    page.write_text(text)
EOF
fi

mkdir -p _build/screenshots
for page in "$@"; do
    file="$scratch/html/book/$page.html"
    [[ -f $file ]] || file="$scratch/html/$page.html"
    [[ -f $file ]] || { echo "no page $page in $html" >&2; exit 1; }
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$scratch/profile" --hide-scrollbars --allow-file-access-from-files \
        --virtual-time-budget=15000 --window-size="1280,$height" \
        --screenshot="_build/screenshots/$page.png" "file://$file" 2>/dev/null
    echo "_build/screenshots/$page.png"
done
