"""``bench code`` on a small table: it still measures what it says (its timers wrap the
sandbox's real functions, so a rename there shows here, not in a silent bench)."""

from __future__ import annotations

from bench import bench_code_nodes, code_phases


async def test_the_code_bench_times_every_phase_of_a_real_call() -> None:
    # Large enough for buffers that are copied on two threads and read from the worker.
    results, rates, where = await bench_code_nodes.run(rows=50_000, repeat=4)
    assert [name for name, _, _ in results] == ["small", "light", "heavy"]
    for _, _, times in results:
        assert all(wall > 0 and cpu >= 0 for wall, cpu in times)
    assert [name for name, _, _ in rates] == ["light", "heavy"]
    assert "light 50000, one call" in where and "the two copies took" in where
    # Every phase was timed in the calls (the report lists each with its milliseconds).
    assert all(f"{label} " in where for label, _, _ in code_phases._PHASES), where
