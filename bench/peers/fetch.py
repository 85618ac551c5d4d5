"""I/O-bound work the way the classic concurrency tutorial teaches it: COUNT GETs of URL, serially with requests,
with a ThreadPoolExecutor of N threads (one requests.Session per thread), or with asyncio + aiohttp (one session,
at most LIMIT connections: the same 1,000 in flight as a Crew worker's io lane).

usage: fetch.py URL COUNT RUNS MODE   MODE: serial | threads:N | asyncio:LIMIT"""
import asyncio
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import requests

from peerlib import check, emit, fail, timed

local = threading.local()


def get(url):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    with local.session.get(url) as response:
        return response.status_code, len(response.content)


async def get_all(url, count, limit):
    connector = aiohttp.TCPConnector(limit=limit)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one():
            async with session.get(url) as response:
                return response.status, len(await response.read())

        return await asyncio.gather(*(one() for _ in range(count)))


def main():
    if len(sys.argv) != 5:
        fail("usage: fetch.py URL COUNT RUNS MODE")
    url, count, runs, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    kind, _, arg = mode.partition(":")
    if kind == "serial":
        system, work = "python-serial", lambda: [get(url) for _ in range(count)]
    elif kind == "threads":
        executor = ThreadPoolExecutor(max_workers=int(arg))
        list(executor.map(get, [url] * int(arg)))  # warm-up: every thread opens its session
        system, work = f"python-threads-{arg}", lambda: list(executor.map(get, [url] * count))
    elif kind == "asyncio":
        asyncio.run(get_all(url, 10, int(arg)))
        system, work = "python-asyncio", lambda: asyncio.run(get_all(url, count, int(arg)))
    else:
        fail(f"unknown mode {mode!r}")
    for _ in range(runs):
        results, seconds = timed(work)
        check(len(results) == count, f"{len(results)} responses for {count} GETs")
        check(all(status == 200 for status, _ in results), "a GET did not answer 200")
        emit(system, count, seconds)


if __name__ == "__main__":
    main()
