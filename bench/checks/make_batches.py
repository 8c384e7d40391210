#!/usr/bin/env python3
"""Builds the request bodies of the checks benchmark from a seeded database.

Each batch has 1,000 subjects: 5 % restricted (some by passport, some by legacy 15-digit ID number)
and 95 % valid ID numbers of people who are not restricted. Writes `batches.jsonl` (one body per line),
`baseline_N.sql` (the plain PostgreSQL query answering the same batch, for pgbench) and `log_N.sql` (the
row the service's check log writes for the same batch, as one INSERT into `check_requests`, for pgbench:
"the log alone").
"""
import base64
import json
import random
import subprocess
import sys
import uuid

DB = sys.argv[1] if len(sys.argv) > 1 else "shixin_bench"
OUT = sys.argv[2] if len(sys.argv) > 2 else "."
BATCHES = 40
SIZE = 1000
RESTRICTED = 50
# The subscriber the log-alone rows are written for (run.sh deletes them afterwards).
LOG_SUBSCRIBER = "00000000-0000-0000-0000-00000000b10c"
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def psql(sql):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-Atc", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def check(body17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, W)) % 11]


def random_id(rng):
    body = "110105" + f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + f"{rng.randint(0, 999):03d}"
    return body + check(body)


def main():
    rng = random.Random(42)
    restricted = [r[0] for r in psql(
        "SELECT s.subject_key FROM restriction_subjects s JOIN restrictions r ON r.id = s.restriction_id "
        "WHERE r.status = 'active' AND s.kind = 'person' ORDER BY random() LIMIT 20000")]
    docs = psql("SELECT d.doc_type, d.doc_number, d.id_number FROM person_documents d "
                "JOIN restriction_subjects s ON s.subject_key = d.id_number ORDER BY random() LIMIT 2000")
    known = set(restricted)
    if not restricted:
        sys.exit("no restricted subjects: seed the database first")
    ids = random.Random(7)  # the log rows' restriction ids: a stream of their own
    with open(f"{OUT}/batches.jsonl", "w") as f:
        for b in range(BATCHES):
            subjects, keys, denied = [], [], []
            for i in range(RESTRICTED):
                denied.append(True)
                if docs and i % 5 == 0:
                    t, n, idn = rng.choice(docs)
                    subjects.append({"document": {"type": t, "number": n}})
                    keys.append(idn)
                    continue
                idn = rng.choice(restricted)
                keys.append(idn)
                if i % 5 == 1 and idn[6:8] == "19":
                    subjects.append({"id_number": idn[:6] + idn[8:17]})
                else:
                    subjects.append({"id_number": idn, "name": "张三"})
            while len(subjects) < SIZE:
                idn = random_id(rng)
                if idn in known:
                    continue
                subjects.append({"id_number": idn})
                keys.append(idn)
                denied.append(False)
            # The same permutation as shuffling the subjects (shuffle draws the same numbers whatever the
            # items), so the bodies are the ones of earlier runs and the log rows follow their order.
            order = list(range(SIZE))
            rng.shuffle(order)
            subjects = [subjects[j] for j in order]
            f.write(json.dumps({"subjects": subjects, "travel": {"mode": "air"}}, ensure_ascii=False) + "\n")
            if b < 10:
                array = "{" + ",".join(keys) + "}"
                with open(f"{OUT}/baseline_{b}.sql", "w") as q:
                    q.write(
                        "SELECT s.subject_key, s.role, r.id, r.items, r.case_number, r.issued_on, c.name "
                        "FROM restriction_subjects s JOIN restrictions r ON r.id = s.restriction_id "
                        "JOIN courts c ON c.code = r.court_code "
                        f"WHERE s.subject_key = ANY('{array}'::text[]) AND r.status = 'active';\n")
                write_log_row(f"{OUT}/log_{b}.sql", [keys[j] for j in order], [denied[j] for j in order],
                              ids)
    print(f"wrote {BATCHES} batches of {SIZE} subjects ({RESTRICTED} restricted each)")


def write_log_row(path, keys, denied, ids):
    """The check log's row for one batch (src/checklog.rs, src/db/check_log.rs `copy_batch`): its keys in
    the order asked, one decision character each, and for each denied subject one restriction id."""
    decisions = "".join("d" if d else "a" for d in denied)
    matches = [{"i": i, "r": [str(uuid.UUID(int=ids.getrandbits(128), version=4))], "l": []}
               for i, d in enumerate(denied) if d]
    as_of = base64.urlsafe_b64encode(b"1234567:2345678").decode().rstrip("=")
    with open(path, "w") as q:
        q.write(
            "INSERT INTO check_requests (check_id, subscriber_id, checked_at, as_of, subject_keys, decisions, "
            f"matches) VALUES (gen_random_uuid(), '{LOG_SUBSCRIBER}', now(), '{as_of}', "
            f"'{{{','.join(keys)}}}'::text[], '{decisions}', '{json.dumps(matches)}'::jsonb);\n")


if __name__ == "__main__":
    main()
