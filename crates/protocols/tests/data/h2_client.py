#!/usr/bin/env python3
"""HTTP/2 GETs with httpx (h2 prior knowledge on plain TCP): several on one connection,
some concurrent. Prints each response's status as `status <code> <path>`.

    h2_client.py PORT
"""
import asyncio, sys

import httpx


async def main(port):
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(http1=False, http2=True, base_url=base) as client:
        paths = ["/", "/items/1", "/missing", "/items/2", "/fail"]
        for p in paths:
            r = await client.get(p)
            print("status", r.status_code, p, r.http_version)
        # Concurrent streams on the one connection.
        rs = await asyncio.gather(*[client.get(f"/items/{i}") for i in range(6)], client.get("/nothing/here"))
        for r in rs:
            print("status", r.status_code, r.url.path, r.http_version)


asyncio.run(main(int(sys.argv[1])))
