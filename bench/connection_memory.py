"""Server memory per open connection, by kind: `idle` (TCP connected, nothing sent), `health`
(one GET /health, then kept alive), `sse` (a live stream of a meeting). Reads the server's VmRSS
from /proc before and after opening N connections.
Usage: connection_memory.py HOST PORT SERVER_PID N idle|health|sse"""
import asyncio, json, sys, urllib.request
host, port, pid, n, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
base = f"http://{host}:{port}/v1"
def rss():
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmRSS"): return int(l.split()[1])
# One meeting per 500 streams: a meeting takes at most --live-max-per-meeting (1,000) watchers.
def meeting():
    req = urllib.request.Request(base + "/meetings", method="POST")
    return json.loads(urllib.request.urlopen(req).read())["url_code"]
codes = [meeting() for _ in range(max(1, (n + 499) // 500))] if mode == "sse" else []
async def conn(i):
    r, w = await asyncio.open_connection(host, port)
    if mode == "sse":
        w.write(f"GET /v1/meetings/{codes[i // 500]}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode()); await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            sys.exit(f"stream {i} refused: {head.splitlines()[0].decode()}")
        await r.readuntil(b"\n\n")  # the snapshot frame
    elif mode == "health":
        w.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); await w.drain(); await r.read(200)
    return r, w
async def main():
    before = rss(); conns = []
    for i in range(0, n, 100):
        conns += await asyncio.gather(*[conn(j) for j in range(i, min(i + 100, n))])
    await asyncio.sleep(1)
    after = rss()
    print(f"{mode}: {n} connections, RSS {before/1024:.1f} -> {after/1024:.1f} MiB, {(after-before)/n:.1f} KB each")
asyncio.run(main())
