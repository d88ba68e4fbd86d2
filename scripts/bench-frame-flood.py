#!/usr/bin/env python3
"""Server memory under oversized WebSocket frames (issue 15, item 2).

Starts a twinhub binary on a fresh temporary store, opens SOCKETS raw WebSockets and reads
the server's VmRSS with them idle (the floor); then each socket sends a header declaring a
2^40-byte text frame and streams up to STREAM_MB of payload, all at once, while the server's
VmRSS is sampled every 10 ms. Done twice: sockets that have not authenticated, and sockets
authenticated with a token (an administrator made with `twinhub admin create`). Prints a
Markdown table row per round: RSS idle, peak RSS while streaming, RSS after, bytes the
clients got into the connection before the server closed it, and the close codes received.

    cargo build --release --bin twinhub
    scripts/bench-frame-flood.py                        # target/release/twinhub, 20 sockets
    scripts/bench-frame-flood.py --bin target/debug/twinhub --sockets 20 --stream-mb 10
    scripts/bench-frame-flood.py --idle-sockets 5000   # only: RSS per idle authenticated socket

Linux only (/proc/<pid>/status). Standard library only.
"""

import argparse
import http.client
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ADMIN_EMAIL = "flood-admin@example.org"
ADMIN_PASSWORD = "flood-admin-password"
HANDSHAKE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def client_frame(payload):
    """A masked text frame with a zero key (valid; the payload stays as is)."""
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + b"\0\0\0\0" + payload


def start_server(binary, store):
    env = dict(os.environ)
    env.update(
        TWINHUB_STORE__LOAD_DEMO_ON_EMPTY="false",
        TWINHUB_STORE__PATH=f"{store}/data",
        TWINHUB_SEARCH__INDEX_DIR=f"{store}/index",
        TWINHUB_MAIL__OUTBOX_DIR=f"{store}/outbox",
        TWINHUB_SERVER__BIND="127.0.0.1:0",
        TWINHUB_SERVER__SHUTDOWN_TIMEOUT_SECS="1",
        TWINHUB_LOG__FILTER="warn",
    )
    subprocess.run(
        [binary, "admin", "create", "--email", ADMIN_EMAIL, "--name", "Flood Admin", "--country", "FR"],
        input=ADMIN_PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
    )
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        m = re.search(r"listening on (?:http://)?127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, int(m.group(1))
    raise RuntimeError("the server did not announce its address")


def token(port):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    conn.request("POST", "/api/auth/token", body, {"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    return answer["token"]


def read_until(s, needle, buf=b""):
    while needle not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError(f"closed before {needle!r}")
        buf += chunk
    return buf


def open_socket(port, auth_token):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    s.sendall(HANDSHAKE)
    rest = read_until(s, b"\r\n\r\n").split(b"\r\n\r\n", 1)[1]
    if auth_token:
        frame = {"v": 1, "type": "auth", "id": "a", "token": auth_token}
        s.sendall(client_frame(json.dumps(frame).encode()))
        read_until(s, b'"type":"result"', rest)
    return s


def close_code(s):
    """Reads server frames until a close frame; its code, or None if the connection ended."""
    buf = b""
    while True:
        while len(buf) >= 2:
            n = buf[1] & 0x7F
            start = 4 if n == 126 else 2
            if n == 126 and len(buf) >= 4:
                n = struct.unpack(">H", buf[2:4])[0]
            if len(buf) < start + n:
                break
            if buf[0] & 0x0F == 0x8:
                return struct.unpack(">H", buf[start:start + 2])[0] if n >= 2 else None
            buf = buf[start + n:]
        try:
            chunk = s.recv(4096)
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk


def flood(s, stream_bytes, result):
    """Declares a 2^40-byte frame and streams its payload until the server stops taking it."""
    codes = []
    reader = threading.Thread(target=lambda: codes.append(close_code(s)))
    reader.start()
    s.sendall(b"\x81\xff" + struct.pack(">Q", 1 << 40) + b"\0\0\0\0")
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent < stream_bytes and reader.is_alive():
            sent += s.send(chunk)
    except OSError:
        pass
    reader.join(15)
    result.append((sent, codes[0] if codes else None))


def round_(pid, port, sockets, stream_bytes, auth_token):
    conns = [open_socket(port, auth_token) for _ in range(sockets)]
    time.sleep(1)
    idle = rss_kb(pid)
    results, peak, done = [], [idle], threading.Event()

    def sample():
        while not done.is_set():
            peak.append(rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    floods = [threading.Thread(target=flood, args=(c, stream_bytes, results)) for c in conns]
    for t in floods:
        t.start()
    for t in floods:
        t.join()
    time.sleep(1)
    done.set()
    sampler.join()
    after = rss_kb(pid)
    for c in conns:
        c.close()
    sent = sum(r[0] for r in results)
    codes = sorted({str(r[1]) for r in results})
    return idle, max(peak), after, sent, codes


def idle_cost(pid, port, sockets, auth_token):
    """KiB of server RSS per idle authenticated socket (needs an open-file limit above it)."""
    time.sleep(1)
    before = rss_kb(pid)
    conns = [open_socket(port, auth_token) for _ in range(sockets)]
    time.sleep(2)
    after = rss_kb(pid)
    for c in conns:
        c.close()
    return (after - before) / sockets


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/twinhub")
    ap.add_argument("--sockets", type=int, default=20)
    ap.add_argument("--stream-mb", type=float, default=10, help="payload each socket tries to stream")
    ap.add_argument("--idle-sockets", type=int, default=0, help="measure only the RSS per idle socket")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as store:
        proc, port = start_server(args.bin, store)
        try:
            auth_token = token(port)
            if args.idle_sockets:
                cost = idle_cost(proc.pid, port, args.idle_sockets, auth_token)
                print(f"{args.bin}: {args.idle_sockets} idle authenticated sockets: {cost:.2f} KiB each")
                return
            print(f"{args.bin}: {args.sockets} sockets, each streaming up to {args.stream_mb} MB\n")
            print("| sockets | RSS idle (MB) | peak RSS streaming (MB) | RSS after (MB) | bytes taken by the connections (MB) | close codes |")
            print("|---|---|---|---|---|---|")
            for name, tok in (("not authenticated", None), ("authenticated", auth_token)):
                idle, peak, after, sent, codes = round_(proc.pid, port, args.sockets, int(args.stream_mb * 1e6), tok)
                print(f"| {args.sockets} {name} | {idle / 1024:.1f} | {peak / 1024:.1f} | {after / 1024:.1f} "
                      f"| {sent / 1e6:.1f} | {', '.join(codes)} |")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    sys.exit(main())
