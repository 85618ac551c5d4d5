"""CPU-bound work the way the classic concurrency tutorial teaches it: serially, with multiprocessing.Pool.map and
with ProcessPoolExecutor.map (one process per core, default chunk sizes), over COUNT copies of ITEM; pool1 is
Pool.map(chunksize=1), one item per message, as Crew's one-item tasks.

usage: cpu.py TASK ITEM COUNT RUNS MODE[,MODE...]   TASK: fib | sum-squares | noop; MODE: serial | pool | pool1 | ppe
A pool is started and warmed up before its timed runs; the runs time only the map."""
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

from peerlib import FUNCTIONS, check, emit, fail, timed


def main():
    if len(sys.argv) != 6:
        fail("usage: cpu.py TASK ITEM COUNT RUNS MODE[,MODE...]")
    task, item, count, runs, modes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    if task not in FUNCTIONS:
        fail(f"unknown task {task!r}")
    function = FUNCTIONS[task]
    # noop gets distinct items, as Crew's --range gives it; the others repeat one item.
    items = list(range(count)) if task == "noop" else [item] * count
    expected = sum(map(function, items[:1])) if task != "noop" else None
    cores = os.cpu_count()
    for mode in modes.split(","):
        if mode == "serial":
            run(f"python-serial", runs, items, expected, lambda: list(map(function, items)))
        elif mode == "pool":
            with multiprocessing.Pool(cores) as pool:
                pool.map(function, items[: 2 * cores])
                run("python-pool", runs, items, expected, lambda: pool.map(function, items))
        elif mode == "pool1":
            with multiprocessing.Pool(cores) as pool:
                pool.map(function, items[: 2 * cores], chunksize=1)
                run("python-pool-chunk1", runs, items, expected, lambda: pool.map(function, items, chunksize=1))
        elif mode == "ppe":
            with ProcessPoolExecutor(max_workers=cores) as executor:
                list(executor.map(function, items[: 2 * cores]))
                run("python-ppe", runs, items, expected, lambda: list(executor.map(function, items)))
        else:
            fail(f"unknown mode {mode!r}")


def run(system, runs, items, expected, work):
    for _ in range(runs):
        results, seconds = timed(work)
        check(len(results) == len(items), f"{len(results)} results for {len(items)} items")
        if expected is not None:
            check(results[0] == expected and results[-1] == expected, "results differ from the serial value")
        else:
            check(results == items, "noop did not return its items")
        emit(system, len(items), seconds)


if __name__ == "__main__":
    main()
