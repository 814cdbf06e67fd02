"""Reading a bench's figures from its standard output, without knowing the script.

Lines of a table (a header of names over rows of a label and numbers, as `bench/ussd.py` prints)
give one figure per row and column ("ussd hops/s"). Other lines give one figure per number, named
by the words before it and the unit after it ("worker msg/s"), under the line's leading "...:"
part when that part holds numbers (a setting such as "batch 200, concurrency 64"). A figure
printed more than once in one run (a bench's own repeated passes) counts as the median of its
values in that run. Lines matching the skip pattern (by default the benches' "best ..."
summaries, maxima of figures that are already read) are not read.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w|\.\d)")
# A word right after a number is its unit when it looks like one, or when a delimiter follows it.
UNIT = re.compile(r"\s*%|\s*([^\W\d][\w/%]*(?:\([\w/]+\))?)")
UNIT_WORD = re.compile(r"(?:[kMGT]?i?B|[mµun]?s|min|h|%|x|×|\w+/\w+)$")
DELIMITER = re.compile(r"\s*(?:[,;:()\[\]]|$)")
LEADING = re.compile(r"^[\s,;:)\]]*")  # what closes the previous figure's clause
WORDS = re.compile(r"(?:\s*[^\s,;:]*\w[^\s,;:]*)+")  # words up to a delimiter or a symbol
DEFAULT_SKIP = r"^\s*best\b"

Figures = dict[tuple[str, str], list[float]]


def to_float(text: str) -> float:
    return float(text.replace(",", ""))


def is_number(token: str) -> bool:
    return NUMBER.fullmatch(token.rstrip("%")) is not None


def clean(text: str) -> str:
    """A label's words: no stray brackets or colons, single spaces."""
    text = text.replace(":", " ")
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
    return re.sub(r"\s+([,;])", r"\1", " ".join(text.split()))


def prose_figures(line: str) -> list[tuple[str, str, float]]:
    """(group, label, value) for each number of a free-text line."""
    group = ""
    head, sep, rest = line.partition(": ")
    if sep and NUMBER.search(head) and rest and NUMBER.search(rest):
        group, line = clean(head), rest
    matches = list(NUMBER.finditer(line))
    found: list[tuple[str, str, float]] = []
    position = 0
    previous = ""  # the last figure's label that stands on its own, for the ones that qualify it
    for index, match in enumerate(matches):
        if match.start() < position:
            continue
        gap_end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        before, position = position, match.end()
        unit = ""
        unit_match = UNIT.match(line, position, gap_end)
        if unit_match:
            word = unit_match.group(1) or "%"
            if UNIT_WORD.match(word) or DELIMITER.match(line, unit_match.end(), gap_end):
                unit, position = word, unit_match.end()
        clause = LEADING.sub("", line[before : match.start()])
        label = clean(clause)
        qualifier = clause.count("(") > clause.count(")")
        if not re.search(r"\w", label):
            qualifier = qualifier or bool(label)
            words = WORDS.match(line, position, gap_end)
            if words:
                label = f"{label} {clean(words.group())}".strip()
                position = words.end()
        if qualifier and previous:
            label = f"{previous} {label}"
        name = " ".join(part for part in (label, unit) if part) or f"#{index + 1}"
        if not qualifier:
            previous = label or name
        found.append((group, name, to_float(match.group())))
    return found


def tokens(line: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", line)]


def row_shape(line: str) -> tuple[str, list[tuple[str, int, int]]] | None:
    """A table row: a label, then only numbers (at least two)."""
    parts = tokens(line)
    first = next((i for i, (text, _, _) in enumerate(parts) if is_number(text)), None)
    if first is None or first == 0 or len(parts) - first < 2:
        return None
    numbers = parts[first:]
    if not all(is_number(text) for text, _, _ in numbers):
        return None
    return " ".join(text for text, _, _ in parts[:first]), numbers


def column_names(header: str, numbers: list[tuple[str, int, int]]) -> list[str]:
    """Each number's column name: the header words ending above it (columns right-aligned)."""
    names: list[list[str]] = [[] for _ in numbers]
    for word, _, end in tokens(header):
        if end <= numbers[0][1]:
            continue  # the label column's name
        column = next((i for i, (_, _, e) in enumerate(numbers) if e >= end), None)
        if column is None:
            break
        names[column].append(word)
    if all(names):
        return [" ".join(words) for words in names]
    words = [text for text, _, _ in tokens(header)]
    if len(words) == len(numbers) + 1:
        return words[1:]
    return [f"col{i + 1}" for i in range(len(numbers))]


def read_figures(lines: list[str], skip: re.Pattern[str] | None) -> Figures:
    """Every figure in a run's output, with all its values in printing order."""
    figures: Figures = {}
    header: str | None = None
    previous_line = ""
    for raw in lines:
        line = raw.rstrip()
        if skip is not None and skip.search(line):
            header, previous_line = None, ""
            continue
        row = row_shape(line)
        if (
            row is not None
            and header is None
            and previous_line
            and not NUMBER.search(previous_line)
        ):
            header = previous_line
        if row is not None and header is not None:
            label, numbers = row
            for name, (text, _, _) in zip(column_names(header, numbers), numbers, strict=True):
                figures.setdefault(("", f"{label} {name}"), []).append(to_float(text.rstrip("%")))
        else:
            header = None
            for group, label, value in prose_figures(line):
                figures.setdefault((group, label), []).append(value)
        previous_line = line if line.strip() else ""
    return figures
