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


def test_masks_values_assigned_to_secret_names_but_not_token_counts() -> None:
    text = 'api_key = "abcd1234"\n{"password": "hunter22"}\nGITHUB_TOKEN=ghx123456 next'
    assert redact(text) == f'api_key = "{MASK}"\n{{"password": "{MASK}"}}\nGITHUB_TOKEN={MASK} next'
    counts = "usage: input_tokens=1200 max_tokens: 4096 token_count: 12345"
    assert redact(counts) == counts


def test_known_provider_keys_are_masked_by_default() -> None:
    from devora.llm import ProviderOptions, provider_key_variables

    assert "OPENROUTER_API_KEY" in provider_key_variables()
    assert ProviderOptions().redactor.secret_variables == tuple(provider_key_variables())
