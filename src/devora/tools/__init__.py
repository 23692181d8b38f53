"""Adapters that drive real tools through their machine-readable output."""

from devora.tools._finding import Finding, Level

__all__ = ["Finding", "Level"]
