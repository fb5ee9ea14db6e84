"""`mineralgraph queries` and `mineralgraph query NAME --param k=v ... --format table|csv|tsv|json`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import InputError, ValidationFailed
from ..store.load import load_dist
from .model import BindError, QuerySpecError
from .run import LocalRunner, evaluate_text, table
from .spec import load_all, query_dir, suggest_names

FORMATS = ("table", "csv", "tsv", "json")
MAX_ROWS = 10_000        # the endpoint's row cap: the most one answer (or page) holds
MAX_OFFSET = 10_000_000  # as over HTTP (server/common.py)


def _load(root):
    try:
        return load_all(query_dir(root))
    except QuerySpecError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)


@click.command("queries")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project directory.")
@click.option("--verbose", "-v", is_flag=True, help="Show descriptions, parameters and examples.")
def queries_command(root, verbose):
    """List the stored queries (queries/*.rq) with their parameters."""
    for q in _load(root).values():
        params = " ".join(f"{p.name}={'<' + p.type + '>'}" if p.required else f"[{p.name}=<{p.type}>]" for p in q.params)
        click.echo(f"{q.name:24s} {q.title}")
        if verbose:
            click.echo(f"{'':24s} {q.description}")
            for p in q.params:
                flags = ", ".join(x for x in ("required" if p.required else "optional",
                                              "multiple" if p.multiple else "",
                                              f"default {p.default}" if p.default else "",
                                              "one of " + "|".join(p.allowed) if p.allowed else "") if x)
                click.echo(f"{'':26s}{p.name} ({p.type}; {flags}): {p.description}")
            for ex in q.example_lines:
                click.echo(f"{'':26s}e.g. mineralgraph query {q.name} " + " ".join(f"-p {t}" for t in ex.split()))
            click.echo()
        elif params:
            click.echo(f"{'':24s}   {params}")


@click.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A parameter (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Query this built directory (default: dist/, rebuilt if stale).")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project directory.")
@click.option("--show-sparql", is_flag=True, help="Print the query with its parameters bound, and stop.")
@click.option("--width", default=60, show_default=True, help="Table: widest column before wrapping.")
@click.option("--limit", type=click.IntRange(1, MAX_ROWS), default=None,
              help=f"Rows per page (default: all, up to {MAX_ROWS:,}).")
@click.option("--offset", type=click.IntRange(0, MAX_OFFSET), default=0, show_default=True,
              help="Rows to skip: the next page starts at offset + limit.")
def query_command(name, params, fmt, dist_dir, root, show_sparql, width, limit, offset):
    """Run stored query NAME: `mineralgraph query mechanism-members -p mechanism=MSP`."""
    queries = _load(root)
    if name not in queries:
        click.echo(f"error: no stored query {name!r}{suggest_names(name, queries)}; "
                   "`mineralgraph queries` lists them", err=True)
        sys.exit(2)
    q = queries[name]
    given: dict[str, list[str]] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            click.echo(f"error: --param takes KEY=VALUE, not {item!r}", err=True)
            sys.exit(2)
        given.setdefault(key.strip(), []).append(value)
    runner = LocalRunner(_store(dist_dir, root))
    try:
        text = runner.text(q, given)
    except BindError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    paged = limit is not None or offset > 0
    if paged:
        # as over HTTP: one row more than the page, so that a cut-short answer means a next page
        # (stored queries end in WHERE or ORDER BY, never in their own LIMIT)
        limit = limit or MAX_ROWS
        text = f"{text}LIMIT {limit + 1}\nOFFSET {offset}\n"
    if show_sparql:
        click.echo(text, nl=False)
        return
    answer = evaluate_text(runner.store, text, "json" if fmt == "table" else fmt, cap=limit if paged else MAX_ROWS)
    if answer.get("error"):
        click.echo(f"error: {answer.get('message', answer['error'])}", err=True)
        sys.exit(1)
    if fmt == "table":
        click.echo(table(answer["body"], max_cell=width), nl=False)
    else:
        click.echo(answer["body"].decode("utf-8"), nl=fmt == "json")
    if answer["truncated"] and paged:
        click.echo(f"more rows: --offset {offset + limit} for the next page", err=True)
    elif answer["truncated"]:
        click.echo(f"warning: result truncated at {MAX_ROWS:,} rows; page with --limit and --offset", err=True)


def _store(dist_dir, root):
    if dist_dir:
        return load_dist(Path(dist_dir))
    from ..pipeline import ensure_built  # the whole build (~500 ms of imports): only when dist/ may need it

    try:
        dist = ensure_built(Path(root).resolve()) if root else ensure_built()
    except (InputError, ValidationFailed) as err:
        click.echo(f"error: cannot build dist/: {err}", err=True)
        sys.exit(2)
    return load_dist(Path(dist))


COMMANDS = {"queries": queries_command, "query": query_command}
