#!/usr/bin/env python3
"""Owner misses split by whether the owner shares a texture atom with another owner of the same draw.

Reads the identity benchmark's Markdown results (docs/results/lfw12-identity-*.md): each file names the atoms of its
owners' keys and, on its `protected` ResNet-20 rows, each owner's accuracy on their clean test photos. An owner result
is missed when that accuracy is above 25 %. Draws repeat across models (the same seeds, owners and keys), so the
counts are not independent samples: read them as a pointer, not a test.

    python3 bench/scripts/atom-sharing-misses.py [model-prefix ...]   # e.g. 0.10.
"""
import collections
import glob
import re
import sys

prefixes = sys.argv[1:] or [""]
counts = collections.defaultdict(lambda: [0, 0, 0, 0])  # model: shared misses, shared results, other misses, other results
for path in sorted(glob.glob("docs/results/lfw12-identity-*.md")):
    text = open(path, encoding="utf-8").read()
    atoms_line = re.search(r"Texture atoms of the owners' keys: (.*)\.\n", text)
    model = re.search(r"--model (\S+)", text)
    if not atoms_line or not model or not any(model.group(1).startswith(p) for p in prefixes):
        continue
    atoms = {}
    for part in atoms_line.group(1).split("; "):
        owner, numbers = part.split(" ", 1)
        atoms[owner] = {int(n) for n in numbers.split(", ")}
    sharing = {o for o in atoms for p in atoms if p != o and atoms[o] & atoms[p]}
    for row in re.finditer(r"^\| protected \| resnet20 \| \d+ \|.*$", text, re.M):
        cells = row.group(0).split("|")
        for owner, accuracy in re.findall(r"(\w+) ([\d.]+) %", cells[8] if len(cells) > 8 else ""):
            if owner in atoms:
                c = counts[model.group(1)]
                offset = 0 if owner in sharing else 2
                c[offset] += float(accuracy) > 25
                c[offset + 1] += 1

total = [0, 0, 0, 0]
for model, c in sorted(counts.items()):
    print(f"{model:55s} sharing an atom: {c[0]:3d} of {c[1]:3d} missed   not sharing: {c[2]:3d} of {c[3]:3d} missed")
    total = [a + b for a, b in zip(total, c)]
if total[1] and total[3]:
    print(f"{'all':55s} sharing an atom: {total[0]:3d} of {total[1]:3d} ({100 * total[0] / total[1]:.1f} %)   "
          f"not sharing: {total[2]:3d} of {total[3]:3d} ({100 * total[2] / total[3]:.1f} %)")
