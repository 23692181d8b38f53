"""Text any database can hold: no NUL character, no lone surrogate.

PostgreSQL refuses NUL in text, and no driver can encode a lone surrogate (what
`surrogateescape` makes of invalid UTF-8) to UTF-8. Both become U+FFFD, the replacement
character, on every backend alike; JSON columns need nothing, since `json.dumps` escapes
them (`\\u0000`) and gives them back unchanged.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "safe_text"]

REPLACEMENT = "\ufffd"
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def safe_text(text: str | None) -> str | None:
    """`text` with each NUL and lone surrogate replaced by U+FFFD (None stays None)."""
    if text is None:
        return None
    if text.isascii():
        return text.replace("\x00", REPLACEMENT) if "\x00" in text else text
    return _UNSAFE.sub(REPLACEMENT, text)
