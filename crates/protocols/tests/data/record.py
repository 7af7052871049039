#!/usr/bin/env python3
"""Relays TCP connections (or UDP datagrams) between clients and a server and writes
every chunk it relays, as it received it, to a recording:

    <nanoseconds since the epoch> <connection number> <c|s> <bytes as hex>

`c` is what the client sent, `s` what the server sent. A chunk is one recv(): on loopback
that is one write or send of the peer, as the system calls kinsight sees would have it.

    record.py tcp LISTEN_PORT SERVER_PORT OUT_FILE
    record.py udp LISTEN_PORT SERVER_PORT OUT_FILE

It runs until killed (SIGTERM); the file is flushed after each line.
"""
import socket, sys, threading, time, itertools, select

lock = threading.Lock()
counter = itertools.count(1)


def log(out, conn, side, data):
    with lock:
        out.write(f"{time.time_ns()} {conn} {side} {data.hex()}\n")
        out.flush()


def pump(src, dst, out, conn, side):
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        log(out, conn, side, data)
        dst.sendall(data)


def tcp(listen, server, out):
    ls = socket.create_server(("127.0.0.1", listen))
    while True:
        client, _ = ls.accept()
        upstream = socket.create_connection(("127.0.0.1", server))
        conn = next(counter)
        threading.Thread(target=pump, args=(client, upstream, out, conn, "c"), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, out, conn, "s"), daemon=True).start()


def udp(listen, server, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ls.bind(("127.0.0.1", listen))
    # One upstream socket per client address, so that answers go back to the asker.
    ups = {}
    while True:
        ready, _, _ = select.select([ls] + [u for u, _ in ups.values()], [], [])
        for s in ready:
            if s is ls:
                data, addr = ls.recvfrom(65536)
                if addr not in ups:
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.connect(("127.0.0.1", server))
                    ups[addr] = (u, next(counter))
                u, conn = ups[addr]
                log(out, conn, "c", data)
                u.send(data)
            else:
                addr = next(a for a, (u, _) in ups.items() if u is s)
                data = s.recv(65536)
                log(out, ups[addr][1], "s", data)
                ls.sendto(data, addr)


if __name__ == "__main__":
    mode, listen, server, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(path, "a") as out:
        (tcp if mode == "tcp" else udp)(listen, server, out)
