"""Text normalisation with an offset map back to the original document.

The original file is never changed: normalisation produces an analysis text in which every
character remembers the code-point offset it came from, so a match found in the analysis
text is reported at its place in the original. Steps:

1. drop markup (HTML tags and comments, markdown link targets, wiki `[[zh:…]]` brackets, URLs)
   and decode the few HTML entities the sources use;
2. drop the pinyin glosses inserted after characters in some sources (`關(guān)` -> `關`);
3. fold whitespace: removed next to CJK text (where it is layout, not word spacing), else one space;
4. map Traditional to Simplified script (OpenCC) for matching only, one character for one.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Markup removed per source kind. Order matters: comments before tags.
_HTML = [r"<!--.*?-->", r"<[^<>]*>"]
_MARKDOWN = [r"\]\([^()\s]*\)", r"(?m)^#+ *", r"(?m)^-{3,}\s*$", r"\[(?=[^\]]*\]\()"]
_WIKI = [r"\[\[zh:", r"\]\]"]
_URL = [r"<?https?://[^\s<>\)\]）]+>?", r"whatsapp://\S+"]
# A pinyin gloss: lower-case Latin letters with tone marks, in ASCII brackets, after a CJK char.
_PINYIN = r"(?<=[\u3400-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüɡ]{1,8}\)"
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")

_STRIP = {
    "html": _HTML + _MARKDOWN + _URL,
    "markdown": _HTML + _MARKDOWN + _URL,
    "wiki": _WIKI + _MARKDOWN + _URL,
    "plain": _URL,
}


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3400 <= o <= 0x9FFF
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2018 <= o <= 0x201F  # curly quotes used as CJK quotes
        or 0xF900 <= o <= 0xFAFF
    )


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified, guaranteed to keep the length (so offsets stay aligned)."""
    if not text:
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # Phrase conversion changed the length somewhere: fall back to one character at a time.
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, _t2s().convert(ch)) for ch in text))


@dataclass(frozen=True)
class AnalysisText:
    """Normalised text plus, for each of its characters, the offset in the original."""

    original: str
    clean: str  # markup and glosses removed, original script
    simplified: str  # `clean` in Simplified script, same length
    origin: tuple[int, ...]  # origin[i] = offset in `original` of clean[i]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets [s, e) covering analysis characters [start, end)."""
        if not 0 <= start < end <= len(self.clean):
            raise ValueError(f"span {start}-{end} outside the analysis text")
        return self.origin[start], self.origin[end - 1] + 1

    def analysis_index(self, original_offset: int) -> int:
        """The first analysis character at or after an original offset."""
        return bisect.bisect_left(self.origin, original_offset)


def normalise(original: str, markup: str = "plain", pinyin: bool = False) -> AnalysisText:
    patterns = list(_STRIP.get(markup, _URL))
    if pinyin:
        patterns.append(_PINYIN)
    drop = bytearray(len(original))
    for pattern in patterns:
        for m in re.finditer(pattern, original, flags=re.S):
            drop[m.start() : m.end()] = b"\x01" * (m.end() - m.start())

    chars: list[str] = []
    origin: list[int] = []
    i, n = 0, len(original)
    while i < n:
        if drop[i]:
            i += 1
            continue
        ch = original[i]
        if ch == "&" and markup in ("html", "markdown"):
            m = _ENTITY.match(original, i)
            if m and not any(drop[m.start() : m.end()]):
                decoded = html.unescape(m.group(0))
                for d in decoded:
                    chars.append(" " if d == "\xa0" else d)
                    origin.append(i)
                i = m.end()
                continue
        chars.append(ch)
        origin.append(i)
        i += 1

    clean, corigin = _fold_whitespace(chars, origin)
    clean = unicodedata.normalize("NFC", clean) if not unicodedata.is_normalized("NFC", clean) else clean
    return AnalysisText(original=original, clean=clean, simplified=to_simplified(clean), origin=tuple(corigin))


def _fold_whitespace(chars: list[str], origin: list[int]) -> tuple[str, list[int]]:
    out: list[str] = []
    out_origin: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        if chars[i].isspace():
            j = i
            while j < n and chars[j].isspace():
                j += 1
            before = out[-1] if out else ""
            after = chars[j] if j < n else ""
            if before and after and not (is_cjk(before) or is_cjk(after)):
                out.append(" ")
                out_origin.append(origin[i])
            i = j
            continue
        out.append(chars[i])
        out_origin.append(origin[i])
        i += 1
    return "".join(out), out_origin


def normalise_fragment(fragment: str, markup: str = "plain", pinyin: bool = False) -> str:
    """A quote from an annotation file, normalised the way its source is (Simplified)."""
    return normalise(fragment, markup, pinyin).simplified.strip()
