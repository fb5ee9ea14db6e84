"""The line counts the incremental build keeps between builds (build/linecounts.py): how many data
graphs hold each exact line, so that a line leaves the union only when the last graph lets go of it."""
from __future__ import annotations

import random

import pytest

from mineralgraph.build.linecounts import CountsError, LineCounts, write_counts

SHARED = b'<https://w3id.org/mineralgraph/id/stmt/membership/msp/JPN> <http://www.w3.org/ns/org#member> <https://w3id.org/mineralgraph/id/country/JPN> .\n'
OWN = b'<https://w3id.org/mineralgraph/id/claim/001/1-2> <http://www.w3.org/ns/prov#value> "\xe6\x97\xa5\xe6\x9c\xac" .\n'


def test_counts_are_per_graph_and_survive_a_reopen(tmp_path):
    path = tmp_path / "lines.bin"
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
    assert len(again) == 2  # a line no graph holds is dropped
    again.close()


def test_a_missing_or_damaged_file_does_not_open(tmp_path):
    with pytest.raises(CountsError):
        LineCounts(tmp_path / "lines.bin")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(CountsError):
        LineCounts(bad)


def test_a_commit_gives_the_file_that_counting_afresh_gives(tmp_path):
    """Merging changes into the sorted file (lines added before, between and after the kept ones,
    counts raised and lowered, lines dropped) writes the same bytes as counting the new graphs."""
    rng = random.Random(7)
    pool = [f"<urn:s{i}> <urn:p> <urn:o{i % 13}> .\n".encode() for i in range(400)]
    graphs = [set(rng.sample(pool, 120)) for _ in range(6)]
    path = tmp_path / "lines.bin"
    write_counts(path, [b"".join(g) for g in graphs])
    counts = LineCounts(path)
    for g in graphs[:4]:
        new = set(rng.sample(pool, 120))
        for line, by in [(x, -1) for x in g - new] + [(x, +1) for x in new - g]:
            counts.change(line, by)
        g.clear()
        g.update(new)
    counts.commit()
    assert [counts.count(x) for x in pool] == [sum(x in g for g in graphs) for x in pool]
    counts.close()
    fresh = tmp_path / "fresh.bin"
    write_counts(fresh, [b"".join(g) for g in graphs])
    assert path.read_bytes() == fresh.read_bytes()
