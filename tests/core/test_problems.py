"""One error path: every problem+json in the product is built by core/problems.py, and a
domain error's message is written the way the reader's language writes it."""

import ast
from pathlib import Path

from django.utils import translation

from catalog.errors import TicketTypesWithoutPrice
from core.problems import PROBLEM_CONTENT_TYPE

ROOT = Path(__file__).resolve().parents[2]
RENDERER = Path("core/problems.py")
# The OpenAPI schema names the media type to document it; it renders nothing.
DOCUMENTS_THE_MEDIA_TYPE = {Path("api/openapi.py")}


def product_modules() -> list[Path]:
    skipped = {".venv", "tests", "bench", "migrations"}
    return [
        path.relative_to(ROOT)
        for path in ROOT.rglob("*.py")
        if not skipped & set(path.relative_to(ROOT).parts)
    ]


def builds_a_problem(tree: ast.AST, *, may_name_media_type: bool) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == PROBLEM_CONTENT_TYPE:
            found.append(f"line {node.lineno}: the media type written out")
        if isinstance(node, ast.Name | ast.alias) and "problem_body" in (
            getattr(node, "id", None),
            getattr(node, "name", None),
        ):
            found.append(f"line {getattr(node, 'lineno', '?')}: problem_body")
        if (
            not may_name_media_type
            and isinstance(node, ast.Name | ast.alias)
            and "PROBLEM_CONTENT_TYPE" in (getattr(node, "id", None), getattr(node, "name", None))
        ):
            found.append(f"line {getattr(node, 'lineno', '?')}: PROBLEM_CONTENT_TYPE")
    return found


def test_every_problem_json_comes_from_the_one_renderer():
    offenders = {}
    for path in product_modules():
        if path == RENDERER:
            continue
        tree = ast.parse((ROOT / path).read_text(), filename=str(path))
        found = builds_a_problem(tree, may_name_media_type=path in DOCUMENTS_THE_MEDIA_TYPE)
        if found:
            offenders[str(path)] = found
    assert not offenders, f"problem+json built outside {RENDERER}: {offenders}"


def test_a_list_in_a_message_is_written_as_the_language_writes_one():
    error = TicketTypesWithoutPrice(ticket_types=["VIP", "Student 2"])
    with translation.override("en"):
        assert error.message.endswith(": VIP, Student 2.")
    with translation.override("fa"):
        assert error.message.endswith(": VIP، Student ۲.")
