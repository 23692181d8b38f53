"""The tool layer of the migration workflow: sources, lint, snapshots, backup, dry-run, apply."""
