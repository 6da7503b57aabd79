"""Any byte string gives records or a KgError, nothing else, for every format and for detection."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.ingest import Format, ingest, read_records
from kg.model import Paper, Profile, Skip

# Fragments of every format, so random inputs often get past detection into the parsers.
FRAGMENTS = [
    b"LGJan 30, 2025Code\n", b"DCMay 24\n", b"QUANT-PHJul 17, 2023\n", b"h-index5\n", b"Abstract:", b"\n\n",
    b"Title TextJohn Smith, Ann Lee et al. \xc2\xb7 uw\n", b"Get trending papers in your email inbox!\n",
    b"Subscribe", b"@article{k,\n", b"title = {A {B} \\\"u},\n", b"author = {Last, First and others}", b"}\n",
    b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/2401.00001v1</id>",
    b"<title>T</title>", b"</entry></feed>", b"<!DOCTYPE x [<!ENTITY a \"b\">]>", b'{"id": "x", "title": "T"}\n',
    b'{"title": null, "abstract": 5}\n', b"$\\times$ \\% ", b"\xff\xfe", b"\x00",
]
data = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=40)), max_size=12).map(b"".join)


def _check(path: Path, fmt: Format | None) -> None:
    try:
        for record in read_records(path, fmt):
            assert isinstance(record, Paper | Profile | Skip) or hasattr(record, "message")
    except KgError as err:
        assert "\n" not in str(err)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=data, fmt=st.sampled_from([None, *Format]))
def test_any_bytes_give_records_or_a_kg_error(data: bytes, fmt: Format | None) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "listing"
        path.write_bytes(data)
        _check(path, fmt)
        try:
            ingest([path], format=fmt)
        except KgError as err:
            assert "\n" not in str(err)
