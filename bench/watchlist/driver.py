#!/usr/bin/env python3
"""Watch-list push benchmark driver (bench/watchlist/run.sh). Standard library only.

Against a running `shixin serve` (SHIXIN_URL) with a fresh database, and a receiver in this process:
  1. setup: two finance subscribers, ALL (scope all) and WATCH (scope watchlist), one webhook each on
     the receiver (/all, /watch); WATCH's webhook starts disabled.
  2. load: WATCHED (1,000,000) subjects put on WATCH's list, 10,000 per call, from 4 clients; among
     them the debtors of every other change of phase 2.
  3. unfiltered phases: person listings (each a listing.published and a restriction.imposed) from
     WRITERS writers; only ALL's webhook is enabled and gets every event. Time from the first write
     to the last delivery recorded.
  4. filtered phases: only WATCH's webhook enabled; new listings the same way. WATCH must get
     exactly the events of the watched half, and nothing else.
  The phases alternate ROUNDS (2) times each, CHANGES / ROUNDS changes per phase, so the database
  growing during the run weighs on both alike.
Prints one JSON document.
"""
import datetime
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

URL = os.environ.get("SHIXIN_URL", "http://127.0.0.1:18096").rstrip("/")
BIN = os.environ.get("SHIXIN_BIN", "target/release/shixin")
CHANGES = int(os.environ.get("CHANGES", "10000"))
WRITERS = int(os.environ.get("WRITERS", "16"))
WATCHED = int(os.environ.get("WATCHED", "1000000"))
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", os.environ["BENCH_DB"], "-Atc"]

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def make_id(region, birth, seq):
    body = f"{region}{birth}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, W)) % 11]


def subject_id(n):
    """The n-th distinct ID number (n < 3,650,000): a birth date and a sequence number."""
    day = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 999)
    return make_id("110105", day.strftime("%Y%m%d"), n % 999 + 1)


received = {"/all": [], "/watch": []}
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        e = json.loads(body)
        with lock:
            received.setdefault(self.path, []).append(
                (time.monotonic(), e["type"], e["data"].get("listing_id")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def call(method, path, token, body=None, want=(200,)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if status not in want:
        raise SystemExit(f"{method} {path}: {status} {text[:300]!r}")
    return json.loads(text) if text else None


def mint(*args):
    return subprocess.check_output([BIN, "token", *args], text=True).strip()


def oauth(client_id, secret):
    import base64
    req = urllib.request.Request(URL + "/v1/oauth/token", data=b"grant_type=client_credentials",
                                 method="POST")
    req.add_header("Authorization", "Basic " + base64.b64encode(
        f"{client_id}:{secret}".encode()).decode())
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["access_token"]


def listing(n, id_number):
    today = datetime.date.today()
    decided, filed = today - datetime.timedelta(days=30), today - datetime.timedelta(days=90)
    return {"debtor": {"kind": "person", "name": "张三", "id_number": id_number},
            "associated_persons": [], "court_code": "京0105",
            "case_number": f"（{filed.year}）京0105执{n}号", "filed_on": str(filed),
            "basis": {"document_number": "（2025）京0105民初5678号", "issuer": "北京市朝阳区人民法院"},
            "obligation": "支付货款人民币100000元及利息", "performance": "none",
            "grounds": ["violates_asset_reporting"], "extension_years": 0,
            "decided_on": str(decided), "grace_until": None, "initiated_by": "court"}


def pending():
    return int(subprocess.check_output(
        PSQL + ["SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'"], text=True))


def phase(court, first, subjects):
    """Posts one listing per subject from WRITERS writers; waits for every delivery."""
    start = time.monotonic()
    with ThreadPoolExecutor(WRITERS) as pool:
        ids = list(pool.map(lambda i: call("POST", "/v1/listings", court,
                                           listing(first + i, subjects[i]), (201,))["id"],
                            range(len(subjects))))
    written = time.monotonic()
    while pending() > 0:
        time.sleep(0.05)
    done = time.monotonic()
    return ids, {"changes": len(subjects), "write_seconds": round(written - start, 2),
                 "changes_per_second": round(len(subjects) / (written - start), 1),
                 "delivered_seconds": round(done - start, 2)}


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}"
    admin, court = mint("--role", "admin"), mint("--role", "court", "--court", "京0105")
    tokens = {}
    for name, scope in (("all", "all"), ("watch", "watchlist")):
        s = call("POST", "/v1/subscribers", admin,
                 {"name": f"bench {name}", "sector": "finance", "scope": scope}, (201,))
        tokens[name] = oauth(s["client_id"], s["client_secret"])
    hooks = {n: call("POST", "/v1/webhooks", tokens[n], {"url": f"{hook}/{n}"}, (201,))["id"]
             for n in ("all", "watch")}
    call("PATCH", f"/v1/webhooks/{hooks['watch']}", tokens["watch"], {"enabled": False})

    # The phases alternate, unfiltered (ALL's webhook on) and filtered (WATCH's on), ROUNDS times
    # each, CHANGES / ROUNDS changes per phase, so that the database growing during the run weighs
    # on both alike. Each phase has its own subjects; in the filtered ones every other one is
    # watched. The rest of the list: subjects no change touches.
    rounds = int(os.environ.get("ROUNDS", "2"))
    per = CHANGES // rounds
    subjects = {(k, r): [subject_id((2 * r + (k == "watch")) * per + i) for i in range(per)]
                for k in ("all", "watch") for r in range(rounds)}
    watched = [x for r in range(rounds) for x in subjects[("watch", r)][::2]]
    rest = WATCHED - len(watched)
    watch_list = watched + [subject_id(3 * CHANGES + i) for i in range(rest)]
    t = time.monotonic()
    chunks = [watch_list[i:i + 10000] for i in range(0, len(watch_list), 10000)]
    with ThreadPoolExecutor(4) as pool:
        added = sum(pool.map(lambda c: call("POST", "/v1/watchlist/items", tokens["watch"],
                                            {"subjects": [{"id_number": x} for x in c]})["added"],
                             chunks))
    load_seconds = time.monotonic() - t
    count = call("GET", "/v1/watchlist", tokens["watch"])["count"]

    totals = {k: {"changes": 0, "write_seconds": 0.0, "delivered_seconds": 0.0} for k in hooks}
    want, case = set(), 1
    for r in range(rounds):
        for k in ("all", "watch"):
            other = "watch" if k == "all" else "all"
            call("PATCH", f"/v1/webhooks/{hooks[other]}", tokens[other], {"enabled": False})
            call("PATCH", f"/v1/webhooks/{hooks[k]}", tokens[k], {"enabled": True})
            ids, stats = phase(court, case, subjects[(k, r)])
            case += per
            if k == "watch":
                want |= {ids[i] for i in range(0, per, 2)}
            for f in ("changes", "write_seconds", "delivered_seconds"):
                totals[k][f] += stats[f]
            print(k, r, stats, file=sys.stderr)
    for k, path in (("all", "/all"), ("watch", "/watch")):
        totals[k]["deliveries"] = len(received[path])
        totals[k]["changes_per_second"] = round(totals[k]["changes"] / totals[k]["write_seconds"], 1)
        totals[k]["deliveries_per_second"] = round(
            totals[k]["deliveries"] / totals[k]["delivered_seconds"], 1)
    got = {lid for _, _, lid in received["/watch"]}
    per_listing = {}
    for _, _, lid in received["/watch"]:
        per_listing[lid] = per_listing.get(lid, 0) + 1
    exact = got == want and all(v == 2 for v in per_listing.values())
    print(json.dumps({
        "watched": count, "added": added, "load_seconds": round(load_seconds, 1),
        "watch_adds_per_second": round(added / load_seconds),
        "unfiltered": totals["all"], "filtered": totals["watch"],
        "write_ratio_filtered_to_unfiltered": round(
            totals["watch"]["changes_per_second"] / totals["all"]["changes_per_second"], 2),
        "only_the_watched": exact,
        "watched_changes_delivered": len(got & want), "unwatched_changes_delivered": len(got - want),
    }, indent=1))
    if not exact:
        sys.exit("the watcher's deliveries are not exactly the watched changes' events")


if __name__ == "__main__":
    main()
