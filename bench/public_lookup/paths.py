"""Writes the request paths of the benchmark: 90 % names nobody is listed under, 10 % listed names.

usage: paths.py DATABASE_URL OUT_DIR
  OUT_DIR/warm.txt  2,000 paths (a working set that fits the cache)
  OUT_DIR/cold.txt  1,000,000 distinct paths (each requested at most once in a 15 s run: each is
                    its name's first lookup; a second pass over them is the `fill` mode)
"""
import random
import subprocess
import sys
import urllib.parse

db, out = sys.argv[1], sys.argv[2]
listed = subprocess.run(
    ["psql", db, "-Atc",
     "SELECT DISTINCT debtor_name FROM listings WHERE status = 'active' LIMIT 100000"],
    check=True, capture_output=True, text=True).stdout.split("\n")
listed = [n for n in listed if n]
rng = random.Random(7)
# Rare characters that the seed never uses: names built from them are on nobody's list.
rare = "璟珂琰瑀珩琛瑾璇玥珺瑄璞琪瑶琨璐琅瑗珈玮珣琇璨瑢"
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"


def unknown(i):
    return surnames[i % len(surnames)] + rare[(i // 20) % len(rare)] + rare[(i // 520) % len(rare)] + str(i)


def path(name):
    return "/v1/public/listings?name=" + urllib.parse.quote(name)


def mix(n, unknown_base):
    rows = []
    for i in range(n):
        if rng.random() < 0.1:
            rows.append(path(rng.choice(listed)))
        else:
            rows.append(path(unknown(unknown_base + i)))
    return rows


with open(f"{out}/warm.txt", "w") as f:
    f.write("\n".join(mix(2000, 0)) + "\n")
with open(f"{out}/cold.txt", "w") as f:
    f.write("\n".join(mix(1000000, 1000000)) + "\n")
print(f"{len(listed)} listed names sampled")
