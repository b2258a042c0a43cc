"""Opens N SSE streams to a running Meetifyr, sends it SIGTERM, and times its exit.
Usage: live_shutdown.py HOST PORT SERVER_PID N   (the server must be this user's process)"""
import asyncio, json, os, signal, sys, time, urllib.request

host, port, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base = f"http://{host}:{port}/v1"
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None
code = call("POST", "/meetings")["url_code"]

async def stream():
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /v1/meetings/{code}/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    await writer.drain()
    await reader.readuntil(b"\n\n")  # headers and the first event
    return reader, writer

async def main():
    conns = []
    for i in range(0, n, 100):
        conns += await asyncio.gather(*[stream() for _ in range(min(100, n - i))])
    print(f"{len(conns)} streams open")
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if os.path.exists(f"/proc/{pid}/stat") and open(f"/proc/{pid}/stat").read().split()[2] == "Z":
            break
        await asyncio.sleep(0.01)
    print(f"exited {time.monotonic() - t0:.2f} s after SIGTERM with {len(conns)} open streams")

asyncio.run(main())
