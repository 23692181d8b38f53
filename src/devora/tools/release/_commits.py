"""Commits as read from ``git log``: hash, parents, subject and body."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["LOG_FORMAT", "Commit", "parse_log"]

# One record per commit with -z: fields separated by NUL, records by NUL too, so a
# record is always exactly four fields whatever the message contains.
LOG_FORMAT = "%H%x00%P%x00%s%x00%b"
_FIELDS = 4


class Commit(BaseModel):
    """One commit: its full hash, parent hashes, subject line and body."""

    model_config = ConfigDict(frozen=True)

    hash: str
    parents: tuple[str, ...] = ()
    subject: str
    body: str = ""

    @property
    def short_hash(self) -> str:
        """The first 7 characters of the hash."""
        return self.hash[:7]

    @property
    def is_merge(self) -> bool:
        """True when the commit has more than one parent."""
        return len(self.parents) > 1

    @property
    def message(self) -> str:
        """Subject and body as one message."""
        return f"{self.subject}\n\n{self.body}" if self.body else self.subject


def parse_log(output: str) -> list[Commit]:
    """Parse ``git log -z --format=LOG_FORMAT`` output, in the order git printed it."""
    if not output:
        return []
    fields = output.removesuffix("\x00").split("\x00")
    if len(fields) % _FIELDS:
        raise ValueError(f"git log output has {len(fields)} fields, not a multiple of {_FIELDS}")
    commits = []
    for start in range(0, len(fields), _FIELDS):
        hash_, parents, subject, body = fields[start : start + _FIELDS]
        commits.append(
            Commit(
                hash=hash_.strip(),
                parents=tuple(parents.split()),
                subject=subject,
                body=body.strip("\n"),
            )
        )
    return commits
