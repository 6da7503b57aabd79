#!/usr/bin/env python3
"""The labellers' tool for same-name authors (tests/gold/authors/). It never runs kg's author resolution.

usage:
  python tools/homonym_cases.py names                  # the sampled names to label (seeded, fixed)
  python tools/homonym_cases.py show NAME              # every paper carrying NAME: id, year, file, title,
                                                       # co-authors and the opening of the abstract
  python tools/homonym_cases.py add LABELLER DRAFT.jsonl
  python tools/homonym_cases.py status

A draft line: {"name": "Zhihao Jia", "people": [["t-...", "t-..."], ["t-..."]], "note": "why, in a few words"}
`people` partitions every paper id `show` printed for that name: one inner list per person. Stored records hold
names, paper ids and the note, never titles or abstracts.
"""
from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "tests" / "gold" / "authors"
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared"))
SEED = 20261207
# How many names of each kind: names whose papers split into several co-author groups (the hard cases,
# where a rule could go wrong either way), and names whose papers all hang together.
HARD, EASY = 50, 10
ALWAYS = ["zhihao jia"]  # the two researchers of the seeds (issue 13)


def files() -> list[str]:
    seeds = sorted(str(p) for p in (SHARED / "seeds").iterdir() if p.suffix == ".txt")
    return seeds + [str(SHARED / "corpus" / n) for n in ("mlsys.jsonl", "sysconf-2017.jsonl")]


def papers_by_name():
    from kg.ingest import ingest
    from kg.ingest.names import author_key

    by: dict[str, list] = defaultdict(list)
    for p in sorted(ingest(files()).papers, key=lambda p: p.id):
        for k in dict.fromkeys(author_key(a.name) for a in p.authors):
            if k:
                by[k].append(p)
    return by, author_key


def groups(key: str, papers: list, author_key) -> int:
    """Co-author groups among one name's papers (papers joined when they share a co-author)."""
    parent = list(range(len(papers)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    co = [{author_key(a.name) for a in p.authors} - {key} for p in papers]
    for i in range(len(papers)):
        for j in range(i + 1, len(papers)):
            if co[i] & co[j]:
                parent[find(i)] = find(j)
    return len({find(i) for i in range(len(papers))})


def sample(by, author_key) -> list[str]:
    multi = {k: v for k, v in by.items() if 2 <= len(v) <= 25}
    hard = sorted(k for k, v in multi.items() if groups(k, v, author_key) > 1 and k not in ALWAYS)
    easy = sorted(k for k, v in multi.items() if groups(k, v, author_key) == 1 and k not in ALWAYS)
    rng = random.Random(SEED)
    return ALWAYS + sorted(rng.sample(hard, HARD)) + sorted(rng.sample(easy, EASY))


def stored(who: str) -> dict[str, dict]:
    p = GOLD / f"{who}.jsonl"
    return {r["name"]: r for r in map(json.loads, p.open(encoding="utf-8"))} if p.exists() else {}


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    by, author_key = papers_by_name()
    names = sample(by, author_key)
    if argv[0] == "names":
        for k in names:
            print(f"{k}\t{len(by[k])} papers")
        return
    if argv[0] == "status":
        for p in sorted(GOLD.glob("*.jsonl")):
            print(p.stem, len(stored(p.stem)), "of", len(names))
        return
    if argv[0] == "show":
        key = author_key(argv[1])
        for p in by.get(key, []):
            co = [a.name for a in p.authors if author_key(a.name) != key]
            files_ = sorted({Path(s.file).name for s in p.sources})
            if any(author_key(o) == key for o in p.profile_owners):
                files_.append("(listed on this name's own profile page)")
            print(f"\n## {p.id}  {p.year or '?'}  {', '.join(files_)}\nTITLE: {p.title}\nCO-AUTHORS: "
                  f"{'; '.join(co) or '(none)'}{' (list truncated)' if p.authors_truncated else ''}\n"
                  f"ABSTRACT: {p.abstract[:400]}")
        return
    if argv[0] == "add":
        who, draft = argv[1], Path(argv[2])
        have, errors, new = stored(who), [], []
        for n, line in enumerate(draft.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                key = author_key(d["name"])
                if key not in names:
                    raise ValueError(f"{d['name']!r} is not one of the sampled names")
                want = {p.id for p in by[key]}
                got = [i for person in d["people"] for i in person]
                if sorted(got) != sorted(want) or len(got) != len(set(got)):
                    raise ValueError(f"people must partition the {len(want)} papers of {d['name']!r} "
                                     f"(missing {sorted(want - set(got))}, extra {sorted(set(got) - want)})")
                people = sorted(sorted(person) for person in d["people"])
                new.append({"name": d["name"], "key": key, "labeller": who, "people": people,
                            "note": str(d.get("note", ""))[:300]})
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                errors.append(f"{draft}:{n}: {e}")
        if errors:
            print("\n".join(errors))
            sys.exit(f"nothing stored: fix the {len(errors)} line(s) above and add the draft again")
        for r in new:
            have[r["name"]] = r
        GOLD.mkdir(parents=True, exist_ok=True)
        path = GOLD / f"{who}.jsonl"
        fd, tmp = tempfile.mkstemp(dir=GOLD, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for r in sorted(have.values(), key=lambda r: r["key"]):
                f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        print(f"stored {len(new)}; {who} has {len(have)} of {len(names)}")
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
