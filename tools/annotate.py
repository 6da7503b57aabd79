#!/usr/bin/env python3
"""The annotators' tool for the corpus gold (tests/gold/corpus/). It never runs the extractor.

usage:
  python tools/annotate.py todo ANNOTATOR [--next K]   # print the next K papers to annotate (id, title, abstract)
  python tools/annotate.py add ANNOTATOR DRAFT.jsonl   # check a draft and store it with character offsets
  python tools/annotate.py status                      # how many papers each annotator has done

A draft line has the shape of tests/gold/gold.jsonl (see tests/gold/GUIDELINE.md):
  {"id": "arxiv:2503.11685", "systems_introduced": [{"name": "SYCore", "aliases": ["..."]}],
   "systems_mentioned": ["CAESAR"], "models": [], "hardware": [], "datasets": [], "benchmarks": [],
   "techniques": ["pruning"],
   "relations": [["SYCore", "compares_with", "X", "up to 4.64x", "throughput"]]}
Every name is written as it appears in the title or abstract; where the canonical name differs (a taxonomy
technique), write {"name": "4-bit quantization", "text": "W4A8"}. `add` finds each written form in the
title or abstract and stores the offsets of its first occurrence; a form it cannot find is an error and
nothing of that draft is stored. Stored records hold ids, names, types, relations and offsets, never text.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "corpus"
CORPUS = Path(os.environ.get("KG_CORPUS", ROOT.parent / "shared" / "corpus"))
PRIMARY = ["a1", "a2", "a3", "a4", "a5", "a6"]
# Second annotators: each takes half of the doubly annotated test papers, then half of the rest of the train.
SECOND = ["d1", "d2"]
# Annotators who took over a list from one who stopped (their records are theirs, under their own name;
# `todo` skips what the first one did).
STANDS_IN = {"b1": "a1", "b3": "a3", "c1": "a1"}
# c1 works a1's list from the end so that two can share it.
REVERSED = {"c1"}
FIELDS = {"systems_introduced": "system_introduced", "systems_mentioned": "system_mentioned",
          "models": "model", "hardware": "hardware", "datasets": "dataset", "benchmarks": "benchmark",
          "techniques": "technique"}
REL_TYPES = ("compares_with", "builds_on", "integrates_into")


def corpus() -> dict[str, dict]:
    out = {}
    for name in ("mlsys.jsonl", "sysconf-2017.jsonl"):
        for line in (CORPUS / name).open(encoding="utf-8"):
            r = json.loads(line)
            out[r["id"]] = r
    return out


def assignment(who: str) -> list[str]:
    who = STANDS_IN.get(who, who)
    s = json.loads((GOLD / "sample.json").read_text())
    if who in PRIMARY:
        i = PRIMARY.index(who)
        return s["test"][i::len(PRIMARY)] + s["train"][i::len(PRIMARY) + 1]
    if who in SECOND:
        i = SECOND.index(who)
        return s["double"][i::len(SECOND)] + s["train"][len(PRIMARY)::len(PRIMARY) + 1][i::len(SECOND)]
    sys.exit(f"unknown annotator {who!r}: one of {PRIMARY + SECOND}")


def ann_path(who: str) -> Path:
    return GOLD / "annotations" / f"{who}.jsonl"


def done(who: str) -> dict[str, dict]:
    p = ann_path(who)
    if not p.exists():
        return {}
    return {r["id"]: r for r in map(json.loads, p.open(encoding="utf-8"))}


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def locate(rec: dict, form: str) -> list:
    """[field, start, end] of the first occurrence: exact, else ignoring case (abstract before title)."""
    for fold in (False, True):
        for fld in ("abstract", "title"):
            text = rec.get(fld) or ""
            i = (text.lower().find(form.lower()) if fold else text.find(form))
            if i >= 0:
                return [fld, i, i + len(form)]
    raise ValueError(f"{form!r} is not in the title or abstract")


def entity(rec: dict, typ: str, item) -> dict:
    if isinstance(item, str):
        item = {"name": item}
    name = item["name"].strip()
    forms = [item.get("text") or name] + [a for a in item.get("aliases", []) if a]
    out = {"type": typ, "name": name}
    if item.get("aliases"):
        out["aliases"] = list(item["aliases"])
    if item.get("text") and item["text"] != name:
        out["text"] = item["text"]
    out["spans"] = [locate(rec, f) for f in forms]
    return out


def convert(draft: dict, rec: dict, who: str) -> dict:
    ents = []
    for fld, typ in FIELDS.items():
        for item in draft.get(fld, []):
            ents.append(entity(rec, typ, item))
    rels = []
    for r in draft.get("relations", []):
        if not (3 <= len(r) <= 5) or r[1] not in REL_TYPES:
            raise ValueError(f"relation {r!r}: [source, type, target, factor?, metric?] with type in {REL_TYPES}")
        rel = {"source": r[0], "type": r[1], "target": r[2]}
        if len(r) > 3 and r[3]:
            rel["factor"] = r[3]
        if len(r) > 4 and r[4]:
            rel["metric"] = r[4]
        names = {e["name"] for e in ents} | {"@paper"}
        for end in ("source", "target"):
            if rel[end] not in names:
                raise ValueError(f"relation {r!r}: {rel[end]!r} is not one of this paper's entities")
        rels.append(rel)
    return {"id": rec["id"], "annotator": who, "title_sha1": sha(rec.get("title") or ""),
            "abstract_sha1": sha(rec["abstract"]), "entities": ents, "relations": rels}


def write_atomic(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for r in sorted(records, key=lambda r: r["id"]):
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    cmd = argv[0]
    if cmd == "status":
        for who in PRIMARY + SECOND + list(STANDS_IN):
            print(who, len(done(who)), "of", len(assignment(who)))
        return
    who = argv[1]
    if cmd == "todo":
        k = int(argv[argv.index("--next") + 1]) if "--next" in argv else 10
        c, have = corpus(), done(who)
        skip = set(have) | set(done(STANDS_IN[who]) if who in STANDS_IN else ())
        order = assignment(who)[::-1] if who in REVERSED else assignment(who)
        skip |= set(done("b1") if who == "c1" else done("c1") if who == "b1" else ())
        todo = [i for i in order if i not in skip][:k]
        print(f"# {len(have)} done, {len([i for i in assignment(who) if i not in skip])} to go")
        for i in todo:
            r = c[i]
            print(f"\n## {i}\nTITLE: {r['title']}\nABSTRACT: {r['abstract']}")
        return
    if cmd == "add":
        c, have = corpus(), done(who)
        mine = set(assignment(who))
        errors, new = [], []
        for n, line in enumerate(Path(argv[2]).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if d.get("id") not in mine:
                    raise ValueError(f"{d.get('id')!r} is not assigned to {who}")
                new.append(convert(d, c[d["id"]], who))
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                errors.append(f"{argv[2]}:{n}: {e}")
        if errors:
            print("\n".join(errors))
            sys.exit(f"nothing stored: fix the {len(errors)} line(s) above and add the draft again")
        for r in new:
            have[r["id"]] = r
        write_atomic(ann_path(who), list(have.values()))
        print(f"stored {len(new)}; {who} has {len(have)} of {len(assignment(who))}")
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
