#!/usr/bin/env python3
"""Crash-recovery driver (bench/recovery/run.sh). Standard library only.

The service runs with its default delivery settings (SHIXIN_WEBHOOK_LEASE and the rest unset), one
airline subscriber with WEBHOOKS webhooks on a receiver in this process that answers each request
after DELAY_MS. Each round writes EVENTS_PER_WEBHOOK / 2 person listings (two events each, so every
webhook gets EVENTS_PER_WEBHOOK deliveries), waits until a quarter of the deliveries arrived, and then:
  restart   one delivering process, killed with SIGKILL and started again at once;
  takeover  two delivering processes, one killed (started again only after the round).
Measured per round, from the receiver's arrival times, for the webhooks still owed deliveries at the
kill: the longest silence of a webhook across the kill (its last request before, its first after),
the time from the restarted process's readiness (restart) or from the kill (takeover) until every
such webhook was sent to again, and until the last owed delivery arrived; a delivery never arriving
is a failure. The baseline of the same run: the drain time the pre-kill sending rate predicts for
what was left.
Prints one JSON document.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "watchlist"))
from driver import listing, make_id  # noqa: E402  (the watch-list driver's request builders)

BIN = os.environ.get("SHIXIN_BIN", "target/release/shixin")
OUT = os.environ.get("OUT", "target/bench-recovery")
WEBHOOKS = int(os.environ.get("WEBHOOKS", "10"))
EVENTS = int(os.environ.get("EVENTS_PER_WEBHOOK", "40"))
DELAY = int(os.environ.get("DELAY_MS", "100")) / 1000
ROUNDS = int(os.environ.get("ROUNDS", "3"))
PORTS = (18121, 18122)
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", os.environ["BENCH_DB"], "-Atc"]

arrivals = []  # (monotonic time, path, webhook-id)
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            arrivals.append((time.monotonic(), self.path, self.headers.get("webhook-id")))
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


servers = {}


def start(port):
    env = dict(os.environ, SHIXIN_BIND=f"127.0.0.1:{port}", REDIS_URL="none",
               SHIXIN_TICK_INTERVAL="off", SHIXIN_WEBHOOK_ALLOW_PRIVATE="true",
               RUST_LOG=os.environ.get("RUST_LOG", "warn"))
    log = open(f"{OUT}/serve-{port}.log", "a")
    servers[port] = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return time.monotonic()
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"the service on port {port} did not start; see {OUT}/serve-{port}.log")


def kill(port):
    servers[port].send_signal(signal.SIGKILL)
    servers[port].wait()
    return time.monotonic()


def call(port, method, path, token, body, want):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode())
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        if r.status != want:
            raise SystemExit(f"{method} {path}: {r.status}")
        return json.loads(r.read())


def mint(*args):
    return subprocess.check_output([BIN, "token", *args], text=True).strip()


def oauth(port, client_id, secret):
    import base64
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/oauth/token",
                                 data=b"grant_type=client_credentials", method="POST")
    req.add_header("Authorization", "Basic " + base64.b64encode(
        f"{client_id}:{secret}".encode()).decode())
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["access_token"]


def owed():
    """Every (webhook path, event id) the queue holds, delivered or not."""
    out = subprocess.check_output(PSQL + [
        "SELECT substring(w.url from '/h[0-9]+$') || ' ' || e.id FROM webhook_deliveries d "
        "JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq"], text=True)
    return {tuple(line.split(" ")) for line in out.split("\n") if line}


def one_round(n, scenario, court):
    with lock:
        arrivals.clear()
    before = owed()
    first = 1000 * (n + 1)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: call(PORTS[0], "POST", "/v1/listings", court, listing(
            first + i, make_id("110105", f"197001{n + 1:02d}", i + 1)), 201),
            range(EVENTS // 2)))
    want = owed() - before
    t0 = time.monotonic()
    while True:
        with lock:
            if len(arrivals) >= len(want) // 4:
                break
        if time.monotonic() - t0 > 60:
            raise SystemExit("deliveries did not start")
        time.sleep(0.005)
    t_kill = kill(PORTS[0])
    t_from = start(PORTS[0]) if scenario == "restart" else t_kill
    with lock:
        pre = list(arrivals)
    got_before = {(p, i) for _, p, i in pre}
    behind = {p for p, _ in want - got_before}
    deadline = time.monotonic() + 120
    while True:
        with lock:
            got = {(p, i) for _, p, i in arrivals}
        if want <= got:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(want - got)} deliveries never arrived")
        time.sleep(0.01)
    with lock:
        seen = list(arrivals)
    resumed, gaps = [], []
    for p in behind:
        mine = [t for t, q, _ in seen if q == p]
        after = min(t for t in mine if t > t_kill)
        last_before = max((t for t in mine if t <= t_kill), default=t0)
        resumed.append(after - t_from)
        gaps.append(after - last_before)
    first_arrival = min(t for t, _, _ in pre)
    rate = len(pre) / max(t_kill - first_arrival, 1e-3)
    left = len(want - got_before)
    ids = [(p, i) for _, p, i in seen]
    if scenario == "takeover":
        start(PORTS[0])
    return {
        "scenario": scenario, "deliveries": len(want), "owed_at_kill": left,
        "webhooks_owed": len(behind),
        "longest_silence_s": round(max(gaps), 3),
        "all_resumed_s": round(max(resumed), 3),
        "last_owed_delivery_s": round(max(t for t, _, _ in seen) - t_from, 3),
        "drain_predicted_s": round(left / rate, 3),
        "duplicates": len(ids) - len(set(ids)),
    }


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        start(PORTS[0])
        admin, court = mint("--role", "admin"), mint("--role", "court", "--court", "京0105")
        s = call(PORTS[0], "POST", "/v1/subscribers", admin,
                 {"name": "bench airline", "sector": "airline"}, 201)
        token = oauth(PORTS[0], s["client_id"], s["client_secret"])
        for k in range(WEBHOOKS):
            call(PORTS[0], "POST", "/v1/webhooks", token, {"url": f"{hook}/h{k}"}, 201)
        rounds = []
        for n in range(ROUNDS):
            rounds.append(one_round(2 * n, "restart", court))
            print(rounds[-1], file=sys.stderr)
            start(PORTS[1])
            rounds.append(one_round(2 * n + 1, "takeover", court))
            print(rounds[-1], file=sys.stderr)
            kill(PORTS[1])
        worst = {k: max(r[k] for r in rounds)
                 for k in ("longest_silence_s", "all_resumed_s", "last_owed_delivery_s")}
        print(json.dumps({"webhooks": WEBHOOKS, "events_per_webhook": EVENTS,
                          "receiver_delay_ms": int(DELAY * 1000), "rounds": rounds,
                          "worst": worst, "under_5s": worst["last_owed_delivery_s"] < 5}, indent=1))
    finally:
        for p in servers.values():
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
