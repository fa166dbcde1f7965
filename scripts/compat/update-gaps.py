#!/usr/bin/env python3
"""Rewrites e2e/src/test/resources/compat/gaps.txt from the last CompatIT run.

Every case whose Motley answer (e2e/target/compat/motley.txt) differs from Slurm's
(e2e/src/test/resources/compat/slurm-22.05.txt) and that intended.txt does not cover gets one
line: its id, then the first line that differs, Slurm's then Motley's. Run it after fixing a gap
(the fixed case drops off) or after recapturing; read the diff before committing it.
"""
import os
import re

repo = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
res = os.path.join(repo, "e2e/src/test/resources/compat")


def blocks(path):
    out, cur = {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("=== "):
            cur = line[4:]
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def listed(path):
    pats = []
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            pats.append(re.compile(line.split(" | ")[0].strip()))
    return pats


slurm = blocks(os.path.join(res, "slurm-22.05.txt"))
motley = blocks(os.path.join(repo, "e2e/target/compat/motley.txt"))
intended = listed(os.path.join(res, "intended.txt"))
lines = []
for cid, want in slurm.items():
    got = motley.get(cid, ["(not run)"])
    if got == want or any(p.fullmatch(cid) for p in intended):
        continue
    i = next((k for k in range(max(len(want), len(got))) if k >= len(want) or k >= len(got) or want[k] != got[k]), 0)
    w = want[i] if i < len(want) else "(nothing)"
    g = got[i] if i < len(got) else "(nothing)"
    lines.append(f"{re.escape(cid)} | slurm: {w.strip()[:90]} / motley: {g.strip()[:90]}")
with open(os.path.join(res, "gaps.txt"), "w", encoding="utf-8") as f:
    f.write("# Known differences from Slurm 22.05 still to close (CompatIT). One case a line: a regular expression\n")
    f.write("# over case ids, ' | ', then the first line that differs. Written by scripts/compat/update-gaps.py.\n")
    for l in lines:
        f.write(l + "\n")
print(len(lines), "gaps")
