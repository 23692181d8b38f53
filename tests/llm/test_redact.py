"""Secrets are masked: configured env values and common key shapes."""

from __future__ import annotations

from devora.llm import MASK, Redactor, redact


def test_masks_values_of_configured_secret_variables() -> None:
    redactor = Redactor(["DB_PASSWORD", "UNSET_VAR"], env={"DB_PASSWORD": "hunter2-longer"})
    assert redactor("connect with hunter2-longer now") == f"connect with {MASK} now"


def test_masks_common_key_patterns() -> None:
    text = (
        "openai sk-proj-AbCdEf0123456789xyz, anthropic sk-ant-api03-abcdefghijklmnop, "
        "header Authorization: Bearer eyJhbGciOi.J9.abc, github ghp_abcdefghijklmnopqrstuvwxyz0123"
    )
    masked = redact(text)
    for secret in ("sk-proj-", "sk-ant-api03", "eyJhbGciOi", "ghp_abc"):
        assert secret not in masked
    assert masked.count(MASK) == 4


def test_leaves_ordinary_text_alone() -> None:
    text = "the task-runner skipped 3 tests; ask-me later"
    assert redact(text, ["ab"]) == text  # too short to be a secret


def test_with_secrets_adds_values() -> None:
    redactor = Redactor(env={}).with_secrets("plain-token-value")
    assert redactor("x plain-token-value y") == f"x {MASK} y"
