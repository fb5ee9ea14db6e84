"""The gazetteer's matcher: leftmost-longest, non-overlapping, Latin names only as whole words.
Laid out as a trie for speed (build/gazetteer.py `trie_pattern`); these are the rules it keeps."""

import re

from mineralgraph.build.gazetteer import trie_pattern

NAMES = ["US", "USA", "US Geological Survey", "美国", "美国地质调查局", "美", "G7", "G7+", "钴", "钴矿"]


def spans(text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(trie_pattern(NAMES), text)]


def test_the_longest_name_at_a_position_wins():
    assert spans("美国地质调查局称") == ["美国地质调查局"]
    assert spans("美国和美方") == ["美国", "美"]
    assert spans("the US Geological Survey said") == ["US Geological Survey"]
    assert spans("钴矿与钴") == ["钴矿", "钴"]


def test_latin_names_match_only_as_whole_words():
    assert spans("USAID and USB") == []  # no "USA" in USAID, no "US" in USB
    assert spans("USA, US.") == ["USA", "US"]
    assert spans("G7 G7+ G77") == ["G7", "G7+"]  # "+" is no letter: G7+ ends a word; G77 is another name
    assert spans("美国US") == ["美国", "US"]  # Chinese next to Latin is a boundary


def test_a_failed_word_boundary_falls_back_to_a_shorter_name():
    # "US Geological Surveyor": the long name fails its boundary, "US" still matches
    assert spans("US Geological Surveyor") == ["US"]


def test_matches_do_not_overlap():
    assert spans("美国地质调查局美国") == ["美国地质调查局", "美国"]
