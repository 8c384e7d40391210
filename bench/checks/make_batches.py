#!/usr/bin/env python3
"""Builds the request bodies of the checks benchmark from a seeded database.

Each batch has 1,000 subjects: 5 % restricted (some by passport, some by legacy 15-digit ID number)
and 95 % valid ID numbers of people who are not restricted. Writes `batches.jsonl` (one body per line)
and `baseline_N.sql` (the plain PostgreSQL query answering the same batch, for pgbench).
"""
import json
import random
import subprocess
import sys

DB = sys.argv[1] if len(sys.argv) > 1 else "shixin_bench"
OUT = sys.argv[2] if len(sys.argv) > 2 else "."
BATCHES = 40
SIZE = 1000
RESTRICTED = 50
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
    with open(f"{OUT}/batches.jsonl", "w") as f:
        for b in range(BATCHES):
            subjects, keys = [], []
            for i in range(RESTRICTED):
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
            rng.shuffle(subjects)
            f.write(json.dumps({"subjects": subjects, "travel": {"mode": "air"}}, ensure_ascii=False) + "\n")
            if b < 10:
                array = "{" + ",".join(keys) + "}"
                with open(f"{OUT}/baseline_{b}.sql", "w") as q:
                    q.write(
                        "SELECT s.subject_key, s.role, r.id, r.items, r.case_number, r.issued_on, c.name "
                        "FROM restriction_subjects s JOIN restrictions r ON r.id = s.restriction_id "
                        "JOIN courts c ON c.code = r.court_code "
                        f"WHERE s.subject_key = ANY('{array}'::text[]) AND r.status = 'active';\n")
    print(f"wrote {BATCHES} batches of {SIZE} subjects ({RESTRICTED} restricted each)")


if __name__ == "__main__":
    main()
