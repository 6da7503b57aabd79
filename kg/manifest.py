"""The build directory's manifest: which files make up one build, so that no reader pairs the records of
one build with the graph of another.

`kg build` writes its files one by one (each atomically), then `manifest.json` last, naming each file with
its size and SHA-256. No counter or date: a build of A then B leaves the same directory, byte for byte,
as one build of A and B. A kill between two writes
leaves files that do not match the manifest: `kg merges` (which re-resolves the records into a graph)
refuses them with a one-line error, and the next `kg build` says the last one was interrupted and reads
the newest records, so nothing is lost (records are only ever supersets of the earlier ones).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.atomic import write_atomic

MANIFEST_FILE = "manifest.json"
FORMAT = "kg-build"


def _digest(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return {"bytes": size, "sha256": h.hexdigest()}


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest, or None when there is none or it is not one of ours (an older build directory)."""
    try:
        data = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write_manifest(out: Path, names: Sequence[str]) -> dict[str, Any]:
    """Record the build's files as they are now; called after the last of them is written."""
    data = {"format": FORMAT,
            "files": {name: _digest(out / name) for name in sorted(names) if (out / name).is_file()}}
    write_atomic(out / MANIFEST_FILE, [json.dumps(data, indent=1, sort_keys=True), "\n"])
    return data


def mismatched(out: Path, names: Sequence[str]) -> list[str]:
    """The files among `names` that are not the ones the manifest recorded (missing counts); empty when
    they all match, or when the directory has no manifest (built before manifests, nothing to check)."""
    manifest = read_manifest(out)
    if manifest is None:
        return []
    files = manifest.get("files", {})
    wrong = []
    for name in names:
        path = out / name
        if name not in files or not path.is_file():
            if name in files or path.is_file():
                wrong.append(name)
            continue
        recorded = files[name]
        if path.stat().st_size != recorded.get("bytes") or _digest(path)["sha256"] != recorded.get("sha256"):
            wrong.append(name)
    return wrong
