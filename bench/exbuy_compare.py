#!/usr/bin/env python3
"""Differential check of two ExBuy builds: seeds a fresh SQLite database for each (same seed),
starts both, sends the same requests (reads with every parameter form, invalid bodies of every
write, then valid writes) and compares status codes and bodies. Times (`*_at`) are dropped and
the servers' addresses masked: seeding stamps rows with the current time.

Usage: bench/exbuy_compare.py OLD_EXBUY NEW_EXBUY
"""
import json
import re
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(binary, folder):
    env = dict(os.environ, EXBUY_DATABASE=f"sqlite://{folder}/exbuy.db", EXBUY_UPLOAD_DIR=f"{folder}/uploads", EXBUY_LOG="error")
    subprocess.run([binary, "seed", "--products", "150", "--orders", "600", "--reviews", "500"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"{binary} did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(base, method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with OPENER.open(request, timeout=30) as r:
            status, raw, headers = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, raw, headers = e.code, e.read(), e.headers
    text = raw.decode("utf-8", "replace").replace(base, "BASE")
    location = (headers.get("Location") or "").replace(base, "BASE")
    try:
        value = normalise(json.loads(text))
    except ValueError:
        value = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "TIME", text)
    return status, value, location, headers.get("x-query-count")


def normalise(value):
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


READS = [
    "/api/", "/api/health", "/api/products/", "/api/products/?page=2", "/api/products/?page=last", "/api/products/?page=0",
    "/api/products/?page=x", "/api/products/?category=books&min_price=10&max_price=500.5", "/api/products/?min_price=abc",
    "/api/products/?max_price=1.234", "/api/products/?ordering=-price", "/api/products/?ordering=bogus", "/api/products/?q=a%25_",
    "/api/products/?ordering=name&q=e", "/api/products/1/", "/api/products/1/?optimize=true", "/api/products/9999/",
    "/api/products/abc/", "/api/products/3/reviews/", "/api/products/3/reviews/?optimize=1", "/api/products/9999/reviews/",
    "/api/products", "/api/orders", "/api/search/products?q=a&in_stock=true", "/api/search/products?category=food",
    "/api/orders/", "/api/orders/?page=6", "/api/orders/?page=7", "/api/orders/5/", "/api/orders/5/?optimize=true",
    "/api/orders/99999/", "/api/reviews/", "/api/reviews/?product_id=3", "/api/reviews/?user_id=x", "/api/reviews/?page=5",
    "/api/reviews/7/", "/api/reviews/99999/", "/api/stats/top-products", "/api/stats/top-products?limit=3",
    "/api/stats/top-products?limit=-1", "/api/stats/top-products?limit=x", "/export/orders/count",
    "/export/orders/count?start_date=2020-01-01&end_date=2030-01-01", "/export/orders/count?start_date=bad",
    "/export/orders/count?start_date=2030-01-01&end_date=2020-01-01", "/export/orders?format=xml", "/export/orders?delimiter=%22",
    "/nothing", "/api/nothing/",
]

INVALID_WRITES = [
    ("POST", "/api/products/", b"{"), ("POST", "/api/products/", {}), ("POST", "/api/products/", [1, 2]),
    ("POST", "/api/products/", {"name": " ", "price": "1.234", "stock": -1, "category": "toys"}),
    ("POST", "/api/products/", {"name": "x" * 201, "price": True, "stock": "3", "category": 5}),
    ("POST", "/api/products/", {"name": 7, "price": "123456789.5", "stock": 3.0}),
    ("POST", "/api/orders/", {}), ("POST", "/api/orders/", {"user_id": "12", "items": []}),
    ("POST", "/api/orders/", {"user_id": -1, "items": {"a": 1}}), ("POST", "/api/orders/", {"user_id": 1.5, "items": "x"}),
    ("POST", "/api/orders/", {"user_id": 1, "items": [{"product_id": 1, "quantity": 1}, 5, {"product_id": "2", "quantity": 0},
                                                       {"quantity": 2000000}, {"product_id": None, "quantity": "3"}]}),
    ("POST", "/api/orders/", {"user_id": 1, "items": [{"product_id": 1, "quantity": 1}] * 101}),
    ("POST", "/api/orders/", {"user_id": 1, "items": [{"product_id": 99999, "quantity": 1}]}),
    ("POST", "/api/orders/", {"user_id": 1, "items": [{"product_id": 1, "quantity": 999999}]}),
    ("POST", "/api/orders/bulk", {}), ("POST", "/api/orders/bulk", {"orders": 3}), ("POST", "/api/orders/bulk", [1]),
    ("POST", "/api/orders/bulk", {"orders": [{"user_id": 1, "items": [{"product_id": 1, "quantity": 1}]}, 7, {"user_id": "x"}]}),
    ("POST", "/api/orders/bulk", {"orders": [{}] * 1001}),
    ("PATCH", "/api/orders/5/", {}), ("PATCH", "/api/orders/5/", {"status": "lost"}), ("PATCH", "/api/orders/5/", {"status": 3}),
    ("PATCH", "/api/orders/5/", {"status": ["a"]}), ("PATCH", "/api/orders/99999/", {"status": "shipped"}),
    ("PATCH", "/api/orders/x/", {"status": "shipped"}),
    ("POST", "/api/inventory/reserve?lock_type=sometimes", {}), ("POST", "/api/inventory/reserve", {}),
    ("POST", "/api/inventory/reserve", {"product_id": "1", "quantity": 0}),
    ("POST", "/api/inventory/reserve", {"product_id": 99999, "quantity": 1}),
    ("POST", "/api/inventory/reserve?lock_type=pessimistic", {"product_id": 99999, "quantity": 1}),
    ("POST", "/api/inventory/reserve", {"product_id": 1, "quantity": 999999}),
    ("POST", "/api/reviews/", {}), ("POST", "/api/reviews/", {"product": " 3", "user_id": "1", "rating": 0, "body": 5}),
    ("POST", "/api/reviews/", {"product": 99999, "user_id": -5, "rating": 6, "body": "  "}),
    ("POST", "/api/reviews/", {"product": [1], "user_id": 1.0, "rating": "5", "body": "x" * 10001}),
    ("DELETE", "/api/products/99999/", None), ("DELETE", "/api/orders/99999/", None), ("PUT", "/api/products/1/", {}),
]

VALID_WRITES = [
    ("POST", "/api/products/", {"name": " Lamp ", "price": 12.5, "category": "home"}),
    ("POST", "/api/orders/", {"user_id": "7", "items": [{"product_id": 2, "quantity": 2}, {"product_id": 3, "quantity": 1}]}),
    ("POST", "/api/orders/bulk", {"orders": [{"user_id": 1, "items": [{"product_id": 4, "quantity": 1}]}] * 3}),
    ("PATCH", "/api/orders/5/", {"status": "shipped"}),
    ("POST", "/api/inventory/reserve?lock_type=pessimistic", {"product_id": 6, "quantity": 1}),
    ("POST", "/api/inventory/reserve", {"product_id": 6, "quantity": 1}),
    ("POST", "/api/reviews/", {"product": "3", "user_id": 9, "rating": 4, "body": "좋아요"}),
    ("GET", "/api/products/3/reviews/", None), ("GET", "/api/stats/top-products", None), ("GET", "/api/products/6/", None),
    ("DELETE", "/api/orders/7/", None), ("DELETE", "/api/products/150/", None), ("GET", "/api/stats/top-products", None),
    ("GET", "/export/orders?format=tsv", None), ("GET", "/export/orders", None),
]


def main():
    old_bin, new_bin = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        old, old_base = start(old_bin, a)
        new, new_base = start(new_bin, b)
        try:
            differences = 0
            requests = [("GET", p, None) for p in READS] + INVALID_WRITES + VALID_WRITES
            for method, path, body in requests:
                before = call(old_base, method, path, body)
                after = call(new_base, method, path, body)
                if before != after:
                    differences += 1
                    print(f"DIFFERENT {method} {path}\n  old: {str(before)[:600]}\n  new: {str(after)[:600]}")
            print(f"{len(requests)} requests, {differences} different")
            return 1 if differences else 0
        finally:
            old.kill()
            new.kill()


if __name__ == "__main__":
    sys.exit(main())
