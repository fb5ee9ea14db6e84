"""The package map (docs/ARCHITECTURE.md) matches the tree, and imports between the pipeline's
stage packages point one way, from the code itself (every import statement, including those
inside functions)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "mineralgraph"
MAP = ROOT / "docs" / "ARCHITECTURE.md"

# The stages in the order data flows through them: a package may import those before it.
STAGES = ["core", "build", "reason", "validate", "publish", "store", "storedqueries", "server"]
# beside the build: may import these and nothing else of the package
ALLOWED_BESIDE = {"intake": {"core", "build"}}
# Commands live next to the part they drive but belong to the top layer: like cli.py, they may
# start the build (pipeline.py) when dist/ is missing or stale.
COMMANDS = {"storedqueries/cli.py", "server/command.py"}


def _packages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def _project_imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of the package in one file (or in `text`, as if
    it were that file)."""
    here = list(path.relative_to(PACKAGE.parent).parts[:-1])  # the package a relative import starts from
    out = []
    source = path.read_text(encoding="utf-8") if text is None else text
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "mineralgraph"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "mineralgraph":
                continue
            if module == "mineralgraph":  # `from mineralgraph import build` names a module; `__version__` does not
                out += [(node.lineno, f"mineralgraph.{a.name}" if _is_module(a.name) else module) for a in node.names]
            else:
                out.append((node.lineno, module))
    return out


def _is_module(name: str) -> bool:
    return (PACKAGE / name / "__init__.py").is_file() or (PACKAGE / f"{name}.py").is_file()


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1] / "__init__.py").is_file() else None


def test_every_package_has_a_section_in_the_map():
    text = MAP.read_text(encoding="utf-8")
    sections = set(re.findall(r"^###\s+`([a-z_]+)/`", text, flags=re.M))
    packages = set(_packages())
    assert packages, "no package found under src/mineralgraph"
    assert not packages - sections, f"packages without a section in docs/ARCHITECTURE.md: {sorted(packages - sections)}"
    assert not sections - packages, f"sections of docs/ARCHITECTURE.md for packages that do not exist: {sorted(sections - packages)}"


def test_every_stage_package_is_in_the_map_and_the_order():
    """The checked packages are real, and each is placed in the stage order or beside it."""
    packages = set(_packages())
    assert set(STAGES) | set(ALLOWED_BESIDE) <= packages
    text = MAP.read_text(encoding="utf-8")
    order = re.search(r"^core ─► .*$", text, flags=re.M).group(0)
    assert [p for p in re.findall(r"[a-z]+", order) if p in STAGES] == STAGES, "the map's order is the one checked here"


def test_stage_packages_import_only_downward():
    upward = []
    checked = 0
    for pkg in STAGES + sorted(ALLOWED_BESIDE):
        allowed = ALLOWED_BESIDE.get(pkg) or set(STAGES[: STAGES.index(pkg)])
        for path in sorted((PACKAGE / pkg).rglob("*.py")):
            for line, module in _project_imports(path):
                checked += 1
                target = _package_of(module)
                if module == "mineralgraph":  # `from .. import __version__`: the package's own metadata
                    continue
                if module == "mineralgraph.pipeline" and path.relative_to(PACKAGE).as_posix() in COMMANDS:
                    continue
                if target is None or (target != pkg and target not in allowed):
                    upward.append(f"{path.relative_to(ROOT)}:{line}: {pkg} imports {module}")
    assert checked > 50, "the walker found the project's imports"  # guard against a walker that finds nothing
    assert not upward, "imports against the stage order (core -> build -> reason -> validate -> publish -> store " \
                       "-> storedqueries -> server; intake beside build):\n" + "\n".join(upward)


def test_the_walker_sees_an_upward_import():
    """The check above would catch one: an import of a later stage, relative and inside a function."""
    source = "def f():\n    from ..publish.dist import MANIFEST\n    return MANIFEST\n"
    found = _project_imports(PACKAGE / "build" / "probe.py", source)  # read as if it were build/probe.py
    assert found == [(2, "mineralgraph.publish.dist")]
    assert _package_of(found[0][1]) == "publish"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph() -> tuple[dict[str, set[str]], list[str]]:
    """module -> the project modules it imports (anywhere in it); and the imports inside functions."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    inner = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                       for n in ast.walk(f)}
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - (node.level - 1)] + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            targets = [t for t in targets if t in modules and t != name]
            edges[name].update(targets)
            if targets and id(node) in in_function:
                inner.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return edges, inner


def test_no_import_cycles_between_modules():
    edges, _ = _module_graph()
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert len(edges) > 50
    assert not cycles, f"import cycles: {cycles}"


def test_few_project_imports_inside_functions_each_with_a_reason():
    _, inner = _module_graph()
    # Each is a measured start-up cost kept out of commands that do not need it (cli.py's note).
    assert len(inner) <= 10, inner
