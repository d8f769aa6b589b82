"""Schema pieces shared by every feature: the list envelope and strict request bodies."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Page", "RequestModel", "ResponseModel"]

T = TypeVar("T")


class RequestModel(BaseModel):
    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` and the ``total`` count matching the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int
