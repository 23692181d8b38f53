"""The product spec: the sample loads; every bad spec is one SpecError naming field and line."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devora.errors import EXIT_BAD_INPUT
from devora.workflows.saas_mvp._errors import SpecError
from devora.workflows.saas_mvp._load import load_spec, parse_spec

EXAMPLE = Path(__file__).parents[3] / "examples" / "saas-spec.yaml"

VALID = """\
name: Shop
entities:
  - name: Customer
    fields:
      - {name: full_name, type: str}
  - name: Order
    fields:
      - {name: total, type: money}
    relations:
      - {name: customer, entity: Customer}
"""


def error_of(text: str, *, json_format: bool = False) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_spec(text, "spec.yaml", json_format=json_format)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    return caught.value


def test_the_sample_spec_loads() -> None:
    spec = load_spec(EXAMPLE)
    assert [e.name for e in spec.entities] == ["Client", "Project", "Task", "Invoice"]
    assert spec.entity("Invoice").relations[1].required is False
    assert spec.users.default_role == "member"


def test_a_valid_spec_has_its_defaults() -> None:
    spec = parse_spec(VALID)
    assert spec.entity("Order").plural == "orders"
    assert spec.entity("Customer").label_field() == "full_name"
    assert [plan.name for plan in spec.plans] == ["free"]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        (
            "type: money",
            "type: currency",
            8,
            "entities[Order].fields[total].type",
            "unknown field type 'currency'",
        ),
        (
            "entity: Customer",
            "entity: Client",
            10,
            "entities[Order].relations[customer].entity",
            "'Client', which the spec does not define",
        ),
        (
            "name: full_name",
            "name: class",
            5,
            "entities[Customer].fields[class].name",
            "Python keyword",
        ),
        (
            "name: full_name",
            "name: select",
            5,
            "entities[Customer].fields[select].name",
            "SQL reserved word",
        ),
        (
            "name: full_name",
            "name: metadata",
            5,
            "entities[Customer].fields[metadata].name",
            "generated code",
        ),
        ("name: Customer", "name: User", 3, "entities[User].name", "generated code"),
        (
            "name: Customer",
            "name: Value",
            3,
            "entities[Value].name",
            "SQL reserved word (its table 'values')",
        ),
        (
            "name: Order\n",
            "name: Customer\n",
            6,
            "entities[Customer].name",
            "duplicate entity name",
        ),
        (
            "name: total",
            "name: customer_id",
            10,
            "entities[Order].relations[customer].name",
            "duplicate name 'customer'",
        ),
        (
            "name: full_name",
            "name: FullName",
            5,
            "entities[Customer].fields[FullName].name",
            "not a valid name",
        ),
        (
            "fields:\n      - {name: total",
            "feilds:\n      - {name: total",
            7,
            "entities[Order].feilds",
            "unknown key",
        ),
    ],
)
def test_each_bad_spec_names_the_field_and_its_line(
    old: str, new: str, line: int, field: str, words: str
) -> None:
    assert old in VALID
    error = error_of(VALID.replace(old, new, 1))
    assert (error.line, error.field) == (line, field)
    assert words in error.problem
    assert str(error).startswith(f"spec.yaml:{line}: {field}: ")
    assert "docs/saas-mvp.md" in error.hint


def test_bad_yaml_names_its_line() -> None:
    error = error_of(
        VALID.replace("    fields:\n      - {name: total", "    fields:\n      - {name: [total", 1)
    )
    assert error.line == 8
    assert "not valid YAML" in error.problem


def test_a_key_written_twice_is_refused() -> None:
    error = error_of(VALID + "name: Again\n")
    assert (error.line, error.field) == (11, "name")
    assert "written twice" in error.problem


def test_relations_in_a_cycle_are_refused() -> None:
    text = VALID.replace(
        "      - {name: full_name, type: str}\n",
        "      - {name: full_name, type: str}\n"
        "    relations:\n      - {name: last_order, entity: Order}\n",
    )
    error = error_of(text)
    assert "cycle" in error.problem
    assert error.line is not None


def test_roles_and_plans_name_real_entities() -> None:
    roles = VALID + (
        "users:\n  roles:\n    - {name: staff, permissions: {Invoice: [list]}}\n"
        "  default_role: staff\n"
    )
    error = error_of(roles)
    assert (error.line, error.field) == (13, "users.roles[staff].permissions.Invoice")
    missing = VALID + "users:\n  default_role: boss\n"
    assert error_of(missing).field == "users.default_role"
    plans = VALID + "plans:\n  - {name: free, limits: {Invoice: 3}}\n"
    assert error_of(plans).field == "plans[free].limits.Invoice"


def test_json_errors_are_located_too(tmp_path: Path) -> None:
    data = {
        "name": "Shop",
        "entities": [{"name": "Customer", "fields": [{"name": "age", "type": "integer"}]}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.line == 9
    assert caught.value.field == "entities[Customer].fields[age].type"
    path.write_text('{"name": "Shop",\n "entities": [}', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.line == 2
    assert "not valid JSON" in caught.value.problem


def test_a_missing_or_binary_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "absent.yaml")
    binary = tmp_path / "spec.yaml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(SpecError, match="not UTF-8"):
        load_spec(binary)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_no_text_gives_anything_but_a_spec_error(text: str) -> None:
    for json_format in (False, True):
        with contextlib.suppress(SpecError):
            parse_spec(text, "fuzz.yaml", json_format=json_format)


_names = st.sampled_from(["Customer", "Order", "order", "class", "id", "", "X", "full_name", "*"])
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _names,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_names | st.sampled_from(
        ["name", "type", "fields", "entities", "relations", "entity", "users", "roles", "plans"]
    ), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_values)
def test_no_structure_gives_anything_but_a_spec_error(data: object) -> None:
    with contextlib.suppress(SpecError):
        parse_spec(json.dumps(data), "fuzz.json", json_format=True)
