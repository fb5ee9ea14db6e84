"""Shared utilities every stage uses: IRIs and prefixes, project paths, errors, atomic writes, YAML, dates, N-Triples, .rq files."""
