"""The typed-number rule: every number in a chapter's prose is glued from a run or says where it comes from.

In a markdown cell of a chapter (every notebook that ``_toc.yml`` lists), a
*typed number* is flagged when it is

- a decimal number (``0.3``, ``75.2``) or a percentage (``12%``, ``3.5 %``), or
- an integer with three or more digits (``128``, ``22,699``, ``60 000``) that
  is not a year (1800-2099),

outside the regions that are ignored: ``$...$`` and ``$$...$$`` math, inline
code and fenced code, MyST roles with their content (``{glue:text}``,
``{footcite}``, ``{numref}``, ...), link targets (the ``(...)`` of
``[text](target)``, autolinks ``<https://...>`` and reference definitions),
HTML comments, and headings' anchors (a ``(label)=`` line, a ``{#id}``).
A MyST directive fenced like code (```` ```{admonition} ````) holds prose: its
body is read, its name and ``:option:`` lines are not.

Small integers (1-99) are not flagged: the chapters' checks and prose cover
those. A number that is legitimately typed (a paper's setting, a constant of
the method, a benchmark figure) is listed in the cell's metadata with where it
comes from::

    cell.metadata["ganlab"]["typed_numbers"] = {"0.0002": "Radford et al. (2016)'s learning rate"}

and a listed number whose reason is empty is an error. Everything else a
chapter's prose quotes is glued from the executed cell (``ganlab.book.glue``).

The unit tests at the top check the rule itself on small strings; the chapter
tests below report, per chapter, each flagged number with its cell index and
the text around it.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------- the rule

# Code fences whose body is code or math (ignored); any other ```{name} fence is a MyST directive holding prose.
CODE_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude", "math", "raw", "eval-rst"}

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>[^\n]*)$")
DIRECTIVE_NAME = re.compile(r"^\{(?P<name>[\w:.-]+)\}")
DIRECTIVE_OPTION = re.compile(r"^\s*:[\w-]+:.*$")

# Regions ignored within a line or a paragraph, masked in this order.
IGNORED = [
    re.compile(r"<!--[\s\S]*?-->"),                                   # HTML comments
    re.compile(r"\$\$[\s\S]+?\$\$"),                                  # display math
    re.compile(r"\{[\w:.+-]+\}(`+)[\s\S]+?\1"),                       # MyST roles with their content
    re.compile(r"(`+)[\s\S]+?\1"),                                    # inline code
    re.compile(r"(?<![\\$])\$(?![\s$])(?:[^$\n]|\n(?![ \t]*\n))*?(?<![\s\\])\$(?!\d)"),  # inline math
    re.compile(r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"),  # link targets (...) of [text](...)
    re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>"),                  # autolinks
    re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.M),                # reference definitions [label]: target
    re.compile(r"^\s*\([\w:.\-/ ]+\)=\s*$", re.M),                   # a heading's anchor line: (label)=
    re.compile(r"\{#[\w:.\-]+\}"),                                    # a heading's {#anchor}
]

# A candidate number: digits, optionally grouped by thousands (comma or a space), with an optional decimal
# part and an optional percent sign. It must not be glued to a word (H100, conv2d, v1.2) on its left.
NUMBER = re.compile(
    r"(?<![\w.,])"
    r"(?P<int>\d{1,3}(?:(?:,|[ \u00a0\u202f\u2009])\d{3})+(?!\d)|\d+)"
    r"(?P<frac>\.\d+)?"
    r"(?P<pct>\s?%)?"
)


def mask(text, start, end):
    """``text`` with [start, end) blanked out; newlines are kept so positions and lines do not move."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def prose_of(source):
    """The markdown ``source`` with every ignored region blanked out (same length, same line breaks)."""
    lines = source.split("\n")
    out = []
    fence = None  # (marker, holds_prose) while inside a fence
    for line in lines:
        if fence is None:
            opening = FENCE_OPEN.match(line)
            if opening:
                marker = opening["fence"]
                directive = DIRECTIVE_NAME.match(opening["info"])
                holds_prose = bool(directive) and directive["name"] not in CODE_DIRECTIVES
                fence = (marker, holds_prose)
                if holds_prose:  # the title of an admonition is prose; the fence and the name are not
                    rest = opening["info"][directive.end():]
                    out.append(" " * (len(line) - len(rest)) + rest)
                else:
                    out.append(" " * len(line))
                continue
            out.append(line)
        else:
            marker, holds_prose = fence
            stripped = line.strip()
            if stripped.startswith(marker[0] * len(marker)) and set(stripped) == {marker[0]}:
                fence = None
                out.append(" " * len(line))
            elif holds_prose and not DIRECTIVE_OPTION.match(line):
                out.append(line)
            else:
                out.append(" " * len(line))
    text = "\n".join(out)
    for pattern in IGNORED:
        for match in reversed(list(pattern.finditer(text))):
            text = mask(text, match.start(), match.end())
    return text


def canonical(number):
    """One spelling per number: no thousands separators, no space before %: '22,699' -> '22699', '3.5 %' -> '3.5%'."""
    number = number.strip()
    return re.sub(r"(?<=\d)[, \u00a0\u202f\u2009](?=\d{3})", "", re.sub(r"\s+%$", "%", number))


def is_flagged(match):
    """Whether a NUMBER match is a typed number under the rule."""
    if match["frac"] or match["pct"]:
        return True
    digits = re.sub(r"\D", "", match["int"])
    grouped = len(digits) != len(match["int"])
    if len(digits) < 3:
        return False
    if not grouped and len(digits) == 4 and 1800 <= int(digits) <= 2099:
        return False
    return True


def typed_numbers(source):
    """[(number as typed, offset)] for every typed number in a markdown ``source``."""
    text = prose_of(source)
    return [(source[m.start():m.end()].strip(), m.start()) for m in NUMBER.finditer(text) if is_flagged(m)]


def snippet(source, offset, width=40):
    """The text around ``offset`` on one line, for a message."""
    start, end = max(0, offset - width), min(len(source), offset + width)
    text = source[start:end].replace("\n", " ")
    return ("..." if start else "") + text + ("..." if end < len(source) else "")


def listed_numbers(cell):
    """The numbers ``cell`` lists as typed on purpose, canonical spelling -> reason, and the listing's errors."""
    listing = cell.get("metadata", {}).get("ganlab", {}).get("typed_numbers", {})
    if not isinstance(listing, dict):
        return {}, [f"metadata ganlab.typed_numbers must map each number to where it comes from, not {listing!r}"]
    errors = [f"typed number {number!r} is listed without saying where it comes from"
              for number, reason in listing.items() if not isinstance(reason, str) or not reason.strip()]
    return {canonical(str(number)): reason for number, reason in listing.items()}, errors


def check_cell(cell):
    """(flagged, errors) of one notebook cell: typed numbers not listed in its metadata, and bad listings."""
    if cell.get("cell_type") != "markdown":
        return [], []
    listed, errors = listed_numbers(cell)
    flagged = [(number, offset) for number, offset in typed_numbers(cell["source"])
               if canonical(number) not in listed or not str(listed[canonical(number)]).strip()]
    return flagged, errors


def chapter_report(notebook):
    """One line per problem in a chapter: cell index, the number and the text around it."""
    lines = []
    for index, cell in enumerate(notebook.cells):
        flagged, errors = check_cell(cell)
        lines += [f"  cell {index}: {error}" for error in errors]
        lines += [f"  cell {index}: {number!r} in {snippet(cell.source, offset)!r}" for number, offset in flagged]
    return lines


# --------------------------------------------------------------------------- the rule, on small strings


def markdown(source, typed=None):
    cell = nbformat.v4.new_markdown_cell(source)
    if typed is not None:
        cell.metadata["ganlab"] = {"typed_numbers": typed}
    return cell


def flagged_numbers(source, typed=None):
    flagged, errors = check_cell(markdown(source, typed))
    return [number for number, _ in flagged], errors


def test_a_decimal_in_prose_is_flagged():
    assert flagged_numbers("The loss falls to 0.3 after training.") == (["0.3"], [])


def test_decimals_percentages_and_integers_of_three_or_more_digits_are_flagged():
    found, _ = flagged_numbers("FID 75.2, 12% and 3.5 % of samples, 128 filters, 22,699 and 60 000 images.")
    assert found == ["75.2", "12%", "3.5 %", "128", "22,699", "60 000"]


def test_small_integers_and_years_are_not_flagged():
    assert flagged_numbers("Train 3 critic steps for 25 epochs, as in 2014 and 1998; 99 of them.") == ([], [])


def test_integers_outside_the_years_are_flagged():
    assert flagged_numbers("From 1799 to 2100.")[0] == ["1799", "2100"]


def test_math_is_not_flagged():
    assert flagged_numbers("With $0.5$ and $$x = 128 \\cdot 0.25$$ the rest is math.") == ([], [])


def test_inline_math_may_wrap_a_line_but_not_a_paragraph():
    assert flagged_numbers("At $N = 100,\n    10{,}000$ samples.") == ([], [])
    assert flagged_numbers("A $ sign.\n\nAnother 0.5 and $x$.")[0] == ["0.5"]


def test_inline_code_and_fenced_code_are_not_flagged():
    source = "Call `lr=0.5` or ``beta_1=0.5``.\n\n```python\nmodel.fit(epochs=100, lr=0.0002)\n```\n"
    assert flagged_numbers(source) == ([], [])


def test_roles_and_their_content_are_not_flagged():
    source = ("FID {glue:text}`fid:.1f` after {glue:text}`epochs` epochs; see {numref}`fig-128` "
              "and {footcite}`radford2016dcgan`.")
    assert flagged_numbers(source) == ([], [])


def test_a_link_target_is_not_flagged_but_its_text_is():
    source = "See [the paper](https://arxiv.org/abs/1511.06434) and [version 2.5](https://example.org/2.5)."
    assert flagged_numbers(source)[0] == ["2.5"]


def test_html_comments_and_heading_anchors_are_not_flagged():
    source = "<!-- tuned to 0.25 once -->\n(sec-128)=\n## Sampling {#anchor-256}\n\nText."
    assert flagged_numbers(source) == ([], [])


def test_the_body_of_an_admonition_is_prose():
    source = "```{admonition} Exercise\n:class: tip\nTry a learning rate of 0.001.\n```"
    assert flagged_numbers(source)[0] == ["0.001"]


def test_numbers_glued_to_words_are_names_not_numbers():
    assert flagged_numbers("An H100 GPU, a Conv2D layer, CIFAR-10 and ganlab v1.2.")[0] == []


def test_a_number_listed_in_the_cells_metadata_is_not_flagged():
    source = "Radford et al. use a learning rate of 0.0002 and 128 filters."
    typed = {"0.0002": "Radford et al. (2016)'s learning rate", "128": "Radford et al. (2016)'s first layer"}
    assert flagged_numbers(source, typed) == ([], [])


def test_a_listed_number_matches_however_its_thousands_are_grouped():
    assert flagged_numbers("MNIST has 60,000 training digits.", {"60000": "LeCun et al. (1998)"}) == ([], [])


def test_a_listed_number_with_an_empty_reason_is_an_error():
    found, errors = flagged_numbers("A learning rate of 0.0002.", {"0.0002": "  "})
    assert found == ["0.0002"]
    assert errors == ["typed number '0.0002' is listed without saying where it comes from"]


def test_a_listing_that_is_not_a_mapping_is_an_error():
    _, errors = flagged_numbers("A learning rate of 0.0002.", ["0.0002"])
    assert errors and "must map each number" in errors[0]


def test_code_cells_are_not_read():
    assert check_cell(nbformat.v4.new_code_cell("lr = 0.0002  # 128 filters")) == ([], [])


def test_the_report_names_the_cell_and_the_text_around_the_number():
    notebook = nbformat.v4.new_notebook(cells=[markdown("Clean."), markdown("The FID falls to 75.2 here.")])
    assert chapter_report(notebook) == ["  cell 1: '75.2' in 'The FID falls to 75.2 here.'"]


# --------------------------------------------------------------------------- every chapter


from test_book import toc_files  # noqa: E402  (one reader of the table of contents)

CHAPTERS = [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]


def test_the_toc_lists_chapter_notebooks():
    assert CHAPTERS, "no notebook listed in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_prose_types_no_number_a_run_produced(path):
    problems = chapter_report(nbformat.read(path, as_version=4))
    assert not problems, (
        f"{path.name}: {len(problems)} typed number(s); glue each number a run produced "
        "(ganlab.book.glue, {glue:text}`name:fmt`), or list a legitimately typed one with where it comes from "
        "in the cell's metadata ganlab.typed_numbers:\n" + "\n".join(problems))
