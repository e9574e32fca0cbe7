"""CPU time of a process and everything it started, read from ``/proc`` (Linux).

The server may be one process or several (a front process in front of the dashboard, workers):
whatever ``python -m core serve`` starts is the server's cost. Each process's ``utime + stime``
counts its own threads; ``cutime + cstime`` counts the children it has already waited for, so a
child that ends inside a measured window is still counted once, by its parent.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: str) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None  # ended while we looked
    # the command name (field 2) may hold spaces and brackets: the fields after it are plain
    return raw[raw.rindex(")") + 2 :].split()


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by ``root`` and all its descendants (waited-for children too)."""
    children_of: dict[int, list[int]] = {}
    ticks_of: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        if fields is None:
            continue
        # after the name: state, ppid, ... utime (index 11), stime, cutime, cstime
        children_of.setdefault(int(fields[1]), []).append(int(entry.name))
        ticks_of[int(entry.name)] = sum(int(value) for value in fields[11:15])
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid in children_of.get(frontier.pop(), []) if pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks_of.get(pid, 0) for pid in tree) / CLOCK_TICKS
