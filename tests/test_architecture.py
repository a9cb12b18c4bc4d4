"""The house rules of docs/architecture.md, read from the code itself (issue #21).

Every `import` and `from … import` of every module under src/archivekit is read with `ast`: those at
module level, those inside functions (a late import is still a dependency, only a cheaper one) and
those under `if TYPE_CHECKING:`. Then:

- stages: each module belongs to a stage (the first folder or module name under archivekit/); a
  stage may import only the stages of its row in `MAY_IMPORT`, which is the "may import" column of
  docs/architecture.md, and the modules anyone may import (`SHARED`). The wiring (`WIRING`: the
  pipeline, the CLI, the library API, cluster/, live/ and the pipeline's own machinery) may import
  every stage. TYPE_CHECKING imports count here: a type taken from a later stage is still a
  dependency on that stage.
- no import cycle between modules, on the full graph of module-level and function-level imports.
  Two kinds of edge are left out, and only these: TYPE_CHECKING-only imports (they never run) and
  imports of the root package `archivekit` itself (it holds `__version__` and forwards
  `archivekit.build`/`check` to `archivekit.api` lazily; Python runs it before any submodule anyway),
  which instead may import nothing at module level.
- no handler of `ImportError` (or `ModuleNotFoundError`, or `contextlib.suppress` of either) anywhere:
  a missing part of archivekit or a missing dependency is an error, not a feature switched off.
- programs are started (`subprocess`, `os.system`, `os.exec*`, `os.spawn*`, `os.popen`,
  `asyncio.create_subprocess_*`) only by validate/ (the judges) and the modules in `RUN_ALLOWED`,
  each with its reason; an entry no longer needed fails too, so the list stays exact.

`test_the_checks_can_fail` runs the same checks on a small package written for the purpose, broken in
each of these ways, and expects every break to be named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = "archivekit"

# Anyone may import these (docs/architecture.md, first paragraph), and the root package for __version__.
SHARED = {"errors", "clock", "jsonfile", "toolpaths", ""}
# On top: they wire the stages together and may import all of them. staging, forked, writer_pool and
# interrupts are the pipeline's machinery (atomic folders, writers in other processes, signals), used
# by the wiring only.
WIRING = {"pipeline", "api", "cli", "cluster", "live", "__main__", "launch", "switches", "resident",
          "staging", "forked", "writer_pool", "interrupts"}  # fmt: skip
# The "may import" column of docs/architecture.md, besides SHARED. Data flows ingest -> model ->
# typeset -> writers -> manifest -> validate -> package; model is the data they all share, so every
# stage may import it (ingest makes it), and none other may import a stage after its own, except
# authoring: it drafts an edition folder before ingest reads it, with ingest's pandoc and language tags.
MAY_IMPORT: dict[str, set[str]] = {
    "model": set(),
    "ingest": {"model"},
    "authoring": {"ingest", "model"},
    "typeset": {"model"},
    "writers": {"typeset", "model"},
    "manifest": {"model"},
    "validate": {"manifest", "model"},
    "package": {"manifest", "model"},
}
ORDER = ["authoring", "ingest", "model", "typeset", "writers", "manifest", "validate", "package"]

# Modules outside validate/ that start programs, and why each may.
RUN_ALLOWED = {
    "archivekit.ingest.pandoc_ast": "pandoc reads the sources; ingest is the only pandoc caller",
    "archivekit.pipeline": "`git log` dates the build (SOURCE_DATE_EPOCH unset: the sources' last commit)",
    "archivekit.live.judges": "starts `archivekit validate` in a child, so the judges still run in validate/",
    "archivekit.resident.client": "starts the resident build server in the background (docs/server.md)",
}
RUN_ANYWHERE_UNDER = ("archivekit.validate",)  # the judges: veraPDF, EPUBCheck, Ace, Nu, axe, poppler, gs
OS_RUNNERS = ("system", "popen", "exec", "spawn")


@dataclass(frozen=True)
class Import:
    """One imported module, as seen from the module importing it."""

    importer: str
    target: str
    line: int
    where: str  # "module", "function" or "TYPE_CHECKING"
    text: str  # the statement as written


def modules(src: Path) -> dict[str, Path]:
    """Every module of the package under src, by dotted name (a package by its folder's name)."""
    found = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _where(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    where, up = "module", parents.get(node)
    while up is not None:
        if isinstance(up, ast.If) and "TYPE_CHECKING" in ast.unparse(up.test):
            return "TYPE_CHECKING"
        if isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            where = "function"
        up = parents.get(up)
    return where


def imports(src: Path) -> Iterator[Import]:
    """Every import of an archivekit module by an archivekit module, resolved to the module it loads.

    `from a.b import c` loads a.b.c when that is a module, else takes the name c from a.b.
    """
    known = modules(src)
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        parents = _parents(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            for target in dict.fromkeys(targets):
                if target == ROOT or target.startswith(ROOT + "."):
                    yield Import(name, target, node.lineno, _where(node, parents), ast.unparse(node))


def stage(module: str) -> str:
    """The stage of a module: its first name under archivekit ("" for the root package)."""
    return module.split(".")[1] if "." in module else ""


def stage_problems(src: Path) -> list[str]:
    """Every import a stage may not make, named by module, line and statement."""
    problems = []
    for imp in imports(src):
        have, want = stage(imp.importer), stage(imp.target)
        if have == want or have in WIRING or want in SHARED:
            continue
        said = f"{imp.importer}:{imp.line} `{imp.text}`"
        if have == "" and want == "api" and imp.where == "function":
            continue  # the root package's lazy archivekit.build / archivekit.check
        if have in SHARED:
            problems.append(
                f"{said}: {have or 'the root package'} may be imported by anyone, so imports no stage"
            )
        elif have not in MAY_IMPORT:
            problems.append(f"{said}: {have!r} is in no row of docs/architecture.md (add it to the table)")
        elif want in MAY_IMPORT[have]:
            continue
        elif want in WIRING:
            problems.append(
                f"{said}: stage {have} imports the wiring ({want}), which sits on top of every stage"
            )
        elif want in ORDER and ORDER.index(want) > ORDER.index(have):
            problems.append(f"{said}: stage {have} imports the later stage {want}")
        else:
            allowed = ", ".join(sorted(MAY_IMPORT[have] | {"errors", "clock", "jsonfile", "toolpaths"}))
            problems.append(f"{said}: stage {have} may import only {allowed}, not {want}")
    return problems


def cycles(src: Path) -> list[list[str]]:
    """The import cycles among modules (Tarjan's strongly connected components), each as a sorted list."""
    graph: dict[str, set[str]] = {name: set() for name in modules(src)}
    for imp in imports(src):
        if imp.where != "TYPE_CHECKING" and imp.target != ROOT and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycle_problems(src: Path) -> list[str]:
    """Each cycle, with the imports that close it."""
    problems = []
    edges = [i for i in imports(src) if i.where != "TYPE_CHECKING" and i.target != ROOT]
    for members in cycles(src):
        inside = [
            f"{i.importer}:{i.line} `{i.text}`" for i in edges if {i.importer, i.target} <= set(members)
        ]
        problems.append(f"import cycle among {', '.join(members)}: " + "; ".join(sorted(set(inside))))
    root_imports = [i for i in imports(src) if i.importer == ROOT and i.where == "module"]
    problems += [
        f"{ROOT}:{i.line} `{i.text}`: the root package imports nothing at module level" for i in root_imports
    ]
    return problems


def _names(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(e) for e in node.elts))
    return {ast.unparse(node).rpartition(".")[2]}


IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def swallow_problems(src: Path) -> list[str]:
    """Every `except` clause naming ImportError or ModuleNotFoundError, and every suppress() of either."""
    problems = []
    for name, path in modules(src).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            caught: set[str] = set()
            if isinstance(node, ast.ExceptHandler):
                caught = _names(node.type) & IMPORT_ERRORS
            elif isinstance(node, ast.Call) and ast.unparse(node.func).rpartition(".")[2] == "suppress":
                caught = set().union(*(_names(a) for a in node.args)) & IMPORT_ERRORS if node.args else set()
            if caught:
                problems.append(
                    f"{name}:{node.lineno} catches {', '.join(sorted(caught))}: import normally "
                    "(a missing module is an error, never a feature quietly switched off)"
                )
    return problems


def runners(src: Path) -> dict[str, int]:
    """Modules that can start a program, with the line of the first sign of it."""
    found: dict[str, int] = {}
    for name, path in modules(src).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            line = None
            if (isinstance(node, ast.Import) and any(a.name == "subprocess" for a in node.names)) or (
                isinstance(node, ast.ImportFrom) and node.module in ("subprocess", "pty")
            ):
                line = node.lineno
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                os_run = node.value.id == "os" and node.attr.startswith(OS_RUNNERS)
                if os_run or node.attr.startswith("create_subprocess_"):
                    line = node.lineno
            if line is not None:
                found[name] = min(line, found.get(name, line))
    return found


def run_problems(src: Path) -> list[str]:
    """Programs started outside validate/ and the allow-list, and allow-list entries not needed any more."""
    problems = []
    found = runners(src)
    for name, line in sorted(found.items()):
        if name.startswith(RUN_ANYWHERE_UNDER) or name in RUN_ALLOWED:
            continue
        problems.append(
            f"{name}:{line} starts programs: judges run in validate/ only; anything else needs an "
            "entry with its reason in RUN_ALLOWED (tests/test_architecture.py)"
        )
    for name in sorted(set(RUN_ALLOWED) - set(found)):
        if name in modules(src):
            problems.append(
                f"{name} is allowed to start programs but starts none: remove it from RUN_ALLOWED"
            )
    return problems


def test_stages_import_only_what_their_row_allows() -> None:
    assert stage_problems(SRC) == []


def test_no_import_cycle() -> None:
    assert cycle_problems(SRC) == []


def test_no_import_error_is_swallowed() -> None:
    assert swallow_problems(SRC) == []


def test_programs_start_only_in_validate_and_the_allowed_places() -> None:
    assert run_problems(SRC) == []


def test_every_stage_module_has_a_row() -> None:
    """A new top-level module or folder must be placed: in a stage row, the wiring or the shared modules."""
    places = set(MAY_IMPORT) | WIRING | SHARED
    assert sorted({stage(m) for m in modules(SRC)} - places) == []
    assert set(ORDER) == set(MAY_IMPORT)
    for have, allowed in MAY_IMPORT.items():
        later = {w for w in allowed if ORDER.index(w) > ORDER.index(have) and w != "model"}
        assert have == "authoring" or not later, f"the table lets {have} import later stages {later}"


def test_the_table_is_the_documented_one() -> None:
    """docs/architecture.md names this test as the one enforcing its table, which names every stage."""
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "tests/test_architecture.py" in doc
    rows = [line.split("|")[1].strip() for line in doc.splitlines() if line.startswith("| ")]
    assert set(rows[1:]) == set(MAY_IMPORT) | {"wiring"}, rows  # rows[0]: the header


BROKEN = {
    "__init__.py": "from archivekit import api\n__version__ = '0'\n",
    "api.py": "",
    "errors.py": "",
    "cluster/__init__.py": "",
    "model/__init__.py": "",
    "model/late.py": "def f():\n    from archivekit.writers import base\n",
    "ingest/__init__.py": "from archivekit.ingest import b\n",
    "ingest/b.py": "def f():\n    import archivekit.ingest\n",
    "typeset/__init__.py": "try:\n    import fitz\nexcept (OSError, ImportError):\n    fitz = None\n",
    "writers/__init__.py": "import subprocess\n",
    "writers/base.py": "import contextlib\nwith contextlib.suppress(ModuleNotFoundError):\n    import lxml\n",
    "validate/__init__.py": "def f():\n    from archivekit.cluster import x\n",
    "validate/run.py": "import subprocess\nfrom . import judge\n",
    "validate/judge.py": "import typing\nif typing.TYPE_CHECKING:\n    from ..validate import run\n",
    "package/__init__.py": "from archivekit.ingest import b\n",
    "newstage/__init__.py": "from archivekit import model\n",
}


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """Each check, on a package broken on purpose, names the module and the import at fault."""
    for rel, text in BROKEN.items():
        (tmp_path / ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ROOT / rel).write_text(text, encoding="utf-8")
    stages = "\n".join(stage_problems(tmp_path))
    assert (
        "archivekit.model.late:2 `from archivekit.writers import base`: stage model imports the later"
        in stages
    )
    assert (
        "archivekit.validate:2 `from archivekit.cluster import x`: stage validate imports the wiring"
        in stages
    )
    assert "archivekit.package:1 `from archivekit.ingest import b`: stage package may import only" in stages
    assert "archivekit.newstage:1 `from archivekit import model`: 'newstage' is in no row" in stages
    assert "archivekit:1 `from archivekit import api`: the root package may be imported by anyone" in stages
    assert "archivekit.validate.judge" not in stages  # within one stage
    assert len(stage_problems(tmp_path)) == 5
    found = cycle_problems(tmp_path)
    assert any(p.startswith("import cycle among archivekit.ingest, archivekit.ingest.b:") for p in found), (
        found
    )
    assert "archivekit.ingest.b:2 `import archivekit.ingest`" in found[0]
    assert any(p.startswith("archivekit:1 `from archivekit import api`: the root package") for p in found), (
        found
    )
    # validate.run -> validate.judge -> validate.run closes only through TYPE_CHECKING: not a cycle.
    assert not any("validate" in p for p in found) and len(found) == 2
    swallowed = "\n".join(swallow_problems(tmp_path))
    assert "archivekit.typeset:3 catches ImportError" in swallowed
    assert "archivekit.writers.base:2 catches ModuleNotFoundError" in swallowed
    runs = run_problems(tmp_path)
    assert any(p.startswith("archivekit.writers:1 starts programs") for p in runs), runs
    assert not any(p.startswith("archivekit.validate.run") for p in runs)
    assert len(runs) == 1  # the allowed modules are absent here, so not reported as unneeded
