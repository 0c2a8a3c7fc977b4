"""The house rules a reviewer would otherwise check by hand: each function's environment names only
what its code reads, and the health checks cover every table, bucket and queue of the templates."""

import ast
from pathlib import Path

from tests.support.paths import REPO_ROOT

LAYER = REPO_ROOT / "layers" / "shared"
# Set for every function by the stacks' Globals (Powertools and the stage), read by libraries.
GLOBAL_VARIABLES = {
    "STAGE",
    "POWERTOOLS_LOG_LEVEL",
    "POWERTOOLS_LOGGER_LOG_EVENT",
    "POWERTOOLS_LOGGER_SAMPLE_RATE",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE",
    "POWERTOOLS_SERVICE_NAME",
}
# The health checks read their targets by naming convention (platform/health.py), not by name.
HEALTH_FUNCTIONS = {"HealthFunction", "HealthProbeFunction"}


def _module_file(name: str) -> Path | None:
    for candidate in (LAYER / f"{name.replace('.', '/')}.py", LAYER / name.replace(".", "/") / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imported_files(source: Path) -> list[Path]:
    found = []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fitconnect"):
            found += [
                _module_file(f"{node.module}.{alias.name}") or _module_file(node.module)
                for alias in node.names
            ]
        elif isinstance(node, ast.Import):
            found += [_module_file(alias.name) for alias in node.names if alias.name.startswith("fitconnect")]
        elif isinstance(node, ast.Constant) and str(node.value).startswith("fitconnect."):
            found.append(_module_file(node.value.partition(":")[0]))  # a lazy face's target (platform.faces)
    return [path for path in found if path]


def code_of(handler: Path) -> str:
    """The handler's module and every module of ours it imports, at any depth, at any place."""
    seen: dict[Path, str] = {}
    pending = [handler]
    while pending:
        source = pending.pop()
        if source not in seen:
            seen[source] = source.read_text()
            pending += _imported_files(source)
    return "\n".join(seen.values())


def test_each_function_is_given_only_what_its_code_reads(functions):
    unread = {}
    for function_id, spec in functions.items():
        if function_id in HEALTH_FUNCTIONS:
            continue
        code = code_of(spec.code_dir / f"{spec.handler.rpartition('.')[0]}.py")
        names = [name for name in spec.environment if name not in GLOBAL_VARIABLES and name not in code]
        if names:
            unread[function_id] = names
    assert unread == {}


def test_the_health_checks_cover_every_table_bucket_and_queue(template, functions):
    expected = set()
    for stack, logical_id in template.each("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue"):
        if not logical_id.endswith(("DLQ", "ErrorsQueue")):  # dead letters have alarms, not checks
            expected.add(_name(stack.physical[logical_id].ref))
    for function_id in HEALTH_FUNCTIONS:
        checked = {_name(value) for value in functions[function_id].environment.values()}
        assert expected - checked == set(), function_id


def _name(reference: str) -> str:
    """A table or bucket name as it is; a queue by its name (its URL's host depends on the endpoint)."""
    return reference.rsplit("/", 1)[-1]


CONTEXTS = sorted(path.name for path in (LAYER / "fitconnect").iterdir() if (path / "__init__.py").exists())


def _fitconnect_imports(source: Path) -> list[tuple[str, bool]]:
    """(module imported, at the top of the file) for every `fitconnect.*` import in `source`."""
    tree = ast.parse(source.read_text())
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fitconnect."):
            for name in node.names:
                module = f"{node.module}.{name.name}"
                found.append((module if _module_file(module) else node.module, id(node) in top_level))
        elif isinstance(node, ast.Import):
            found += [
                (name.name, id(node) in top_level)
                for name in node.names
                if name.name.startswith("fitconnect.")
            ]
    return found


def _context_sources() -> list[tuple[str, Path]]:
    layer = [(path.parent.name, path) for path in (LAYER / "fitconnect").glob("*/*.py")]
    handlers = [(path.parent.name, path) for path in (REPO_ROOT / "functions").glob("*/*.py")]
    return [(context, path) for context, path in layer + handlers if context in CONTEXTS]


def test_a_context_uses_another_only_through_its_public_module():
    reaching_in = []
    for context, source in _context_sources():
        for module, _top in _fitconnect_imports(source):
            other = module.split(".")[1]
            if other not in (context, "platform") and module != f"fitconnect.{other}.public":
                reaching_in.append(f"{source.relative_to(REPO_ROOT)} imports {module}")
    assert reaching_in == []


def test_no_import_circles_between_modules():
    graph = {}
    for path in (LAYER / "fitconnect").rglob("*.py"):
        module = ".".join(path.relative_to(LAYER).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = {imported for imported, top in _fitconnect_imports(path) if top}
    circles = []
    for start in graph:
        pending, seen = list(graph[start]), set()
        while pending:
            module = pending.pop()
            if module == start:
                circles.append(start)
                break
            if module not in seen:
                seen.add(module)
                pending += graph.get(module, ())
    assert circles == []


def test_contexts_depend_one_way():
    """identity knows no other context; where two contexts meet, one of them leads (a handler
    composes them when both are needed: registration, the data export, erasure)."""
    uses = set()
    for context, source in _context_sources():
        if source.is_relative_to(LAYER):
            uses |= {(context, module.split(".")[1]) for module, _top in _fitconnect_imports(source)}
    uses = {(one, other) for one, other in uses if other not in (one, "platform")}
    assert {tuple(sorted(pair)) for pair in uses if pair[::-1] in uses} == set()
    assert {other for one, other in uses if one == "identity"} == set()


def test_a_function_local_import_is_there_for_cold_start_and_says_so():
    unexplained = []
    for path in (LAYER / "fitconnect").rglob("*.py"):
        text = path.read_text()
        tree, lines = ast.parse(text), text.splitlines()
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            ours = isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fitconnect")
            if ours and id(node) not in top_level:
                said = " ".join(lines[max(0, node.lineno - 3) : node.lineno]).lower()
                if "cold start" not in said:
                    unexplained.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.module}")
    assert unexplained == []
