"""Prometheus metrics on a registry of the app's own (created in the lifespan, never the global
default one, so two apps in one process, as in the tests, do not share counters).

>>> m = Metrics()
>>> m.executions.labels("orders", "succeeded").inc()
>>> m.scheduler_fires.inc()
>>> text = m.render().decode()
>>> 'maxdp_executions_total{endpoint="orders",status="succeeded"} 1.0' in text
True
>>> "maxdp_scheduler_fires_total 1.0" in text
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["Metrics", "router"]

# /execute answers in about a millisecond when cached; the tail reaches the run timeout.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)


class _Callbacks(Collector):
    """Values read when Prometheus scrapes (cache counters, runs in flight): nothing to keep in
    sync on the hot path."""

    def __init__(self) -> None:
        self._metrics: list[tuple[str, str, str, Callable[[], Mapping[str, float] | float]]] = []

    def add(
        self, kind: str, name: str, doc: str, read: Callable[[], Mapping[str, float] | float]
    ) -> None:
        self._metrics.append((kind, name, doc, read))

    def collect(self) -> Iterator[Metric]:
        for kind, name, doc, read in self._metrics:
            value = read()
            family: Any
            if isinstance(value, Mapping):
                # A mapping is one labelled series per key; the label is named in the name.
                name, _, label = name.partition(":")
                family = (CounterMetricFamily if kind == "counter" else GaugeMetricFamily)(
                    name, doc, labels=[label]
                )
                for key, number in value.items():
                    family.add_metric([key], number)
            elif kind == "counter":
                family = CounterMetricFamily(name, doc, value=value)
            else:
                family = GaugeMetricFamily(name, doc, value=value)
            yield family


class Metrics:
    """Every metric the server exports. Other features increment what is theirs here, e.g. the
    scheduler: ``state.metrics.scheduler_fires.inc()``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.executions = Counter(
            "maxdp_executions",
            "Runs of published endpoints, by endpoint and final run status.",
            ["endpoint", "status"],
            registry=r,
        )
        self.rejections = Counter(
            "maxdp_execute_rejections",
            "Calls of published endpoints refused before running (401, 403, 422, 429 ...).",
            ["endpoint", "code"],
            registry=r,
        )
        self.latency = Histogram(
            "maxdp_execution_duration_seconds",
            "Time from receiving an /execute call to its answer (synchronous endpoints).",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.scheduler_fires = Counter(
            "maxdp_scheduler_fires", "Schedule fires started by this process.", registry=r
        )
        self.records_written = Counter(
            "maxdp_run_records_written", "Run records written by the batch recorder.", registry=r
        )
        self.records_dropped = Counter(
            "maxdp_run_records_dropped",
            "Run records dropped because the database stayed unreachable and the queue was full.",
            registry=r,
        )
        self._callbacks = _Callbacks()
        r.register(self._callbacks)

    def watch(
        self, kind: str, name: str, doc: str, read: Callable[[], Mapping[str, float] | float]
    ) -> None:
        """Export ``read()`` at every scrape. ``kind`` is counter or gauge; a mapping result is
        one series per key, labelled with the part of ``name`` after a colon
        (``maxdp_x_total:reason``)."""
        self._callbacks.add(kind, name, doc, read)

    def render(self) -> bytes:
        return generate_latest(self.registry)


router = APIRouter(tags=["system"])


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus text format. No login (like /health): restrict it at the proxy if needed."""
    return Response(request.app.state.maxdp.metrics.render(), media_type=CONTENT_TYPE_LATEST)
