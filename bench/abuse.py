"""Abusive clients for bench/abuse.sh: SLOW connections that send a request's headers one line
every DRIP seconds (slowloris) and IDLE connections that send nothing, each reopened as soon as
the server closes it. Prints, every 5 s, how many are open and how many the server closed.

Usage: python3 bench/abuse.py HOST PORT SLOW IDLE DRIP SECONDS   (stdlib only)
"""
import asyncio
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
slow, idle, drip, seconds = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
state = {"open": 0, "closed_by_server": 0, "refused": 0}


async def one(kind, deadline):
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            state["refused"] += 1
            await asyncio.sleep(0.5)
            continue
        state["open"] += 1
        try:
            if kind == "slow":
                writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            i = 0
            while time.monotonic() < deadline:
                if kind == "slow":
                    writer.write(f"X-Slow-{i}: y\r\n".encode())
                    await writer.drain()
                    i += 1
                try:
                    data = await asyncio.wait_for(reader.read(1024), timeout=drip)
                except asyncio.TimeoutError:
                    continue
                if not data:
                    state["closed_by_server"] += 1
                    break
        except (ConnectionError, OSError):
            state["closed_by_server"] += 1
        finally:
            state["open"] -= 1
            writer.close()


async def report(deadline):
    while time.monotonic() < deadline:
        await asyncio.sleep(5)
        print(f"  attackers: {state['open']} open, {state['closed_by_server']} closed by the server, "
              f"{state['refused']} connects refused", flush=True)


async def main():
    deadline = time.monotonic() + seconds
    tasks = [one("slow", deadline) for _ in range(slow)] + [one("idle", deadline) for _ in range(idle)]
    await asyncio.gather(report(deadline), *tasks)


asyncio.run(main())
