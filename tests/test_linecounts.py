"""The line counts the incremental build keeps between builds (build/linecounts.py): how many data
graphs hold each exact line, so that a line leaves the union only when the last graph lets go of it."""
from __future__ import annotations

import sqlite3

import pytest

from mineralgraph.build.linecounts import LineCounts, write_counts

SHARED = b'<https://w3id.org/mineralgraph/id/stmt/membership/msp/JPN> <http://www.w3.org/ns/org#member> <https://w3id.org/mineralgraph/id/country/JPN> .\n'
OWN = b'<https://w3id.org/mineralgraph/id/claim/001/1-2> <http://www.w3.org/ns/prov#value> "\xe6\x97\xa5\xe6\x9c\xac" .\n'


def test_counts_are_per_graph_and_survive_a_reopen(tmp_path):
    path = tmp_path / "lines.sqlite"
    # a line written twice in one graph counts once for it
    write_counts(path, [SHARED + OWN + OWN, SHARED])
    counts = LineCounts(path)
    assert (counts.count(SHARED), counts.count(OWN), counts.count(b"<x> <y> <z> .\n")) == (2, 1, 0)
    # one graph lets go of both lines: the shared one is still held, the other is gone
    counts.change(SHARED, -1)
    counts.change(OWN, -1)
    assert (counts.count(SHARED), counts.count(OWN)) == (1, 0)
    counts.change(b"<x> <y> <z> .\n", +1)
    counts.commit()
    counts.close()
    again = LineCounts(path)
    assert (again.count(SHARED), again.count(OWN), again.count(b"<x> <y> <z> .\n")) == (1, 0, 1)
    assert again.db.execute("SELECT COUNT(*) FROM lines").fetchone()[0] == 2  # a line no graph holds is dropped
    again.close()


def test_a_missing_or_damaged_file_does_not_open(tmp_path):
    with pytest.raises(sqlite3.Error):
        LineCounts(tmp_path / "lines.sqlite")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.Error):
        LineCounts(bad)
