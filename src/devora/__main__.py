"""`python -m devora`: the same as the `devora` command."""

from devora.cli import run_command

run_command()
