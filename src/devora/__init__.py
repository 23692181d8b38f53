"""Devora: durable, observable software-delivery workflows."""

__version__ = "0.1.0"
