#!/usr/bin/env python3
"""Time queries.json against a running Twinhub server's GET /api/search, over one keep-alive
HTTP connection, and print the same latency JSON as fts5.py.

    http_queries.py --base http://127.0.0.1:PORT --email E --password P DIR
                    [--limit 20] [--auth auto|token|cookie] [--results FILE]
                    [--compare FTS5_RESULTS]

Authentication (see src/http/accounts.rs and src/http/auth.rs):
  token   POST /api/auth/token {"email","password"} answers {"token", "user"}; every request
          then sends "Authorization: Bearer <token>". This is the API-client login; the
          default (auto) uses it.
  cookie  POST /api/auth/login answers {"user","csrf_token"} and sets the HttpOnly
          `twinhub_session` cookie, which is sent back as a Cookie header. GET requests need
          no X-CSRF-Token. (A browser session's token is refused as a bearer token and vice
          versa, so the two cannot be mixed.)
  auto    token, or cookie if /api/auth/token does not exist (404/405).

Each query of queries.json becomes GET /api/search?kind=people|postings&q=...&limit=N plus one
parameter per filter (people: country, language, subject, member_type, available; postings:
scope, subject, language, age, competence, topic). Every query runs once to warm up, then once
timed; a latency is the time from sending the request to having read the whole body (JSON
decoding and checks are outside it). An answer counts as an error unless it is 200 with a JSON
object holding a list "items" (at most --limit long) and an integer "total" >= len(items).
Errors are counted by kind (HTTP status, "bad_json", "bad_shape", "connection") and never
enter the latencies; 429 (the per-user search rate limit) is called out on stderr. The exit
status is 1 if there was any error.

--compare takes the --results file written by fts5.py and counts the queries whose total
differs from FTS5's (tokenizers differ on some inputs, so a few differences can be expected;
many mean the two engines are not answering the same question).
"""

import argparse
import http.client
import json
import math
import os
import socket
import sys
import time
import urllib.parse


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, math.ceil(p * len(sorted_vals)) - 1)
    return sorted_vals[k]


class Client:
    def __init__(self, base, timeout):
        u = urllib.parse.urlsplit(base)
        if u.scheme != "http":
            raise SystemExit("only http:// bases are supported (one plain keep-alive connection)")
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.timeout = timeout
        self.headers = {"Accept": "application/json"}
        self.conn = None
        self.connects = 0

    def connect(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()
        # no Nagle delay on our side (a request is one write anyway)
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1

    def request(self, method, path, body=None, headers=None):
        """Returns (status, response headers, body bytes, seconds). Reconnects once if the
        kept-alive connection turns out to be closed before anything was answered."""
        h = dict(self.headers)
        if headers:
            h.update(headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.connect()
            try:
                t0 = time.perf_counter_ns()
                self.conn.request(method, self.prefix + path, body=data, headers=h)
                resp = self.conn.getresponse()
                payload = resp.read()
                dt = time.perf_counter_ns() - t0
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as e:
                # a kept-alive connection the server had closed: one retry on a new one
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise ConnectionError(str(e)) from e
                continue
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                raise
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return resp.status, resp.getheaders(), payload, dt
        raise AssertionError("unreachable")


def login(client, mode, email, password):
    creds = {"email": email, "password": password}
    if mode in ("auto", "token"):
        status, _, body, _ = client.request("POST", "/api/auth/token", creds)
        if status == 200:
            token = json.loads(body)["token"]
            client.headers["Authorization"] = "Bearer " + token
            return "token"
        if mode == "token" or status not in (404, 405):
            raise SystemExit(f"POST /api/auth/token answered {status}: {body[:300]!r}")
    status, headers, body, _ = client.request("POST", "/api/auth/login", creds)
    if status != 200:
        raise SystemExit(f"POST /api/auth/login answered {status}: {body[:300]!r}")
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("twinhub_session="):
            cookie = value.split(";", 1)[0]
            client.headers["Cookie"] = cookie
            return "cookie"
    raise SystemExit("POST /api/auth/login set no twinhub_session cookie")


def main():
    ap = argparse.ArgumentParser(description="Time queries.json against GET /api/search")
    ap.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--email", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("dir", help="directory with queries.json (from generate.py)")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--auth", choices=("auto", "token", "cookie"), default="auto")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    ap.add_argument("--results", help="write every query's status, total and item ids here")
    ap.add_argument("--compare", help="fts5.py --results file to compare totals with")
    args = ap.parse_args()

    with open(os.path.join(args.dir, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)
    client = Client(args.base, args.timeout)
    try:
        auth = login(client, args.auth, args.email, args.password)
    except (OSError, http.client.HTTPException) as e:
        raise SystemExit(f"cannot log in at {args.base}: {e}")
    log(f"logged in ({auth})")

    def run(kind, item):
        params = [("kind", kind), ("q", item["q"])]
        params += sorted(item["filters"].items())
        params.append(("limit", str(args.limit)))
        path = "/api/search?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        try:
            status, _, body, dt = client.request("GET", path)
        except (OSError, http.client.HTTPException) as e:
            return "connection", None, None, None, str(e)
        if status != 200:
            return str(status), dt, None, None, body[:200].decode("utf-8", "replace")
        try:
            doc = json.loads(body)
        except ValueError:
            return "bad_json", dt, None, None, body[:200].decode("utf-8", "replace")
        items, total = (doc.get("items"), doc.get("total")) if isinstance(doc, dict) else (None,
                                                                                          None)
        if (not isinstance(items, list) or not isinstance(total, int)
                or isinstance(total, bool) or total < len(items) or len(items) > args.limit):
            return "bad_shape", dt, None, None, body[:200].decode("utf-8", "replace")
        ids = [it.get("id") if isinstance(it, dict) else None for it in items]
        return None, dt, total, ids, None

    latency, results, errors = {}, {}, {}
    warned_429 = False
    for pass_no in (0, 1):
        log("warm-up pass" if pass_no == 0 else "timed pass")
        for kind in ("people", "postings"):
            for shape, variants in queries[kind].items():
                for variant, qs in variants.items():
                    times, rows, errs = [], [], {}
                    for item in qs:
                        err, dt, total, ids, detail = run(kind, item)
                        if err:
                            errs[err] = errs.get(err, 0) + 1
                            if err == "429" and not warned_429:
                                warned_429 = True
                                log("!!! 429 Too Many Requests: the server's per-user search "
                                    "rate limit is too low for this benchmark; raise it in "
                                    "the server config. Results with 429s are not valid.")
                            elif len(errs) == 1 and errs[err] == 1:
                                log(f"  error {err} for {kind} {item}: {detail}")
                        else:
                            times.append(dt)
                        rows.append({"q": item["q"], "filters": item["filters"],
                                     "status": err or "200", "total": total, "ids": ids})
                    for k, v in errs.items():
                        key = f"{'warmup' if pass_no == 0 else 'timed'}:{k}"
                        errors[key] = errors.get(key, 0) + v
                    if pass_no == 0:
                        continue
                    st = sorted(times)
                    lat = {
                        "p50": round(percentile(st, 0.50) / 1000, 1) if st else None,
                        "p99": round(percentile(st, 0.99) / 1000, 1) if st else None,
                        "n": len(st),
                        "mean": round(sum(st) / len(st) / 1000, 1) if st else None,
                        "max": round(st[-1] / 1000, 1) if st else None,
                        "empty": sum(1 for r in rows if r["total"] == 0),
                        "errors": sum(errs.values()),
                    }
                    latency.setdefault(kind, {}).setdefault(shape, {})[variant] = lat
                    results.setdefault(kind, {}).setdefault(shape, {})[variant] = rows
                    log(f"  {kind:8} {shape:11} {variant:8} p50 {lat['p50']!s:>9} us  "
                        f"p99 {lat['p99']!s:>9} us  n {lat['n']}  empty {lat['empty']}  "
                        f"errors {lat['errors']}")

    report = {
        "latency_us": latency,
        "errors": errors,
        "config": {"engine": "twinhub-http", "base": args.base, "auth": auth,
                   "limit": args.limit, "connections_opened": client.connects,
                   "load_average": os.getloadavg()},
    }
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            ref = json.load(f)
        diff = {}
        examples = []
        for kind, shapes in results.items():
            for shape, variants in shapes.items():
                for variant, rows in variants.items():
                    ref_rows = ref[kind][shape][variant]
                    n = 0
                    for mine, theirs in zip(rows, ref_rows):
                        if mine["q"] != theirs["q"] or mine["filters"] != theirs["filters"]:
                            raise SystemExit("--compare: the files are for different queries")
                        if mine["status"] == "200" and mine["total"] != theirs["total"]:
                            n += 1
                            if len(examples) < 10:
                                examples.append({"kind": kind, "q": mine["q"],
                                                 "filters": mine["filters"],
                                                 "ours": mine["total"],
                                                 "fts5": theirs["total"]})
                    diff.setdefault(kind, {}).setdefault(shape, {})[variant] = n
        report["totals_differing_from_fts5"] = diff
        report["totals_differing_examples"] = examples
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False)
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    if errors:
        log(f"ERRORS: {errors}")
        sys.exit(1)


if __name__ == "__main__":
    main()
