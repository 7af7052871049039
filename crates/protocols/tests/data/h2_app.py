"""The HTTP/2 server of record.sh: an ASGI app for hypercorn (h2 prior knowledge and h2c
upgrade on plain TCP). `/` and `/items/N` answer 200, `/fail` 503, anything else 404."""


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/" or path.startswith("/items/"):
        status, body = 200, b"kinsight " * 40
    elif path == "/fail":
        status, body = 503, b"unavailable"
    else:
        status, body = 404, b"not found"
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
