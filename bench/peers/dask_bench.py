"""Dask distributed on a LocalCluster (one single-threaded worker process per core): client.map over COUNT items,
then gather, for each workload given. TASK noop maps over distinct items (task overhead); fib and sum-squares over
COUNT copies of ITEM. One cluster serves every workload; it is started and warmed up before the timed runs.

usage: dask_bench.py RUNS TASK:ITEM:COUNT..."""
import os
import sys

from dask.distributed import Client, LocalCluster

from peerlib import FUNCTIONS, check, emit, fail, timed


def main():
    if len(sys.argv) < 3:
        fail("usage: dask_bench.py RUNS TASK:ITEM:COUNT...")
    runs = int(sys.argv[1])
    workloads = []
    for spec in sys.argv[2:]:
        task, item, count = spec.split(":")
        if task not in FUNCTIONS:
            fail(f"unknown task {task!r}")
        workloads.append((task, int(item), int(count)))
    cores = os.cpu_count()
    with LocalCluster(
        n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        for task, item, count in workloads:
            function = FUNCTIONS[task]
            items = list(range(count)) if task == "noop" else [item] * count
            client.gather(client.map(function, items[: 2 * cores], pure=False))
            for _ in range(runs):
                results, seconds = timed(lambda: client.gather(client.map(function, items, pure=False)))
                check(len(results) == count, f"{len(results)} results for {count} items")
                if task == "noop":
                    check(results == items, "noop did not return its items")
                emit(f"dask:{task}", count, seconds)


if __name__ == "__main__":
    main()
