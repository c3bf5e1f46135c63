"""How wide a chart label will be, and how to wrap it, without a font file: a per-character estimate
of a sans-serif face (generous, so a label is never drawn past the chart's left edge), used by
app/reports/charts.py to size the label column and to break long labels onto two lines."""

from __future__ import annotations

import functools

NARROW = set("fijlrtI.,:;|!'()[] ")
WIDE = set("mwMW@%")
# Em fractions: narrow letters, wide letters, capitals and digits, other Latin, other scripts
# (Cyrillic and Georgian letters run wider than Latin lower case).
# Measured against DejaVu Sans (what system-ui gives on Debian; wider than Arial or Segoe UI), plus 5 %.
SIZES = {"narrow": 0.36, "wide": 1.0, "capital": 0.76, "digit": 0.64, "latin": 0.65, "other": 0.66}


def _em(char: str) -> float:
    width = _EMS.get(char)
    if width is None:
        width = _measure(char)
        if len(_EMS) < 4096:
            _EMS[char] = width
    return width


# Each character's width, worked out once per worker (a dashboard measures thousands: labels are
# wrapped and shortened a character at a time). At most 4,096 characters.
_EMS: dict[str, float] = {}


def _measure(char: str) -> float:
    if char in NARROW:
        return SIZES["narrow"]
    if char in WIDE:
        return SIZES["wide"]
    if char.isdigit():
        return SIZES["digit"]
    if char.isascii():
        return SIZES["capital"] if char.isupper() else SIZES["latin"]
    return SIZES["other"]


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float = 12) -> float:
    """The estimated width in pixels of `text` at `size` px (remembered: every dashboard measures the
    same labels)."""
    return sum(map(_em, text)) * size


def shorten(text: str, width: float, size: float = 12) -> str:
    """`text`, cut with an ellipsis so that it fits in `width` pixels."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, width: float, size: float = 12, lines: int = 2) -> list[str]:
    """`text` broken at spaces into at most `lines` lines of at most `width` pixels (the last one
    shortened with an ellipsis when the words do not fit). Remembered: every dashboard wraps the
    same country, theme and kind names."""
    return list(_wrapped(text, width, size, lines))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width: float, size: float, lines: int) -> tuple[str, ...]:
    words, result, current = text.split(), [], ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size) <= width or not current:
            current = candidate
            continue
        result.append(current)
        current = word
        if len(result) == lines - 1:
            current = " ".join(words[index:])
            break
    result.append(current)
    return tuple(shorten(line, width, size) for line in result[:lines])
