"""functions_of finds every function ast.walk finds, visiting statements only."""

from __future__ import annotations

import ast
import textwrap

from devora.tools.impact._skeleton import functions_of, module_skeleton

SOURCE = textwrap.dedent(
    """
    import sys

    def top():
        def inner():
            async def innermost():
                pass
        return [lambda: 1 for _ in range(2)]

    class Box:
        def method(self):
            class Local:
                def deep(self):
                    pass

    if sys.version_info >= (3, 10):
        def when_new():
            pass
    else:
        def when_old():
            pass

    try:
        def in_try():
            pass
    except ImportError:
        def in_handler():
            pass
    finally:
        def in_finally():
            pass

    for _ in ():
        def in_loop():
            pass
    else:
        def in_loop_else():
            pass

    with open(__file__) as f:
        def in_with():
            pass

    match sys.platform:
        case "linux":
            def in_case():
                pass
    """
).encode()


def test_every_function_is_found_as_ast_walk_finds_it() -> None:
    tree = ast.parse(SOURCE)
    walked = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found = [node.name for node in functions_of(tree)]
    assert len(found) == len(set(found)) == 14
    assert set(found) == walked


def test_a_body_change_keeps_the_skeleton_and_a_module_change_does_not() -> None:
    body = SOURCE.replace(
        b"def deep(self):\n                    pass",
        b"def deep(self):\n                    return 2",
    )
    signature = SOURCE.replace(b"def in_case():", b"def in_case(x=1):")
    assert module_skeleton(body) == module_skeleton(SOURCE)
    assert module_skeleton(signature) != module_skeleton(SOURCE)
