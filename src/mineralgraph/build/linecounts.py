"""How many data graphs hold each exact N-Triples line, kept on disk between builds (SQLite, one
row per distinct line, keyed by its 16-byte BLAKE2b digest): the incremental build asks it whether
a line that left or entered one source's graph left or entered the union of all of them.

It replaces a RocksDB store of every data graph by name, which answered the same question: making
that store was most of what saving the state cost a clean build (18.9 s against 3.8 s for these
counts at 200 sources, measured on the same graphs), and two RocksDB stores open at once had to be
released in order."""
from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Iterable

_TABLE = "CREATE TABLE lines (digest BLOB PRIMARY KEY, graphs INTEGER NOT NULL) WITHOUT ROWID"


def _connect(path: Path) -> sqlite3.Connection:
    # no file locks: the build holds its own lock on the state (incremental.state_lock), and POSIX
    # locks are what a loaded machine refused RocksDB ("No locks available")
    return sqlite3.connect(f"file:{path}?nolock=1", uri=True)


def _digest(line: bytes) -> bytes:
    # 128 bits: no two of a few million lines share one (a 64-bit key would, once in a million corpora)
    return hashlib.blake2b(line, digest_size=16).digest()


def write_counts(path: Path, graphs: Iterable[bytes]) -> None:
    """The counts of these graphs' lines (each graph's N-Triples, a line counted once per graph)."""
    counts: Counter = Counter()
    for data in graphs:
        counts.update({_digest(line) for line in data.splitlines(keepends=True)})
    path.unlink(missing_ok=True)
    try:
        db = _connect(path)
        try:
            db.execute("PRAGMA journal_mode=OFF")  # a new file: a build that stops half-way leaves no state.json
            db.execute(_TABLE)
            db.executemany("INSERT INTO lines VALUES (?, ?)", sorted(counts.items()))
            db.commit()
        finally:
            db.close()
    except sqlite3.Error as e:  # a full disk, say: the caller reports it as it reports any OSError
        raise OSError(f"{path.name}: {e}") from e


class LineCounts:
    """The counts as the last build left them, changed here and saved by `commit`."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise sqlite3.OperationalError(f"no {path.name}")
        self.db = _connect(path)
        try:
            self.db.execute("SELECT graphs FROM lines LIMIT 1").fetchall()  # a damaged file fails here, not half-way
        except sqlite3.Error:
            self.db.close()
            raise
        self.changed: dict[bytes, int] = {}

    def count(self, line: bytes) -> int:
        """How many data graphs hold this line now (with the changes made so far)."""
        return self._count(_digest(line))

    def change(self, line: bytes, by: int) -> None:
        key = _digest(line)
        self.changed[key] = self._count(key) + by

    def _count(self, key: bytes) -> int:
        if key in self.changed:
            return self.changed[key]
        row = self.db.execute("SELECT graphs FROM lines WHERE digest = ?", (key,)).fetchone()
        return row[0] if row else 0

    def commit(self) -> None:
        self.db.executemany("INSERT OR REPLACE INTO lines VALUES (?, ?)", [(k, n) for k, n in self.changed.items() if n > 0])
        self.db.executemany("DELETE FROM lines WHERE digest = ?", [(k,) for k, n in self.changed.items() if n <= 0])
        self.db.commit()
        self.changed = {}

    def close(self) -> None:
        self.db.close()
