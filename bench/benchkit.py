"""What the benchmarks share: placeholder credentials, free ports, percentiles, helper processes, the
machine's load and a migrated database of their own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.storage import database, migrate

SECRET = "bench0signing0secret0000000000000"  # noqa: S105 (a local benchmark value)
TOKEN = "xoxb-benchmark-placeholder"  # noqa: S105 (not a real token: the benchmarks talk to a fake Slack)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def start_helper(script: str, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Run `script` with `args` in a process of its own until it prints a line starting with "ready";
    returns the process and the rest of that line."""
    process = subprocess.Popen(  # noqa: S603 (a benchmark script, started by the benchmark)
        [sys.executable, script, *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready, *rest = process.stdout.readline().split()
    if ready != "ready":
        process.kill()
        raise RuntimeError(f"{script} {' '.join(args)} did not start")
    return process, rest


def stop_helper(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux: /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> dict[int, float]:
    """CPU time used so far by each PostgreSQL server process on this machine (its backends included)."""
    used = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if (entry / "comm").read_text().strip() == "postgres":
                    used[int(entry.name)] = cpu_seconds(int(entry.name))
    return used


def cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU seconds used between two readings of the same processes; a process started in between counts
    from zero, one that ended in between is left out."""
    return sum(used - before.get(pid, 0.0) for pid, used in now.items())


async def settled_cpu(pid: int, quiet_for: float = 0.5) -> float:
    """The process's CPU time once it has stopped using any for `quiet_for` seconds: the work a request
    leaves running after its answer counts too."""
    last = cpu_seconds(pid)
    while True:
        await asyncio.sleep(quiet_for)
        now = cpu_seconds(pid)
        if now == last:
            return now
        last = now


def machine_load() -> str:
    """The load averages (1, 5, 15 min) and the number of CPUs, to print beside a figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs"


@asynccontextmanager
async def database_at(url: str | None) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database: a temporary SQLite file (no `url`), the SQLite file of `url`, or a
    PostgreSQL schema of its own, dropped after."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            async with database_at(f"sqlite:///{Path(folder) / 'bench.db'}") as engine:
                yield engine
        return
    if not url.startswith("postgres"):
        engine = database.create_engine(url)
        await migrate.upgrade(engine)
        yield engine
        await engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = database.create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = database.create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate.upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
