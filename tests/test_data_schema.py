"""Every data file is checked against its schema in schemas/: an unknown key, a wrong type, an
impossible date or a claim filed under another source stops the build with exit 2, the file, the
line and the closest valid key, every violation once, and dist/ left as it was (issue #10)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mineralgraph.cli import cli
from mineralgraph.build.dataschema import SCHEMA_DIR
from test_build_inputs import _assert_dist_unchanged, _build, _fake_previous_dist

ROOT = Path(__file__).resolve().parents[1]


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path`; return the 1-based line where the replacement starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} no longer in {path.name}: update the test"
    i = text.index(old)
    path.write_text(text[:i] + new + text[i + len(old):], encoding="utf-8")
    return text.count("\n", 0, i) + 1


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def _refused(project, *expected: str) -> list[str]:
    before = _fake_previous_dist(project)
    result = _build(project)
    assert result.exit_code == 2, result.output
    errors = _errors(result.output)
    for text in expected:
        assert text in result.output, result.output
    assert len(errors) == len(set(errors)), "each violation is printed once"
    _assert_dist_unchanged(project, before)
    return errors


# -------------------------------------------------------------------------- the mistakes of the issue

def test_mistyped_statement_key_is_refused_with_the_closest_key(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    # 001 says 参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大…和欧盟委员会。 — a complete roster
    line = _edit(ann, "          exhaustive: true", "          exhaustiv: true")
    errors = _refused(project_copy, f"001.yaml:{line}: unknown key 'exhaustiv'", "did you mean 'exhaustive'?")
    assert len(errors) == 1


def test_founding_place_is_not_a_key(project_copy):
    # documented once but never stored: now removed from docs and refused
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    line = _edit(ann, "          founders: [USA, CAN]\n", "          founders: [USA, CAN]\n          place: Washington\n") + 1
    _refused(project_copy, f"001.yaml:{line}: unknown key 'place'", "valid keys: mechanism, date, founders")
    assert "place:" not in (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")


def test_source_key_inside_a_statement_is_refused(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    line = _edit(ann, "          exhaustive: true", '          exhaustive: true\n          source: "006"') + 1
    _refused(project_copy, f"001.yaml:{line}: unknown key 'source'")


def test_annotation_file_of_another_source_is_refused_at_its_source_line(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    line = _edit(ann, 'source: "001"', 'source: "003"')
    _refused(project_copy, f"001.yaml:{line}: this file is named for source 001 but says `source: '003'`")


def test_impossible_as_of_date_in_build_and_check_source(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    line = _edit(ann, "    as_of: 2022-06-14", "    as_of: 2025-13-10")
    errors = _refused(project_copy, f"001.yaml:{line}:", "'2025-13-10' is not a real date: there is no month 13")
    assert len(errors) == 1
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "001"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"001.yaml:{line}:" in result.output and "there is no month 13" in result.output


def test_every_violation_of_a_file_is_listed_once(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    first = _edit(ann, "          exhaustive: true", "          exhaustiv: true")
    second = _edit(ann, "      - founding:", "      - foundng:")
    errors = _refused(project_copy, f"001.yaml:{first}: unknown key 'exhaustiv'",
                      f"001.yaml:{second}: unknown key 'foundng'", "did you mean 'founding'?")
    assert len(errors) == 2


def test_wrong_type_names_the_expected_type(project_copy):
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    line = _edit(ann, "          exhaustive: true", '          exhaustive: "yes"')
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "001"])
    assert result.exit_code == 2
    assert f"001.yaml:{line}:" in result.output and "must be true or false, not text 'yes'" in result.output


def test_unknown_key_in_sources_yaml(project_copy):
    line = _edit(project_copy / "seeds" / "sources.yaml", "  markup: html", "  markp: html")
    _refused(project_copy, f"sources.yaml:{line}: unknown key 'markp'", "did you mean 'markup'?")


def test_impossible_source_date(project_copy):
    line = _edit(project_copy / "seeds" / "sources.yaml", "date: 2024-02-11", "date: 2024-02-30")
    _refused(project_copy, f"sources.yaml:{line}:", "there is no day 30 in 2024-02")


def test_bad_enum_value_suggests_the_closest(project_copy):
    line = _edit(project_copy / "seeds" / "sources.yaml", "kind: news", "kind: new")
    _refused(project_copy, f"sources.yaml:{line}: 'new' is not allowed", "did you mean 'news'?")


def test_unknown_gazetteer_key_for_its_family(project_copy):
    # iso3 is a country key; a mineral does not have one
    line = _edit(project_copy / "seeds" / "gazetteer" / "minerals.yaml", "    en: lithium", "    en: lithium\n    iso3: LIT") + 1
    _refused(project_copy, f"minerals.yaml:{line}: unknown key 'iso3'")


# -------------------------------------------------------------------------- the schemas themselves

def test_schemas_are_valid_json_schema_and_the_seeds_pass():
    from jsonschema import Draft202012Validator

    from mineralgraph.build.annotations import parse_annotation_file
    from mineralgraph.build.gazetteer import load_gazetteer
    from mineralgraph.core.paths import ProjectPaths
    from mineralgraph.build.sources import load_sources

    for path in SCHEMA_DIR.glob("*.schema.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
    paths = ProjectPaths(ROOT)
    assert load_sources(paths) and load_gazetteer(paths.gazetteer).entities
    assert all(parse_annotation_file(p).claims for p in paths.annotations.glob("*.yaml"))


def _documented_statement_keys() -> dict[str, set[str]]:
    """The keys docs/DATA.md shows for each statement type (its `### Statement types` block)."""
    text = (ROOT / "docs" / "DATA.md").read_text(encoding="utf-8")
    block = text.split("### Statement types", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    out: dict[str, set[str]] = {}
    for m in re.finditer(r"^- (\w+):\s*\{(.*?)\}\s*$", block, re.S | re.M):
        out[m.group(1)] = set(re.findall(r"(?:^|[{,]\s*)(\w+):", "{" + m.group(2), re.M))
    return out


def test_docs_and_schema_name_the_same_statement_keys():
    """Every documented key is accepted (and so stored), every accepted key is documented."""
    schema = json.loads((SCHEMA_DIR / "annotations.schema.json").read_text(encoding="utf-8"))
    types = schema["$defs"]["statement"]["properties"]
    documented = _documented_statement_keys()
    assert set(documented) == set(types)
    for name in types:
        assert documented[name] == set(schema["$defs"][name]["properties"]), name


@pytest.mark.parametrize("kind", ["sources", "gazetteer", "annotations"])
def test_schema_refuses_unknown_keys_everywhere(kind):
    """additionalProperties: false on every object of every schema: nothing is silently ignored."""
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))

    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                yield node
            for v in node.values():
                yield from objects(v)
        elif isinstance(node, list):
            for v in node:
                yield from objects(v)

    found = list(objects(schema))
    assert found and all(o.get("additionalProperties") is False for o in found)


def test_every_statement_type_may_be_drafted():
    """A draft may carry any statement type the schema knows, and nothing else."""
    schema = json.loads((SCHEMA_DIR / "annotations.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["draftStatement"]["propertyNames"]["enum"]) == set(schema["$defs"]["statement"]["properties"])


# ---------------------------------------------------------------------- the fast check agrees

def _data_files():
    from mineralgraph.core.yamlio import load_yaml

    seeds = ROOT / "seeds"
    files = [("sources", seeds / "sources.yaml")]
    files += [("gazetteer", p) for p in sorted((seeds / "gazetteer").glob("*.yaml"))]
    files += [("annotations", p) for p in sorted((seeds / "annotations").glob("*.yaml"))]
    return [(kind, p, load_yaml(p)) for kind, p in files]


_ODD_VALUES = [20221, 2022, 999, 10000, -1, 0, 1.5, True, False, None, "", "x", "2022-13", "2022-02-30",
               "2022-06", "2022-06-14", [], {}, ["x"], {"bogus": 1}]


def _places(node):
    """(container, key) of every value in a parsed YAML tree."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        yield node, k
        yield from _places(v)


def _mutations(data, rng, n):
    """`n` copies of `data`, each broken (or not) in one place: a key dropped, an unknown key
    added, or a value replaced by one of _ODD_VALUES."""
    import copy

    for _ in range(n):
        mutated = copy.deepcopy(data)
        places = list(_places(mutated))
        container, key = places[rng.randrange(len(places))]
        action = rng.randrange(3)
        if action == 0 and isinstance(container, dict):
            del container[key]
        elif action == 1 and isinstance(container, dict):
            container["bogus"] = 1
        else:
            container[key] = copy.deepcopy(rng.choice(_ODD_VALUES))
        yield mutated


_DATE_LIKE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ODD_DATES = [20221, 999, 10000, 2022, "2022-13", "2022-02-30", "2022-06", True]


def _date_mutations(data, rng, places_per_file):
    """`data` with a date (a value that looks like one) replaced by each of _ODD_DATES in turn:
    the schemas' own format, which the two checkers apply differently to integers."""
    places = [(c, k) for c, k in _places(data)
              if isinstance(c[k], (str, int)) and not isinstance(c[k], bool) and _DATE_LIKE.match(str(c[k]))]
    for container, key in rng.sample(places, min(places_per_file, len(places))):
        kept = container[key]
        for odd in _ODD_DATES:
            container[key] = odd
            yield data  # changed in place: checked before the next one is made
        container[key] = kept


def test_the_fast_schema_check_agrees_with_jsonschema_on_every_data_file_and_broken_copies():
    # dataschema.check lets fastjsonschema pass a valid file and asks jsonschema (the reference,
    # draft 2020-12) only about the others: the two must agree on what is valid, or a broken file
    # would pass unchecked.
    import itertools
    import random

    from mineralgraph.build.dataschema import _validator, is_valid

    rng = random.Random(24)
    compared = refused = 0
    for kind, path, data in _data_files():
        assert is_valid(kind, data) and _validator(kind).is_valid(data), path
        for mutated in itertools.chain(_mutations(data, rng, 12), _date_mutations(data, rng, 4)):
            reference = _validator(kind).is_valid(mutated)
            assert is_valid(kind, mutated) == reference, (path.name, mutated if len(str(mutated)) < 2000 else "…")
            compared += 1
            refused += not reference
    assert compared >= 300 and refused > compared // 3  # the copies do break the schema, often
