#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/churn-client.py HOST PORT RATE SECONDS TIMEOUT: opens RATE short TCP connections a second
for SECONDS, each an HTTP/1.0 GET that the server answers and closes (the server closes first),
and prints one line: attempted ok failed slow max_latency, then the failures by kind.

A connection fails when it does not get a complete "200" answer within TIMEOUT seconds; it is slow
when it took more than 0.9 s (a SYN had to be retransmitted)."""
import asyncio
import collections
import sys
import time


async def one(host, port, timeout, stats):
    t0 = time.monotonic()
    try:
        async def talk():
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
            await writer.drain()
            data = await reader.read()
            writer.close()
            return data
        data = await asyncio.wait_for(talk(), timeout)
        if not data.startswith(b"HTTP/1.1 200") and not data.startswith(b"HTTP/1.0 200"):
            stats["fail:bad-answer"] += 1
            return
        stats["ok"] += 1
    except asyncio.TimeoutError:
        stats["fail:timeout"] += 1
        return
    except OSError as e:
        stats["fail:" + (e.strerror or type(e).__name__).replace(" ", "-")] += 1
        return
    lat = time.monotonic() - t0
    if lat > 0.9:
        stats["slow"] += 1
    stats["max_ms"] = max(stats["max_ms"], int(lat * 1000))


async def main():
    host, port = sys.argv[1], int(sys.argv[2])
    rate, seconds, timeout = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    stats = collections.Counter()
    tasks = []
    start = time.monotonic()
    n = 0
    while True:
        due = start + n / rate
        if due - start >= seconds:
            break
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        tasks.append(asyncio.ensure_future(one(host, port, timeout, stats)))
        n += 1
    await asyncio.gather(*tasks)
    failed = sum(v for k, v in stats.items() if k.startswith("fail:"))
    kinds = ",".join(f"{k[5:]}={v}" for k, v in sorted(stats.items()) if k.startswith("fail:"))
    print(n, stats["ok"], failed, stats["slow"], stats["max_ms"], kinds or "-")


asyncio.run(main())
