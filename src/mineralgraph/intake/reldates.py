"""Dates in a sentence, resolved against the article's own date (`mineralgraph draft`).

Absolute dates (`2025年10月20日`, `20 October 2025`, `December 2024`) are read as written;
relative ones (`on Wednesday`, `the 4th`, `28日`, `4日（当地时间）`, `去年十月`, `2月2日`, `end of
March`, `within 180 days`, `last year`) are resolved against the article date and marked
`resolved`. A date is as precise as the text: `去年十月` is a month, `last year` a year. A month or
day without a year takes the occurrence nearest the article date; a weekday the most recent one
(the article's own day included) unless `next`/下周 says the coming one or `last`/上周 the previous
week's. Dates inside a dateline
(`WASHINGTON, Feb. 6 -`, `【本报华盛顿2月5日电】`) are the day of writing and are skipped. The words
are data: drafting/dates.yaml.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from .drafting import load


@dataclass(frozen=True)
class FoundDate:
    start: int  # offsets in the sentence
    end: int
    surface: str
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    resolved: bool  # True when computed from the article date


def article_date(value) -> datetime.date | None:
    """The article's date when it is a full day (only then can relative dates be resolved)."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def _data():
    d = load("dates")
    months = d["en_months"]
    month_re = "|".join(sorted(months, key=len, reverse=True))
    numbers = {str(k): v for k, v in d["numbers"].items()}
    zh_num = "|".join(sorted((k for k in numbers if not k.isascii()), key=len, reverse=True))
    en_num = "|".join(sorted((k for k in numbers if k.isascii()), key=len, reverse=True))
    return d, months, month_re, numbers, zh_num, en_num


def _num(token: str) -> int:
    _, _, _, numbers, _, _ = _data()
    token = token.strip()
    return int(token) if token.isdigit() else numbers[token.lower() if token.isascii() else token]


def _fmt(y: int, m: int | None = None, d: int | None = None) -> str:
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def _nearest_month(article: datetime.date, month: int) -> tuple[int, int]:
    best = min((article.year + dy for dy in (-1, 0, 1)),
               key=lambda y: abs((datetime.date(y, month, 15) - article).days))
    return best, month


def _nearest_day(article: datetime.date, month: int | None, day: int) -> tuple[int, int, int] | None:
    options = []
    if month:
        years = [(article.year + dy, month) for dy in (-1, 0, 1)]
    else:
        years = []
        for dm in (-1, 0, 1):
            m0 = article.month + dm
            y0 = article.year + (m0 - 1) // 12
            years.append((y0, (m0 - 1) % 12 + 1))
    for y, m in years:
        if day <= calendar.monthrange(y, m)[1]:
            options.append(datetime.date(y, m, day))
    if not options:
        return None
    best = min(options, key=lambda x: abs((x - article).days))
    return best.year, best.month, best.day


def _add_months(article: datetime.date, n: int) -> tuple[int, int]:
    m0 = article.month - 1 + n
    return article.year + m0 // 12, m0 % 12 + 1


def _patterns():
    d, months, month_re, numbers, zh_num, en_num = _data()
    wd_en = "|".join(d["en_weekdays"])
    wd_zh = "".join(d["zh_weekdays"])
    rel_y_en = "|".join(sorted(d["en_relative_years"], key=len, reverse=True))
    rel_y_zh = "|".join(sorted(d["zh_relative_years"], key=len, reverse=True))
    rel_m_en = "|".join(sorted(d["en_relative_months"], key=len, reverse=True))
    rel_m_zh = "|".join(sorted(d["zh_relative_months"], key=len, reverse=True))
    nxt_en = "|".join(d["en_next"])
    nxt_zh = "|".join(d["zh_next"])
    zmon = rf"(\d{{1,2}}|{zh_num})"
    day = r"(\d{1,2})(?:st|nd|rd|th)?"
    B = r"(?<![A-Za-z0-9])"  # a word starts here
    E = r"(?![A-Za-z0-9])"  # a word ends here
    return [
        # (name, regex, flags); order is priority: earlier patterns claim their span first
        ("ymd_zh", r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", 0),
        ("iso", r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)", 0),
        ("mdy_en", rf"{B}({month_re})\.?\s+{day},?\s+((?:19|20)\d\d)(?!\d)", re.I),
        ("dmy_en", rf"{B}{day}\s+(?:of\s+)?({month_re})\.?,?\s+((?:19|20)\d\d)(?!\d)", re.I),
        ("within", rf"{B}(?:within|in|over the next|in the next)\s+(\d+|{en_num})\s+(days?|weeks?|months?|years?){E}", re.I),
        ("within_zh", rf"(?:未来|今后)?(\d+|{zh_num})\s*(天|日|周|个星期|星期|个月|年)\s*(?:内|以内|之内)", 0),
        ("rel_ym_zh", rf"({rel_y_zh})\s*{zmon}\s*月(?:\s*(\d{{1,2}})\s*[日号])?", 0),
        ("rel_md_zh", rf"({rel_m_zh})\s*(\d{{1,2}})\s*[日号]", 0),
        ("rel_m_zh", rf"({rel_m_zh})(?:初|底|中旬|上旬|下旬|末)?", 0),
        ("ym_zh", r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月", 0),
        ("my_en", rf"{B}({month_re})\.?,?\s+((?:19|20)\d\d)(?!\d)", re.I),
        ("md_zh", rf"(?<![年\d]){zmon}\s*月\s*(\d{{1,2}})\s*[日号]", 0),
        ("md_en", rf"{B}({month_re})\.?\s+{day}(?![\d,]*\s*(?:19|20)\d\d)(?![\d:])", re.I),
        ("dm_en", rf"{B}{day}\s+(?:of\s+)?({month_re}){E}", re.I),
        ("end_of_en", rf"{B}(?:the\s+)?(end|beginning|start|middle)\s+of\s+(?:the\s+|this\s+)?(year|month|{month_re}){E}", re.I),
        ("m_zh", rf"(?<![年\d个]){zmon}\s*月(?:底|初|中旬|上旬|下旬|末|份)?(?![\d个])", 0),
        ("d_zh", r"(?<![月\d\.])(\d{1,2})\s*日(?!\d)", 0),
        ("the_nth", rf"{B}the\s+(\d{{1,2}})(?:st|nd|rd|th){E}", re.I),
        ("weekday_en", rf"{B}(?:(last|{nxt_en})\s+)?({wd_en}){E}", re.I),
        ("weekday_zh", rf"(?:({nxt_zh}|上周|上星期|上礼拜|本周|这周)|周|星期|礼拜)([{wd_zh}])", 0),
        ("today", r"(?<![A-Za-z])(today|yesterday|tomorrow)(?![A-Za-z])|(今天|今日|昨天|昨日|明天|明日)", re.I),
        ("rel_m_en", rf"{B}({rel_m_en}){E}", re.I),
        ("rel_y_en", rf"{B}({rel_y_en}){E}", re.I),
        ("rel_y_zh", rf"({rel_y_zh})(?:年底|年初|底|初)?", 0),
        ("month_en", rf"(?<![A-Za-z0-9])(January|February|March|April|June|July|August|September|October|November|December)(?![A-Za-z])", 0),
        ("year", r"(?<![\d.])((?:19|20)\d\d)(?:\s*年(?:底|初|末)?)?(?![\d.%])", 0),
    ]


@lru_cache(maxsize=1)
def _compiled():
    return [(name, re.compile(rx, flags)) for name, rx, flags in _patterns()]


@lru_cache(maxsize=1)
def _datelines():
    return [re.compile(rx) for rx in load("dates")["datelines"]]


def find_dates(sentence: str, article=None) -> list[FoundDate]:
    """Every date in the sentence, in order; relative ones only when the article has a full date."""
    art = article_date(article)
    taken = bytearray(len(sentence))
    for rx in _datelines():
        for m in rx.finditer(sentence):
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    found = []
    for name, rx in _compiled():
        for m in rx.finditer(sentence):
            if any(taken[m.start() : m.end()]) or m.end() == m.start():
                continue
            value = _value(name, m, art)
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            if value:
                found.append(FoundDate(m.start(), m.end(), m.group(0), value[0], value[1]))
    return sorted(found, key=lambda f: f.start)


def _value(name: str, m: re.Match, art: datetime.date | None) -> tuple[str, bool] | None:
    d, months, *_ = _data()
    g = m.groups()
    month_of = lambda s: months[s.lower().rstrip(".")]  # noqa: E731
    try:
        if name in ("ymd_zh", "iso"):
            return _fmt(int(g[0]), int(g[1]), int(g[2])), False
        if name == "mdy_en":
            return _fmt(int(g[2]), month_of(g[0]), int(g[1])), False
        if name == "dmy_en":
            return _fmt(int(g[2]), month_of(g[1]), int(g[0])), False
        if name in ("ym_zh",):
            return _fmt(int(g[0]), int(g[1])), False
        if name == "my_en":
            return _fmt(int(g[1]), month_of(g[0])), False
        if name == "year":
            return g[0], False
        if art is None:
            return None
        if name in ("within", "within_zh"):
            n, unit = _num(g[0]), g[1].lower()
            if unit.startswith("day") or unit in ("天", "日"):
                return (art + datetime.timedelta(days=n)).isoformat(), True
            if unit.startswith("week") or unit in ("周", "个星期", "星期"):
                return (art + datetime.timedelta(weeks=n)).isoformat(), True
            if unit.startswith("month") or unit == "个月":
                return _fmt(*_add_months(art, n)), True
            return _fmt(art.year + n), True
        if name == "rel_ym_zh":
            y = art.year + d["zh_relative_years"][g[0]]
            return _fmt(y, _num(g[1]), int(g[2]) if g[2] else None), True
        if name == "rel_md_zh":
            y, mo = _add_months(art, d["zh_relative_months"][g[0]])
            return _fmt(y, mo, int(g[1])), True
        if name == "md_zh":
            hit = _nearest_day(art, _num(g[0]), int(g[1]))
            return (_fmt(*hit), True) if hit else None
        if name == "md_en":
            hit = _nearest_day(art, month_of(g[0]), int(g[1]))
            return (_fmt(*hit), True) if hit else None
        if name == "dm_en":
            hit = _nearest_day(art, month_of(g[1]), int(g[0]))
            return (_fmt(*hit), True) if hit else None
        if name == "end_of_en":
            what = g[1].lower()
            if what == "year":
                return _fmt(art.year, 12 if g[0].lower() == "end" else 1), True
            if what == "month":
                return _fmt(art.year, art.month), True
            return _fmt(*_nearest_month(art, month_of(what))), True
        if name == "m_zh":
            return _fmt(*_nearest_month(art, _num(g[0]))), True
        if name in ("d_zh", "the_nth"):
            hit = _nearest_day(art, None, int(g[0]))
            return (_fmt(*hit), True) if hit else None
        if name in ("weekday_en", "weekday_zh"):
            which = (g[0] or "").lower()
            wd = d["en_weekdays"][g[1].lower()] if name == "weekday_en" else d["zh_weekdays"][g[1]]
            if which and (which in d["en_next"] or which in d["zh_next"]):
                delta = (wd - art.weekday()) % 7 or 7
            elif which in ("本周", "这周"):
                delta = wd - art.weekday()
            elif which in ("last", "上周", "上星期", "上礼拜"):  # the previous calendar week's (Monday first)
                delta = wd - art.weekday() - 7
            else:  # the most recent one, the article's own day included
                delta = -((art.weekday() - wd) % 7)
            return (art + datetime.timedelta(days=delta)).isoformat(), True
        if name == "today":
            word = (g[0] or g[1]).lower()
            shift = {"today": 0, "今天": 0, "今日": 0, "yesterday": -1, "昨天": -1, "昨日": -1}.get(word, 1)
            return (art + datetime.timedelta(days=shift)).isoformat(), True
        if name == "rel_m_zh":
            return _fmt(*_add_months(art, d["zh_relative_months"][g[0]])), True
        if name == "rel_m_en":
            return _fmt(*_add_months(art, d["en_relative_months"][g[0].lower()])), True
        if name == "rel_y_en":
            return _fmt(art.year + d["en_relative_years"][g[0].lower()]), True
        if name == "rel_y_zh":
            return _fmt(art.year + d["zh_relative_years"][g[0]]), True
        if name == "month_en":
            return _fmt(*_nearest_month(art, month_of(g[0]))), True
    except (KeyError, ValueError):
        return None
    return None
