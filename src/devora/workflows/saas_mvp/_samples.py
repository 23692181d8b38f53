"""Values a check types into a generated app: one per field type, recognisable in its output."""

from __future__ import annotations

from typing import Any

from devora.workflows.saas_mvp._spec import EntitySpec, FieldType, ProductSpec

__all__ = ["CHECK_PASSWORD", "check_email", "first_creatable", "sample_values"]

CHECK_PASSWORD = "Devora-check-2718"  # long enough for any password_min_length up to 17

_SAMPLES: dict[FieldType, Any] = {
    FieldType.INT: 7,
    FieldType.FLOAT: 1.5,
    FieldType.BOOL: True,
    FieldType.DATE: "2024-05-17",
    FieldType.DATETIME: "2024-05-17T10:30:00",
    FieldType.MONEY: "12.50",
}


def check_email(tag: str) -> str:
    """A sign-up address for one check (`tag` keeps two checks' users apart)."""
    return f"devora-{tag}@example.com"


def first_creatable(spec: ProductSpec) -> EntitySpec:
    """The first entity that needs no other row to exist (no required relation)."""
    for entity in spec.entities:
        if not any(relation.required for relation in entity.relations):
            return entity
    return spec.entities[0]  # unreachable for a checked spec: relations have no cycles


def sample_values(entity: EntitySpec, marker: str) -> dict[str, Any]:
    """A value for every field; text fields carry `marker` so the row can be found again."""
    values: dict[str, Any] = {}
    for field in entity.fields:
        if field.type in _SAMPLES:
            values[field.name] = _SAMPLES[field.type]
        elif field.type is FieldType.EMAIL:
            values[field.name] = f"{marker}@example.com"
        elif field.type is FieldType.URL:
            values[field.name] = f"https://example.com/{marker}"
        else:
            values[field.name] = f"{marker} {field.name}"
    return values
