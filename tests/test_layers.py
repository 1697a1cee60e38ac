"""The import graph between domain packages has no cycles: a domain that must react to another one
it cannot import goes through webapp/registry.py (signals, the trainee plan)."""
import ast
from pathlib import Path

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"


def domain_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in sorted(p for p in WEBAPP.iterdir() if (p / "__init__.py").exists()):
        found = graph.setdefault(package.name, set())
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "webapp" and len(parts) > 1 and parts[1] != package.name \
                            and (WEBAPP / parts[1] / "__init__.py").exists():
                        found.add(parts[1])
    return graph


def test_domain_packages_import_each_other_without_a_cycle():
    graph, state, cycles = domain_imports(), {}, []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(path[path.index(target):] + [target] if target in path else path + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_activity_domains_do_not_reach_into_certification():
    graph = domain_imports()
    assert {name for name in ("courses", "quizzes", "roleplay") if "certification" in graph[name]} == set()
