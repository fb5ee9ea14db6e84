"""The `mineralgraph` command. Exit status: 0 success, 1 the graph violates its shapes, 2 unusable input."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .core.atomic import write_text_atomic
from .core.errors import InputError, ValidationFailed, error_lines
from .core.namespaces import CANONICAL_BASE, MG, bind_prefixes, iri_base
from .core.paths import ProjectPaths
from .build.ontology import load_ontology
from .core.progress import stderr_progress
from .intake.draft import draft_source, to_yaml
from .publish.dist import read_manifest
from .publish.dumpcache import make_all as make_deferred_dumps
from .publish.upload import PublishError, Target, publish as run_publish
from .server.command import serve_command
from .storedqueries.cli import COMMANDS as stored_query_commands
from .validate.checkdata import check, render
from .validate.validator import data_graph, load_shapes, validate as run_validate  # pySHACL itself loads lazily

# The build pipeline, add-source and the SHACL validator are imported by the commands that run
# them: they bring rdflib's SPARQL engine, pySHACL, jsonschema and OpenCC, which `serve`, `query`
# and `--help` do not need (measured on 2 cores: `import mineralgraph.cli` 0.34 s, 0.93 s with
# every stage). The light stages (draft, ontology, publish, the server's command, stored-query
# commands) are imported here.

EXPORT_FORMATS = {
    "turtle": ("turtle", "ttl", False),
    "ntriples": ("nt", "nt", False),
    "nquads": ("nquads", "nq", True),
    "trig": ("trig", "trig", True),
    "jsonld": ("json-ld", "jsonld", True),
    "rdfxml": ("xml", "rdf", False),
}


def _paths(root: str | None) -> ProjectPaths:
    return ProjectPaths(Path(root).resolve()) if root else ProjectPaths.default()


def _progress(quiet: bool):
    return None if quiet else stderr_progress()


def _fail_input(exc: InputError) -> None:
    for line in error_lines(exc):
        click.echo(line, err=True)
    sys.exit(2)


def _fail_validation(exc: ValidationFailed) -> None:
    click.echo(exc.report.text(), err=True)
    click.echo("build stopped: the graph violates its shapes; dist/ was left as it was.", err=True)
    sys.exit(1)


def _check_iri_base(_ctx, _param, value):
    try:
        return iri_base(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


iri_base_option = click.option(
    "--iri-base", "base", envvar="MINERALGRAPH_IRI_BASE", default=None, callback=_check_iri_base,
    help=f"Publish the data IRIs (id/…, graph/…) under this base (default {CANONICAL_BASE}).")

root_option = click.option(
    "--root", type=click.Path(file_okay=False), default=None, help="Project directory (default: found from the current directory)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mineralgraph")
def cli() -> None:
    """mineralgraph: build, check and serve the critical-minerals alliance graph.

    \b
    Typical use:
      mineralgraph build       seeds/ -> verified, reasoned, validated graph in dist/
      mineralgraph validate    SHACL report on dist/ (exit 1 on violation)
      mineralgraph serve       SPARQL 1.1 endpoint on http://127.0.0.1:8000/sparql
    """


@cli.command()
@root_option
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--dry-run", is_flag=True, help="Build, reason and validate, but do not write dist/.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes for per-source work and dump files, and queries run at once in validation and derivation (default: one per CPU).")
@click.option("--all-dumps", is_flag=True,
              help="Also write TriG, Turtle, JSON-LD and a .gz of every dump into dist/ (for a static mirror of "
                   "dist/); by default they are made on first request or by `export --dumps`.")
@click.option("--clean", is_flag=True,
              help="Build from scratch, not from the last build's state (it is made again for the next build).")
@click.option("--watch", is_flag=True,
              help="After the build, build again whenever an input changes (sources, annotations, ontology, shapes, "
                   "rules, checks, gazetteer), keeping the build store in memory between builds; Ctrl-C stops. "
                   "A running `serve` picks each new dist/ up. Restart it after changing the code.")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=0.5, show_default=True,
              help="With --watch: seconds between looks at the inputs.")
@iri_base_option
def build(root, quiet, dry_run, jobs, all_dumps, clean, watch, interval, base) -> None:
    """Build the graph from seeds/ into dist/: the N-Quads of record and the N-Triples union,
    with manifest.json (TriG, Turtle, JSON-LD and .gz copies on demand, or with --all-dumps).

    Every quote is verified at its offsets, the graph is reasoned over (OWL 2 RL) and validated
    (SHACL); dist/ is replaced only if all of that succeeds. Each source's graph is cached in
    .mineralgraph-cache/ under the hash of its inputs, so a rebuild redoes only changed sources;
    after a change to sources or annotations only, the cross-source steps start from the last
    build's state (.mineralgraph-cache/state) and redo what the change touches.
    """
    paths = _paths(root)
    if watch:
        if dry_run:
            raise click.UsageError("--watch writes dist/ after each change: it does not go with --dry-run")
        _watch(paths, quiet, interval, jobs=jobs, base=base, all_dumps=all_dumps, clean=clean)
        return
    from .pipeline import build as run_build  # the build (~0.5 s of imports): see the note at the top

    try:
        result = run_build(paths, _progress(quiet), write=not dry_run, jobs=jobs, base=base, all_dumps=all_dumps,
                           clean=clean)
    except InputError as exc:
        _fail_input(exc)
    except ValidationFailed as exc:
        _fail_validation(exc)
    click.echo(build_summary(result, paths))
    _KEPT_UNTIL_EXIT.append(result)  # not freed when this function returns: see main()


def _watch(paths: ProjectPaths, quiet: bool, interval: float, **options) -> None:
    """`build --watch`: a failed build is reported as `build` reports it, and the watch goes on."""
    from .watch import watch_builds  # the build, as above

    def report(outcome) -> None:
        if isinstance(outcome, InputError):
            for line in error_lines(outcome):
                click.echo(line, err=True)
            click.echo("build stopped: dist/ was left as it was.", err=True)
        elif isinstance(outcome, ValidationFailed):
            click.echo(outcome.report.text(), err=True)
            click.echo("build stopped: the graph violates its shapes; dist/ was left as it was.", err=True)
        else:
            summary = build_summary(outcome, paths).splitlines()  # its first and last lines: time and conformance
            click.echo(summary[0] + ("" if outcome.incremental else " (a clean build)"))
            click.echo(summary[-1])
        click.echo(f"watching {paths.root} for changes (Ctrl-C stops)", err=True)

    try:
        watch_builds(paths, report, interval, progress=_progress(quiet), **options)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


def build_summary(result, paths: ProjectPaths, per_source_limit: int = 12) -> str:
    """What the build made. With many sources, one line sums up the source graphs and the
    coverage; the per-source lines are for a corpus small enough to read them."""
    m = result.manifest
    lines = [f"built {paths.dist} in {sum(result.timings.values()):.1f}s: {m['triples']} triples"]
    source_graphs = {g: n for g, n in m["graphs"].items() if "/graph/source/" in g}
    many = len(m["coverage"]) > per_source_limit
    lines.append("triples per graph:")
    for g, n in sorted(m["graphs"].items()):
        if not (many and g in source_graphs):
            lines.append(f"  {n:7d}  {g}")
    if many:
        sizes = sorted(source_graphs.values())
        lines.append(f"  {sum(sizes):7d}  in {len(sizes)} source graphs "
                     f"(smallest {sizes[0]}, median {sizes[len(sizes) // 2]}, largest {sizes[-1]})")
    lines.append("entities per class:")
    for c, n in sorted(m["classes"].items(), key=lambda kv: (-kv[1], kv[0])):
        if c.startswith(("mg:", "org:", "skos:Concept")):
            lines.append(f"  {n:7d}  {c}")
    lines.append("coverage (claims / mentions / statements by kind):")
    if many:
        kinds: dict[str, int] = {}
        for cov in m["coverage"].values():
            for k, v in cov["statements"].items():
                kinds[k] = kinds.get(k, 0) + v
        claims = sum(c["claims"] for c in m["coverage"].values())
        mentions = sum(c["mentions"] for c in m["coverage"].values())
        notes = sum(len(c["notes"]) for c in m["coverage"].values())
        lines.append(f"  {len(m['coverage'])} sources: {claims} claims, {mentions} mentions; "
                     + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        lines.append(f"  ({notes} notes; per-source figures in {paths.dist / 'manifest.json'} under \"coverage\")")
    else:
        for sid, cov in sorted(m["coverage"].items()):
            kinds_text = ", ".join(f"{k} {v}" for k, v in sorted(cov["statements"].items())) or "none"
            lines.append(f"  {sid}: {cov['claims']} claims, {cov['mentions']} mentions; {kinds_text}")
            for note in cov["notes"]:
                lines.append(f"       note: {note}")
    lines.append(m["validation"])
    return "\n".join(lines)


@cli.command("add-source")
@root_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "source_id", required=True, help="Three digits, the next free one: 005.")
@click.option("--date", default=None, help="Publication date as the text gives it: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--not-before", "not_before", default=None,
              help="Instead of --date, for a text that states none: the latest date the text itself refers to.")
@click.option("--author", "authors", multiple=True, help="An author's name as the text gives it (repeat for several).")
@click.option("--title", required=True, help="The document's title (in its language, or in English).")
@click.option("--publisher", required=True, help="An organisation id of the gazetteer (rfi) or the publisher's name.")
@click.option("--url", default=None, help="Where the text was published, when it says.")
@click.option("--language", type=click.Choice(["zh-Hans", "zh-Hant", "en"]), default="zh-Hans", show_default=True)
@click.option("--kind", type=click.Choice(["news", "analysis", "academic-paper", "translation"]), default="news", show_default=True)
@click.option("--markup", type=click.Choice(["html", "markdown", "wiki", "plain"]), default=None,
              help="Default: from the file's extension (.html, .md, .wiki), else plain.")
def add_source_command(root, path, source_id, date, not_before, authors, title, publisher, url, language, kind,
                       markup) -> None:
    """Add a document to seeds/: copied byte for byte as NNN_<sha256 prefix>.txt, its entry appended to
    sources.yaml (comments kept), and an annotation skeleton seeds/annotations/NNN.yaml.

    Refuses an id, a file name or a document (same sha256) that already exists.
    """
    from .intake.addsource import add_source  # jsonschema + OpenCC: only for this command

    paths = _paths(root)
    try:
        new = add_source(paths, path, source_id=source_id, date=date, title=title, publisher=publisher, url=url,
                         language=language, kind=kind, markup=markup, authors=authors, not_before=not_before)
    except InputError as exc:
        _fail_input(exc)
    click.echo(f"added source {new.id}: seeds/{new.file} (sha256 {new.sha256})")
    click.echo(f"next: annotate {new.annotation.relative_to(paths.root)}, add gazetteer entries for new names, "
               f"then `mineralgraph check-source {new.id}`")


@cli.command("draft")
@root_option
@click.argument("source_id")
@click.option("--write", is_flag=True, help="Write seeds/annotations/NNN-draft.yaml instead of printing (refused if it exists).")
@click.option("--all", "all_sentences", is_flag=True, help="Also sentences the curated claims already quote.")
def draft_command(root, source_id, write, all_sentences) -> None:
    """Propose candidate claims for a source from its text alone, each with its verified quote and a
    draft statement marked `draft: true` (the build ignores drafts until a person accepts them by
    deleting that line). Sentences already quoted by curated claims are left out.
    """

    paths = _paths(root)
    try:
        source, drafts = draft_source(paths, source_id, all_sentences=all_sentences)
        text = to_yaml(source, drafts)
        if not write:
            click.echo(text, nl=False)
            return
        target = paths.annotations / f"{source_id}-draft.yaml"
        if target.exists():
            raise InputError("already exists: accept or delete its drafts first", target)
        write_text_atomic(target, text)
    except InputError as exc:
        _fail_input(exc)
    click.echo(f"{len(drafts)} draft claims written to {target.relative_to(paths.root)}", err=True)


@cli.command("check-source")
@root_option
@click.argument("source_id")
@click.option("--show", is_flag=True, help="Print the source's statements and claims as Turtle.")
@click.option("--alone", is_flag=True, help="Check this source on its own only (fast), not the cross-source checks the build runs.")
def check_source(root, source_id, show, alone) -> None:
    """Check one source's annotations and extraction, then the checks the build runs across all
    sources (a clash with another source on a shared statement, say).

    For annotators: every quote is located and verified, every reference resolved; prints what
    the source yields. Exit status 2 names the first problem (file, line, quote), or the
    violations the build would stop on, this source's first, with the sources it clashes with.
    """
    from .pipeline import check_source as run_check  # the build (~0.5 s of imports)

    paths = _paths(root)
    try:
        result = run_check(paths, source_id, cross=not alone)
    except InputError as exc:
        _fail_input(exc)
    asm = result.assembly
    r = asm.report
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r.statements.items())) or "none"
    click.echo(f"source {source_id}: {r.claims} claims, {r.mentions} mentions; statements: {kinds}")
    for note in r.notes:
        click.echo(f"  note: {note}")
    if show:
        from rdflib import Graph
        from rdflib.namespace import RDF

        g = Graph()
        bind_prefixes(g)
        mentions = set(asm.graph.subjects(RDF.type, MG.Mention))
        for s, p, o in asm.graph:
            if s in mentions or str(s).split("#")[0] in {str(m) for m in mentions}:
                continue
            if p == MG.mentions:
                continue
            g.add((s, p, o))
        click.echo(g.serialize(format="turtle"))
    if result.cross is None:
        return
    if result.cross.conforms:
        click.echo(f"cross-source checks: {result.cross.summary()}")
        return
    for f in result.own:
        shared = result.shared_with.get(f.focus)
        also = f" (also stated by source {', '.join(shared)})" if shared else ""
        click.echo(f"source {source_id}: {f.line()}{also}", err=True)
    for f in result.others:
        click.echo(f"elsewhere: {f.line()}", err=True)
    click.echo(f"build would stop: {len(result.own)} violation(s) on this source's statements, "
               f"{len(result.others)} elsewhere", err=True)
    sys.exit(2)


@cli.command()
@root_option
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False), default=None, help="Validate this dist/ directory.")
@click.option("--limit", default=200, show_default=True, help="Show at most this many findings.")
@click.option("--data", "data_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Check this RDF file (repeatable) against the shapes, in the context of the built graph.")
@click.option("--format", "data_format", type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
              default=None, help="The --data files' format (default: from the name: .ttl .nt .nq .trig .jsonld).")
@click.option("--report", "report_kind", type=click.Choice(["text", "json", "turtle", "junit"]), default=None,
              help="With --data: the report on stdout (turtle: a SHACL validation report; junit: JUnit XML).")
@click.argument("more_data", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def validate(root, dist_dir, limit, data_files, data_format, report_kind, more_data) -> None:
    """Validate the built graph (dist/mineralgraph.nq) against shapes/ and queries/checks/;
    with --data, validate those files instead (see `checkdata`), in the built graph's context.

    Exit status 0 when it conforms, 1 on a violation, 2 when the graph or shapes cannot be read.
    """
    if data_files or data_format or report_kind or more_data:  # `--data A B C` as pre-commit calls it
        _validate_data(root, dist_dir, [*data_files, *more_data], data_format, report_kind or "text")
    from rdflib import Dataset

    paths = _paths(root)
    dist = Path(dist_dir) if dist_dir else paths.dist
    # the N-Quads of record (every build writes it); TriG for a dist/ made by other means
    trig = next((f for f in (dist / "mineralgraph.nq", dist / "mineralgraph.trig") if f.is_file()), dist / "mineralgraph.trig")
    kind = "nquads" if trig.suffix == ".nq" else "trig"
    try:
        if not trig.is_file():
            raise InputError("no built graph here (mineralgraph.nq); run `mineralgraph build` first", trig)
        shapes = load_shapes(paths.shapes)
        ontology = load_ontology(paths.ontology)
        ds = Dataset()
        try:
            ds.parse(trig, format=kind)
        except Exception as exc:
            raise InputError(f"does not parse as {'N-Quads' if kind == 'nquads' else 'TriG'}: "
                             f"{str(exc).splitlines()[0]}", trig) from None
    except InputError as exc:
        _fail_input(exc)
    report = run_validate(data_graph(ds), shapes, ontology, paths.checks)
    click.echo(report.text(limit))
    sys.exit(0 if report.conforms else 1)


def _validate_data(root, dist_dir, files: list[Path], fmt: str | None, kind: str) -> None:
    """`validate --data`: third-party RDF against our shapes; the report on stdout, exit 0/1/2.
    The files may also follow --data as plain arguments (pre-commit passes them that way)."""
    paths = _paths(root)
    try:
        if not files:
            raise InputError("--format and --report go with --data FILE (the files to check)")
        shapes = load_shapes(paths.shapes)
        if dist_dir:
            dist = Path(dist_dir)
        else:  # the project's own build, made first if missing or stale (as `export` does)
            from .pipeline import ensure_built  # the build (~0.5 s of imports)

            dist = ensure_built(paths.root, _progress(True))
        report = check(dist, files, shapes, fmt)
    except InputError as exc:
        _fail_input(exc)
    except ValidationFailed as exc:
        _fail_validation(exc)
    click.echo(render(report, kind, shapes), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@root_option
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="turtle", show_default=True)
@click.option("--graph", "graph_iri", default=None, help="Export one named graph (IRI) instead of the whole graph.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write here (atomically) instead of stdout.")
@click.option("--dumps", is_flag=True,
              help="Instead: make every dump file the build did not write (TriG, Turtle, JSON-LD, .gz; as "
                   "/dump/ serves them) in the dump cache, and list each file's path, bytes and sha256.")
def export(root, fmt, graph_iri, output, dumps) -> None:
    """Export the built graph (building it first if dist/ is stale) in an RDF format."""
    from rdflib import Dataset, Graph, URIRef

    from .pipeline import ensure_built  # the build (~0.5 s of imports)

    paths = _paths(root)
    try:
        dist = ensure_built(paths.root, _progress(True))
    except InputError as exc:
        _fail_input(exc)
    except ValidationFailed as exc:
        _fail_validation(exc)
    if dumps:
        made = {name: (dist / name, meta) for name, meta in (read_manifest(dist) or {}).get("files", {}).items()}
        made.update(make_deferred_dumps(dist))
        for name, (path, meta) in sorted(made.items()):
            click.echo(f"{meta['sha256']}  {meta['bytes']:>12}  {path}")
        return
    ds = Dataset()
    ds.parse(dist / "mineralgraph.nq", format="nquads")  # the dump of record, always in dist/
    rdflib_fmt, _, quads = EXPORT_FORMATS[fmt]
    if graph_iri:
        named = ds.graph(URIRef(graph_iri))
        if not len(named):
            known = ", ".join(sorted(str(g.identifier) for g in ds.graphs() if len(g)))
            click.echo(f"error: no graph {graph_iri}; graphs: {known}", err=True)
            sys.exit(2)
        if quads:  # keep the graph's name in quad formats
            target = Dataset()
            named_copy = target.graph(URIRef(graph_iri))
            for t in named:
                named_copy.add(t)
        else:
            target = Graph()
            for t in named:
                target.add(t)
    elif quads:
        target = ds
    else:
        target = Graph()
        for s, p, o, _g in ds.quads((None, None, None, None)):
            target.add((s, p, o))
    bind_prefixes(target)
    data = target.serialize(format=rdflib_fmt)
    if output:
        write_text_atomic(Path(output), data)
    else:
        click.echo(data, nl=False)


@cli.command()
@root_option
@click.option("--to", "gsp_url", required=True, metavar="GSP_URL",
              help="The store's Graph Store Protocol endpoint, e.g. http://host:3030/ds/data (Fuseki) "
                   "or http://host:7878/store (Oxigraph).")
@click.option("--query-endpoint", "query_url", metavar="URL",
              help="The store's SPARQL query endpoint: counts are checked with one query "
                   "(otherwise each graph is read back).")
@click.option("--auth", metavar="USER:PASS", help="HTTP Basic credentials.")
@click.option("--token", metavar="T", envvar="MINERALGRAPH_PUBLISH_TOKEN", help="Bearer token.")
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False), default=None,
              help="Publish this built directory (default: the project's dist/).")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for each request.")
def publish(root, gsp_url, query_url, auth, token, dist_dir, timeout) -> None:
    """Load every named graph of dist/ into a SPARQL store (PUT per graph), then verify the
    triple counts. Exit 0 published and verified, 1 the store refused, timed out or disagrees,
    2 unusable input."""

    try:
        target = Target.from_options(gsp_url, query_url, auth, token, timeout)
        dist = Path(dist_dir) if dist_dir else _paths(root).dist
        report = run_publish(dist, target, progress=lambda m: click.echo(m, err=True))
    except InputError as exc:
        _fail_input(exc)
    except PublishError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"published {len(report.graphs)} graphs, {report.triples} triples to {gsp_url} in "
               f"{report.upload_seconds:.2f} s; counts verified in {report.verify_seconds:.2f} s")


# Commands that live next to the parts they drive.
cli.add_command(serve_command, "serve")
for _name, _command in stored_query_commands.items():
    cli.add_command(_command, _name)


# What a command leaves in memory that is large (a build's stores: 5.8 M quads at 1,000 sources).
# Freeing it one allocation at a time took 10 s of a one-edit rebuild at 1,000 sources after
# everything was written and said; the process exits without freeing it, the system takes the
# memory back at once.
_KEPT_UNTIL_EXIT: list = []


def main() -> None:
    try:
        cli(prog_name="mineralgraph")
    except SystemExit as done:
        if not _KEPT_UNTIL_EXIT:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(done.code if isinstance(done.code, int) else 0 if done.code is None else 1)


if __name__ == "__main__":
    main()
