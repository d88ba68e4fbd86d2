"""What an Idempotency-Key costs a mail send, against the same send without one.

Usage (after scripts/ci_seed.py on the server): python bench_idempotency.py BASE PASSWORD [N]

Sends N mails from Ann to Bob one after another over one keep-alive connection, three ways:
without a key, with a fresh key each, and retrying one key (the replay). Also times GET
/healthz (a store read and nothing else) as the floor of a round trip. Prints p50 and p99 in
milliseconds and each as a ratio to the unkeyed send.
"""

import statistics
import sys
import time
import uuid

import httpx

BASE, PASSWORD = sys.argv[1:3]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
http = httpx.Client(base_url=BASE, timeout=30)


def login(email):
    answer = http.post("/api/auth/token", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return answer.json()["token"], answer.json()["user"]["id"]


ann, _ = login("ann@seed.test")
_, bob_id = login("bob@seed.test")
auth = {"Authorization": f"Bearer {ann}"}
mail = {"to": [bob_id], "subject": "Bench", "body": "A project?"}


def timed(send, expect):
    times = []
    for i in range(N):
        started = time.perf_counter()
        status = send(i)
        times.append((time.perf_counter() - started) * 1000)
        if status != expect:
            raise SystemExit(f"unexpected status {status}")
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]


runs = {
    "GET /healthz (floor)": timed(lambda i: http.get("/healthz").status_code, 200),
    "POST /api/mail, no key": timed(lambda i: http.post("/api/mail", json=mail, headers=auth).status_code, 201),
    "POST /api/mail, fresh key": timed(
        lambda i: http.post("/api/mail", json=mail, headers={**auth, "Idempotency-Key": uuid.uuid4().hex}).status_code, 201
    ),
    "POST /api/mail, replayed key": timed(
        lambda i: http.post("/api/mail", json=mail, headers={**auth, "Idempotency-Key": "replayed"}).status_code, 201
    ),
}
base50, base99 = runs["POST /api/mail, no key"]
print(f"{N} requests each, sequential, one connection")
print(f"{'request':32} {'p50 ms':>8} {'p99 ms':>8} {'p50 / no key':>13}")
for name, (p50, p99) in runs.items():
    print(f"{name:32} {p50:8.2f} {p99:8.2f} {p50 / base50:13.2f}")
