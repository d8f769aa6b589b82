"""Fixtures for engine tests."""

from tests.flows.shapes import registry

__all__ = ["registry"]
