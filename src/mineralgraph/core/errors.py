"""Errors that carry what a person needs to fix their input."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Unusable input: a source, annotation, gazetteer, ontology or shape file.

    The message names the file and, where known, the line and the offending text.
    The CLI turns it into one line on stderr and exit status 2.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return where + self.message


def error_lines(exc: InputError) -> list[str]:
    """The lines to show for an input error: one `error:` line per problem (a schema check reports
    every violation of a file), indented lines as the detail of the line above (a near-miss quote)."""
    return [line if line.startswith(" ") else f"error: {line}" for line in str(exc).splitlines()]


class ValidationFailed(Exception):
    """The graph was built but violates its shapes or checks (exit status 1)."""

    def __init__(self, report):
        self.report = report
        super().__init__(report.summary())
