"""Celery on Redis, task overhead: COUNT no-op tasks as a group, one task per message, or in chunks of CHUNK items
per message (celery's own chunks primitive). The worker (prefork, one process per core) is started by bench/run.

usage: celery_bench.py COUNT RUNS CHUNK   CHUNK 1: one task per message"""
import sys

from celery import group

from celery_tasks import noop
from peerlib import check, emit, fail, timed


def main():
    if len(sys.argv) != 4:
        fail("usage: celery_bench.py COUNT RUNS CHUNK")
    count, runs, chunk = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    # Waits for the worker to be up, then warms it up with a small group.
    noop.delay(0).get(timeout=120)
    group(noop.s(i) for i in range(100)).apply_async().get(timeout=120)
    if chunk == 1:
        system = "celery"
        work = lambda: group(noop.s(i) for i in range(count)).apply_async().get(timeout=600)
        flatten = lambda results: results
    else:
        system = f"celery-chunks"
        work = lambda: noop.chunks(((i,) for i in range(count)), chunk).group().apply_async().get(timeout=600)
        flatten = lambda results: [x for part in results for x in part]
    for _ in range(runs):
        results, seconds = timed(work)
        check(flatten(results) == list(range(count)), "celery did not return every item")
        emit(system, count, seconds)


if __name__ == "__main__":
    main()
