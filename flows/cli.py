"""The engine's commands: ``maxdp run``, ``maxdp validate``, ``maxdp nodes``.

``register(app)`` adds them to a typer app (the server's CLI adds ``serve``, ``db`` and ``users``
beside them); ``app`` here is the same commands on their own.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from flows.errors import FlowValidationError, MaxDPError
from flows.records import NodeRun, RunEvent, RunResult

__all__ = ["app", "register"]

out = Console()
err = Console(stderr=True)

STATUS_STYLE = {
    "pending": "dim",
    "running": "yellow",
    "succeeded": "green",
    "failed": "bold red",
    "skipped": "dim",
    "canceled": "magenta",
    "timed_out": "magenta",
}


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _load_document(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise _fail(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise _fail(f"--param {pair!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


def _problem_lines(exc: FlowValidationError) -> list[str]:
    return [p["message"] for p in exc.problems]


def validate(flow_file: Annotated[Path, typer.Argument(help="Flow document (JSON).")]) -> None:
    """Check a flow document and list every problem."""
    from flows.graph import validate_flow

    problems = validate_flow(_load_document(flow_file))
    if not problems:
        out.print(f"[green]valid[/green]: {flow_file}")
        return
    for problem in problems:
        err.print(f"- {problem['message']}", markup=False, highlight=False)
    raise _fail(f"{flow_file}: {len(problems)} problem(s)")


def _progress_table(records: dict[str, NodeRun]) -> Table:
    table = Table(title="nodes", title_justify="left", expand=False)
    for column in ("node", "type", "status", "ms", "rows in", "rows out", "note"):
        table.add_column(
            column, justify="right" if column in ("ms", "rows in", "rows out") else "left"
        )
    for rec in records.values():
        running = rec.status == "running"
        note = (rec.error or {}).get("message") or rec.reason or ""
        table.add_row(
            rec.node_id,
            rec.node_type,
            f"[{STATUS_STYLE.get(rec.status, '')}]{rec.status}[/]",
            "" if running or rec.duration_ms is None else f"{rec.duration_ms:.1f}",
            "" if rec.rows_in is None else f"{rec.rows_in:,}",
            "" if rec.rows_out is None else f"{rec.rows_out:,}",
            note[:80],
        )
    return table


def _write_output(result: RunResult, output: Path | None, output_dir: Path | None) -> None:
    from flows.outputs import write_table

    if output is not None:
        if len(result.outputs) != 1:
            names = ", ".join(result.outputs) or "none"
            raise _fail(
                f"--output needs exactly one flow output, this run has: {names}; use --output-dir"
            )
        write_table(next(iter(result.outputs.values())), output)
        out.print(f"wrote {output}")
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        for name, df in result.outputs.items():
            target = output_dir / f"{name}.csv"
            write_table(df, target)
            out.print(f"wrote {target}")


def _services(connections: Path | None) -> dict[str, Any]:
    if connections is None:
        return {}
    from nodes.connections import Connections

    return {"connections": Connections.from_file(connections)}


async def _execute(
    executor: Any, params: dict[str, Any], timeout: float | None, on_event: Any
) -> RunResult:
    try:
        return await executor.run(params, timeout_s=timeout, on_event=on_event)
    finally:
        # Connection pools belong to this event loop: close them before it ends.
        conns = executor.services.get("connections")
        if conns is not None:
            await conns.close()


def run(
    flow_file: Annotated[Path, typer.Argument(help="Flow document (JSON).")],
    param: Annotated[list[str], typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")] = [],  # noqa: B006
    output: Annotated[
        Path | None, typer.Option(help="Write the flow output (.csv, .json, .parquet).")
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option(help="Write each output as NAME.csv here.")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Directory file nodes read and write.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Fail the run after this many seconds.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    connections: Annotated[
        Path | None, typer.Option(help="YAML file of named connections (docs/connections.md).")
    ] = None,
) -> None:
    """Run a flow with live per-node progress, then print timings and row counts."""
    from flows.executor import FlowExecutor

    document = _load_document(flow_file)
    try:
        services = _services(connections)
        executor = FlowExecutor(document, data_dir=data_dir or Path.cwd(), services=services)
    except FlowValidationError as exc:
        for line in _problem_lines(exc):
            err.print(f"- {line}", markup=False, highlight=False)
        raise _fail(f"{flow_file}: invalid flow: {exc.message}") from None
    except MaxDPError as exc:
        raise _fail(exc.message) from None
    records = {nid: NodeRun(nid, executor.graph.specs[nid].type) for nid in executor.graph.order}
    live = (
        Live(
            _progress_table(records),
            console=out,
            transient=False,
            auto_refresh=False,
            redirect_stdout=False,
        )
        if not quiet
        else None
    )

    def on_event(event: RunEvent) -> None:
        if event.node_id is None or live is None:
            return
        rec = records[event.node_id]
        rec.status = event.status or rec.status
        rec.duration_ms = event.data.get("duration_ms", rec.duration_ms)
        rec.rows_in = event.data.get("rows_in", rec.rows_in)
        rec.rows_out = event.data.get("rows_out", rec.rows_out)
        rec.error = event.data.get("error", rec.error)
        rec.reason = event.data.get("reason", rec.reason)
        live.update(_progress_table(records), refresh=True)

    try:
        params = executor.bind_params(_parse_params(param))
        if live is None:
            result = asyncio.run(_execute(executor, params, timeout, None))
        else:
            with live:
                result = asyncio.run(_execute(executor, params, timeout, on_event))
                live.update(_progress_table({r.node_id: r for r in result.nodes}), refresh=True)
            out.print()
    except MaxDPError as exc:
        raise _fail(exc.message) from None
    caught = sum(1 for r in result.nodes if r.status == "failed") if result.succeeded else 0
    out.print(
        f"run {result.run_id[:8]} [{STATUS_STYLE.get(result.status, '')}]{result.status}[/] in "
        f"{result.duration_ms:.1f} ms; outputs: "
        + (", ".join(f"{k} ({len(v):,} rows)" for k, v in result.outputs.items()) or "none")
        + (f"; {caught} failure(s) caught" if caught else ""),
        soft_wrap=True,
    )
    if not result.succeeded:
        error = result.error or {}
        where = (
            f"node {error['node_id']!r} ({error['node_type']}): " if error.get("node_id") else ""
        )
        raise _fail(f"run {result.status}: {where}{error.get('message', '')}")
    _write_output(result, output, output_dir)


def nodes(
    docs: Annotated[bool, typer.Option("--docs", help="Write the node reference instead.")] = False,
    docs_path: Annotated[Path, typer.Option(help="Where --docs writes.")] = Path("docs/nodes.md"),
    as_json: Annotated[bool, typer.Option("--json", help="The catalog as JSON.")] = False,
) -> None:
    """List the node catalog (or write docs/nodes.md from it)."""
    from flows.nodes_doc import render_reference
    from nodes.registry import default_registry

    registry = default_registry()
    if docs:
        docs_path.parent.mkdir(parents=True, exist_ok=True)
        docs_path.write_text(render_reference(registry.catalog()), encoding="utf-8")
        out.print(f"wrote {docs_path} ({len(registry)} nodes)")
        return
    if as_json:
        sys.stdout.write(json.dumps(registry.catalog(), indent=2) + "\n")
        return
    table = Table(title=f"{len(registry)} node types")
    for column in ("type", "category", "inputs", "outputs", "description"):
        table.add_column(column)
    for entry in registry.catalog():
        table.add_row(
            entry["type"],
            entry["category"],
            ", ".join(p["name"] for p in entry["inputs"]),
            ", ".join(p["name"] for p in entry["outputs"]),
            entry["description"],
        )
    out.print(table)


def register(target: typer.Typer) -> None:
    """Add the engine commands to ``target``."""
    target.command("run")(run)
    target.command("validate")(validate)
    target.command("nodes")(nodes)


app = typer.Typer(help="MAX DP flow engine.", no_args_is_help=True, add_completion=False)
register(app)
