"""The data files' contract: each YAML file is checked against its JSON Schema in schemas/.

The schemas are the one definition of which keys, types and values a data file may have (docs/DATA.md
explains them, editors can use them for completion). A violation is reported at its YAML line with
the closest valid key or value, and every violation of a file is reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from functools import lru_cache
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from ..core.errors import InputError
from ..core.paths import PACKAGE_DIR, project_root

SCHEMA_DIR = PACKAGE_DIR.parents[1] / "schemas"  # src/mineralgraph -> the checkout
if not SCHEMA_DIR.is_dir():  # installed, not editable (pre-commit's hook): the project's own copy
    SCHEMA_DIR = project_root() / "schemas"
SCHEMAS = {"sources": "sources.schema.json", "gazetteer": "gazetteer.schema.json", "annotations": "annotations.schema.json"}
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class SchemaViolations(InputError):
    """Every violation of one data file, each with its own line."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, first.path, first.line)

    def __str__(self) -> str:
        return "\n".join(InputError.__str__(p) for p in self.problems)

    def __reduce__(self):  # raised in build workers: must cross the process boundary intact
        return (SchemaViolations, (self.problems,))


def schema_files() -> list[Path]:
    return [SCHEMA_DIR / name for name in SCHEMAS.values()]


def date_problem(value) -> str | None:
    """Why `value` is not a YYYY, YYYY-MM or YYYY-MM-DD date (None when it is one)."""
    m = PARTIAL_DATE.match(str(value))
    if not m:
        return "write it as YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            return f"there is no day {day:02d} in {year}-{month:02d}"
    return None


_formats = FormatChecker(formats=())


@_formats.checks("partial-date")
def _is_partial_date(value) -> bool:
    return isinstance(value, bool) or date_problem(value) is None


@lru_cache(maxsize=None)
def _validator(kind: str) -> Draft202012Validator:
    path = SCHEMA_DIR / SCHEMAS[kind]
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("schema file missing (it ships with the code, next to src/)", path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"schema is not valid JSON: {exc.msg}", path, exc.lineno) from None
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_formats)


# Checking a valid file with jsonschema walked the schema at Python speed, its $refs resolved
# anew each time: 23% of extracting a source (annotation files are the bulk). fastjsonschema
# compiles the schema to Python code once and says only "valid" or not, 10-20x faster; a file it
# refuses is checked again with jsonschema, whose errors name each line. It knows draft 7, whose
# keywords are all these schemas use (tests/test_data_schema.py compares the two on every data
# file and on broken copies of them). The one difference: it applies a format to strings only,
# so the partial-date format's integers (a year: 2022) are spelt out as their own alternative.
_YEAR_ONLY = {"type": "integer", "minimum": 1000, "maximum": 9999}


def _draft7(node):
    """The schema for fastjsonschema: `format: partial-date` on text or integers split in two."""
    if isinstance(node, list):
        return [_draft7(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: _draft7(v) for k, v in node.items()}
    if node.get("format") == "partial-date" and node.get("type") == ["string", "integer"]:
        rest = {k: v for k, v in node.items() if k not in ("type", "format")}
        return {**rest, "anyOf": [{"type": "string", "format": "partial-date"}, _YEAR_ONLY]}
    if node.get("$schema"):
        node["$schema"] = "http://json-schema.org/draft-07/schema#"
    return node


@lru_cache(maxsize=None)
def _fast_validator(kind: str):
    schema = _validator(kind).schema  # read and checked once, its errors named there
    return fastjsonschema.compile(_draft7(schema), formats={"partial-date": lambda v: date_problem(v) is None})


def is_valid(kind: str, data) -> bool:
    """Does `data` meet its schema? (fast; `check` says where it does not)"""
    try:
        _fast_validator(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def check(kind: str, data, path: Path) -> None:
    """Raise SchemaViolations listing every way `data` (parsed from `path`) breaks its schema."""
    if is_valid(kind, data):
        return
    problems: dict[tuple, InputError] = {}
    for error in _validator(kind).iter_errors(data):
        for line, message in _describe(error, data):
            problems.setdefault((line or 0, message), InputError(message, path, line))
    if problems:
        raise SchemaViolations([problems[k] for k in sorted(problems)])


# ----------------------------------------------------------------------------------------------
# turning jsonschema's errors into a line and a sentence a curator can act on


def _describe(error, root) -> list[tuple[int | None, str]]:
    where = _where(error.absolute_path)
    line = _line(root, list(error.absolute_path))
    value, schema, kind = error.instance, error.schema, error.validator
    hint = schema.get("description")
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        out = []
        for key in [k for k in value if k not in allowed]:
            key_line = (getattr(value, "key_lines", None) or {}).get(key, line)
            out.append((key_line, f"unknown key {key!r} in {where}{_closest(str(key), allowed, 'valid keys')}"))
        return out
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [(line, f"{where} is missing `{missing}:`")]
    if kind == "enum":
        return [(line, f"{value!r} is not allowed for {where}{_closest(str(value), [str(v) for v in error.validator_value], 'one of')}")]
    if kind == "const":
        return [(line, f"{where} must be {error.validator_value!r}, not {value!r}")]
    if kind == "format":
        return [(line, f"{where}: {value!r} is not a real date: {date_problem(value)}")]
    if kind == "type":
        expected = " or ".join(_TYPE_NAMES.get(t, t) for t in _as_list(error.validator_value))
        return [(line, f"{where} must be {expected}{_hint(hint)}, not {_yaml_type(value)} {value!r}")]
    if kind == "maxProperties" and where.endswith("]"):
        keys = ", ".join(map(str, value))
        return [(line, f"{where} has several keys ({keys}): a statement is a mapping with one key, its type; "
                       "are its fields indented under the type?")]
    if kind in ("oneOf", "anyOf") and error.context:
        # the alternative the value has the right type for but breaks in detail (a date with month 13)
        specific = [e for e in error.context if e.validator not in ("type", "const", "oneOf", "anyOf")]
        if specific:
            return _describe(best_match(specific), root)
    if kind in ("oneOf", "anyOf", "pattern"):
        return [(line, f"{where}: {value!r} is not {hint or 'valid here'}")]
    if kind in ("minimum", "maximum", "minLength", "minItems", "minProperties"):
        return [(line, f"{where}: {error.message}{_hint(hint)}")]
    return [(line, f"{where}: {error.message}")]


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "empty"}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _hint(hint: str | None) -> str:
    return f" ({hint})" if hint else ""


def _yaml_type(value) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "text", list: "list", type(None): "nothing"}.get(
        type(value), "mapping" if isinstance(value, dict) else type(value).__name__)


def _closest(given: str, options: list[str], label: str) -> str:
    close = difflib.get_close_matches(given, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; {label}: {', '.join(options)}"


def _where(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"#{part + 1}" if out else f"entry {part + 1}"  # 1-based, as people count
        else:
            out += f".{part}" if out else str(part)
    return f"`{out}`" if out else "the file"


def _line(root, path: list) -> int | None:
    """The line of the deepest node on `path` that has one (a key's own line where known)."""
    node, line = root, getattr(root, "line", None) or 1
    for part in path:
        key_lines = getattr(node, "key_lines", None)
        if key_lines and part in key_lines:
            line = key_lines[part]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", None) or line
    return line
