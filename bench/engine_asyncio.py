# SPDX-License-Identifier: Apache-2.0
"""The peer of bench/engine: the same 10,000 playbook runs written the way
a Python SOAR (StackStorm, ThePhish, a home-grown asyncio script) would:
asyncio coroutines, trivial actions on a ThreadPoolExecutor, a dict as
the result cache, and every action run recorded in SQLite (WAL, batched
commits every 50 ms), without an audit chain.

usage: engine_asyncio.py DB N INFLIGHT WORKERS  ->  "key value" lines
"""
import asyncio
import json
import resource
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def echo(value):
    return {"status": "success", "message": "echoed %d bytes" % len(value),
            "data": [{"value": value}], "summary": {"length": len(value)}}


class Engine:
    def __init__(self, db, workers):
        self.db = sqlite3.connect(db, isolation_level=None)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.execute("create table if not exists action_runs (id integer"
                        " primary key, run integer, action text, params"
                        " text, status text, result text, cached integer,"
                        " started integer, finished integer)")
        self.db.execute("begin")
        self.last = time.monotonic()
        self.pool = ThreadPoolExecutor(workers)
        self.cache = {}

    def record(self, run, action, params, res, cached, t0, t1):
        self.db.execute("insert into action_runs (run, action, params,"
                        " status, result, cached, started, finished) values"
                        " (?,?,?,?,?,?,?,?)",
                        (run, action, json.dumps(params), res["status"],
                         json.dumps(res), cached, int(t0 * 1e6),
                         int(t1 * 1e6)))
        if time.monotonic() - self.last > 0.05:
            self.db.execute("commit")
            self.db.execute("begin")
            self.last = time.monotonic()

    async def act(self, run, action, **params):
        t0 = time.time()
        key = (action, json.dumps(params, sort_keys=True))
        res = self.cache.get(key)
        cached = res is not None
        if not cached:
            loop = asyncio.get_running_loop()
            res = await loop.run_in_executor(self.pool, echo,
                                             params["value"])
            self.cache[key] = res
        self.record(run, action, params, res, cached, t0, time.time())
        return res


async def playbook(eng, run):
    for i in range(5):
        r = await eng.act(run, "echo", value="shared-%d" % i)
        assert r["status"] == "success"
    for i in range(5):
        r = await eng.act(run, "echo", value="c%d-%d" % (run, i))
        assert r["status"] == "success"


async def main(db, n, inflight, workers):
    eng = Engine(db, workers)
    sem = asyncio.Semaphore(inflight)
    lat = []

    async def one(i):
        async with sem:
            t0 = time.monotonic()
            await playbook(eng, i)
            lat.append(time.monotonic() - t0)

    t0 = time.monotonic()
    await asyncio.gather(*[one(i) for i in range(n)])
    t1 = time.monotonic()
    eng.db.execute("commit")
    lat.sort()
    print("runs %d\nactions %d\nrun_seconds %.3f" % (n, 10 * n, t1 - t0))
    print("p50_ms %.2f\np99_ms %.2f" % (1e3 * lat[len(lat) // 2],
                                         1e3 * lat[int(len(lat) * .99)]))
    print("maxrss_kib %d" % resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                     int(sys.argv[4])))
