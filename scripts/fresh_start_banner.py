"""Reads the box `shixin serve --demo` prints (stdin) and prints one value of it: `court_token` (the
line after "court token:") or `name` (the seeded name of the "search" URL). Used by
scripts/fresh-start-test."""
import sys
import urllib.parse

want = sys.argv[1]
lines = [l[2:].rstrip() if l.startswith("│ ") else "" for l in sys.stdin.read().splitlines()]
for i, line in enumerate(lines):
    if want == "court_token" and line.startswith("court token:") and i + 1 < len(lines):
        print(lines[i + 1].strip())
        break
    if want == "name" and line.startswith("search") and "?name=" in line:
        print(urllib.parse.unquote(line.split("?name=", 1)[1]))
        break
