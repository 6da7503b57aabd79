"""Ingest on our own fixtures and examples: every format, merging, names, text clean-up, bad input
and the CLI summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import FormatError, IngestError, ParseError
from kg.ingest import (
    Format, author_key, detect_format, ingest, normalize_author, read_records, similarity, write_jsonl,
)
from kg.ingest.categories import category_code
from kg.ingest.compact import split_title_authors
from kg.ingest.text import clean_text
from kg.model import Paper, Profile, Skip

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "ingest"
EX = ROOT / "examples"


def papers(path, **kw) -> list[Paper]:
    return [r for r in read_records(path, **kw) if isinstance(r, Paper)]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("profile_maren_okafor.txt", "profile"), ("compact_listing.txt", "compact"),
        ("abstracts_only.txt", "abstracts"), ("trending_list.txt", "trending"), ("arxiv_feed.xml", "arxiv"),
        ("references.bib", "bibtex"), ("previous_papers.jsonl", "jsonl"),
    ],
)
def test_detect_format(name, fmt):
    assert detect_format(EX / name) is Format(fmt)


# --- text and names -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"up to $7.7\times$ faster", "up to 7.7× faster"),
        (r"2-4$\times$ less, 75\% of", "2-4× less, 75% of"),
        (r"$\sim$3x fewer", "~3x fewer"),
        (r"at $O(n^2)$ or $O(n^{2})$ cost", "at O(n^2) or O(n^2) cost"),
        (r"$64 - 98\%$ of", "64 - 98% of"),
        (r"$\tau'\ll\tau$ steps", "τ' ≪ τ steps"),
        (r"we introduce \emph{SuffixDecoding}, a", "we introduce SuffixDecoding, a"),
        ("costs $5 and $10 per run", "costs $5 and $10 per run"),
        ("see  https://x.org/a_b~c?q=1.5 --  1.4x\n faster", "see https://x.org/a_b~c?q=1.5 -- 1.4x faster"),
        (r"M{\"u}ller, \'{E}mile, Fran{\c c}ois, {\ss}, \v{S}", "Müller, Émile, François, ß, Š"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_author_names():
    assert normalize_author("K.V.  Rashmi") == "K. V. Rashmi"
    assert author_key("K.V. Rashmi") == author_key("K. V. Rashmi") == author_key("K V Rashmi")
    assert author_key("Aditya K Kamath") == author_key("Aditya K. Kamath")
    assert author_key("Ozgur Ulusoy") == author_key("Özgür Ulusoy")
    assert normalize_author("Jo\u0308rg") == "Jörg"  # NFC
    # Different full names never share a key.
    assert author_key("Zhihao Jia") != author_key("Zhihao Zhang")
    assert author_key("Yue Zhao") != author_key("Yue Zhao Chen")
    assert author_key("K. V. Rashmi") != author_key("K. Rashmi")


def test_category_codes():
    assert [category_code(c) for c in ("LG", "QUANT-PH", "OC", "ML", "cs.lg", "XX")] == [
        "cs.LG", "quant-ph", "math.OC", "stat.ML", "cs.LG", None]


# --- formats -------------------------------------------------------------------------------------

def test_compact_hard_splits_of_our_fixture():
    got = [(p.title, [a.name for a in p.authors], p.authors_truncated, p.org)
           for p in papers(FIX / "compact_hard.txt")]
    assert got == [
        ("Gullwing: Making Spot Clusters Dependable for Training of Large DNNs",
         ["Tomas Reyes", "Anouk Visser", "Wen-Li Zhou"], True, None),
        ("Petrel: GPU-accelerated Anomaly Scoring via Tensor Operations",
         ["Amara Eze", "George H. Chen", "Priya R. Natarajan"], False, None),
        ("Sequenza: Scalable, Robust, and Hardware-aware Draft Tree Search",
         ["Ilse Brandt", "Avner Castellanos", "Ruslan Petrov"], False, None),
        ("Nimbus:Proactive Prefill Offloading in LLM Serving", ["Xiao Lan", "Colin Baptiste", "Junjia Moreau"],
         False, "uw"),
        ("Tern: Fast Tuning of Quantized LLM", ["J. Gregory Paulsen", "K. V. Ramesh"], False, None),
        ("Plover-XA: Distributed Cross-Attention for Long Visual Inputs", ["Tzu-Tao Lin", "Shivani Venkat"],
         False, None),
        ("What Limits Agentic Efficiency?", ["Mei Ling", "Darius Okonkwo"], False, None),
    ]


def test_known_names_decide_between_two_plausible_seams():
    line = "Caching with DeWitt Tables for LLM ServingDeWitt Chen, Ana Ruiz"
    # Both `DeWitt Chen` and `Witt Chen` look like names; the earlier seam wins on shape...
    assert split_title_authors(line).authors[0] == "DeWitt Chen"
    # ...and a name seen elsewhere in the input outweighs that.
    assert split_title_authors(line, {author_key("Witt Chen")}).authors[0] == "Witt Chen"
    assert split_title_authors("No Authors Here At All") is None


def test_profile_owner_and_broken_entry():
    records = list(read_records(FIX / "profile_broken.txt"))
    profile = next(r for r in records if isinstance(r, Profile))
    assert (profile.name, profile.category, profile.h_index, profile.citations) == ("Kai Nakamura", "cs.LG", 9, 120)
    got = [(p.title, [(a.name, a.inferred) for a in p.authors], p.year, p.month, p.day)
           for p in records if isinstance(p, Paper)]
    assert got == [
        ("First Complete Paper", [("Ada Lovelace", False), ("Grace Hopper", False), ("Kai Nakamura", True)],
         2024, 1, 3),
        ("Second Paper Written Alone", [("Kai Nakamura", False)], None, 5, 24),
    ]
    skips = [r for r in records if isinstance(r, Skip)]
    assert [(s.source.line, s.reason) for s in skips] == [(26, "entry breaks off: no author line after the title")]
    with pytest.raises(ParseError, match=r"profile_broken.txt:26: entry breaks off"):
        list(read_records(FIX / "profile_broken.txt", strict=True))


def test_trending_banner_glue():
    got = papers(EX / "trending_list.txt")
    assert [p.title for p in got][:2] == [
        "Cormorant: Sparse Attention Kernels for Video Diffusion Transformers",
        "Quillstream: Tree-Structured Speculative Decoding with Adaptive Draft Widths",
    ]
    assert got[0].sources[0].line == 3 and not got[0].authors and got[0].year is None


def test_arxiv_feed_fields():
    got = {p.arxiv_id: p for p in papers(EX / "arxiv_feed.xml")}
    osprey = got["2403.09012"]
    assert osprey.id == "2403.09012"
    assert osprey.title == "Ospreyserve: Preemption-Aware Scheduling for Multi-Tenant LLM Serving"
    assert [a.name for a in osprey.authors] == ["Tomasz Wielgus", "Priya R. Natarajan", "Jun-Ho Baek", "Maren Okafor"]
    assert (osprey.year, osprey.month, osprey.day, osprey.category) == (2024, 3, 14, "cs.DC")
    assert osprey.org == "ETH Zurich" and osprey.has_code
    assert "by 3.1× compared to vLLM and keeps goodput within 4% of" in osprey.abstract
    assert osprey.sources[0].line == 10
    wren = got["2411.20233"]
    assert [a.name for a in wren.authors] == ["Kofi Mensah", "Anaïs Dubreuil"] and not wren.has_code


def test_arxiv_truncated_feed():
    records = list(read_records(FIX / "feed_truncated.xml"))
    assert [p.arxiv_id for p in records if isinstance(p, Paper)] == ["2401.00001"]
    assert records[0].category == "stat.ML"
    assert [(s.source.line, s.reason) for s in records if isinstance(s, Skip)] == [
        (11, "entry breaks off (XML error at line 14: no element found)")]


def test_bibtex_accents_and_names():
    records = list(read_records(FIX / "accents.bib"))
    first, second, skip, last = records
    assert first.title == "Über DNN-Compilers: A Study with nested braces inside"
    assert [a.name for a in first.authors] == ["Jörg Müller", "Renée François", "Sven Ångström", "María Álvarez"]
    assert (first.id, first.year, first.month, first.day, first.category) == ("2309.06180", 2023, 9, 5, "cs.DC")
    assert first.abstract == ("We speed up compilation by 7.7× and cut memory by 40%, at O(n^2) cost -- "
                              "see https://example.org/a_b.")
    assert [a.name for a in second.authors] == ["John Smith Jr.", "Kai Ng"] and second.authors_truncated
    assert second.has_code  # a GitHub url
    assert (skip.source.line, skip.reason) == (16, "entry breaks off (no closing brace before the next entry)")
    assert last.title == "After the Broken One" and last.sources[0].line == 19


def test_bibtex_parenthesised_entries():
    """`@article( ... )` is BibTeX too; a `)` inside a quoted or braced value does not close the entry."""
    assert detect_format(FIX / "parens.bib") == Format.BIBTEX
    records = list(read_records(FIX / "parens.bib"))
    lantern, cut, after, tail = records
    assert lantern.title == "Lanterns (and Moths): Serving at the Edge"
    assert [a.name for a in lantern.authors] == ["Ada Lovelace", "Kai Ng"]
    assert (lantern.year, lantern.month) == (2024, 5)
    assert lantern.abstract == "We present Lantern (a small server) for edge devices; it answers in 2 ms (p50)."
    assert (cut.source.line, cut.reason) == (11, "entry breaks off (no closing parenthesis before the next entry)")
    assert after.title == "After the Cut-off One" and after.sources[0].line == 13
    assert (tail.source.line, tail.reason) == (14, "entry breaks off at end of file (unbalanced parentheses)")


def test_bibtex_example_months_and_macros():
    got = {p.title.split(":")[0]: p for p in papers(EX / "references.bib")}
    assert got["Pebblecache"].month == 6 and got["Pebblecache"].arxiv_id == "2406.01877"
    assert got["Driftwood"].month == 2 and got["Driftwood"].has_code
    assert got["Gannet"].month == 3
    assert got["Wrenlet"].arxiv_id == "2411.20233"
    assert [a.name for a in got["Driftwood"].authors] == ["Willemijn de Vries", "Rafael Quintero", "François Müller"]


# --- merging -------------------------------------------------------------------------------------

def test_examples_merge():
    result = ingest([EX])
    assert result.report.records_read == 25 and len(result.papers) == 13
    reasons = sorted(m.reason.split(" (")[0] for m in result.report.merges)
    assert reasons.count("same title") == 9 and reasons.count("same arXiv id") == 1
    assert reasons.count("abstract-only entry is a version of this paper") == 2
    osprey = next(p for p in result.papers if p.id == "2403.09012")
    # Richest fields: the full author list from arXiv, the date from the profile and arXiv.
    assert [a.name for a in osprey.authors] == ["Tomasz Wielgus", "Priya R. Natarajan", "Jun-Ho Baek", "Maren Okafor"]
    assert not osprey.authors_truncated and osprey.has_code and osprey.org == "ETH Zurich, ethz"
    assert len(osprey.sources) == 3 and osprey.profile_owners == ("Maren Okafor",)


def test_near_miss_abstract_does_not_merge():
    """The third abstract shares its first sentence with Ospreyserve but is another paper."""
    result = ingest([EX / "abstracts_only.txt", EX / "profile_maren_okafor.txt"])
    lonely = [p for p in result.papers if p.title is None]
    assert len(lonely) == 1 and lonely[0].abstract.startswith("Serving many tenants")
    assert lonely[0].id.startswith("a-")
    osprey_text = next(p for p in result.papers if p.title and p.title.startswith("Ospreyserve")).abstract
    assert similarity(lonely[0].abstract, osprey_text) < 0.18


def test_ambiguous_abstract_only_entry_stays_alone(tmp_path):
    body = ("We design a cache for serving models that keeps hot blocks on the GPU and cold blocks on the host, "
            "moving them ahead of use with a learned predictor of block reuse distance.")
    listing = tmp_path / "t.txt"
    listing.write_text(f"Get trending papers in your email inbox!\nSubscribePaper One\n{body} One adds a tier.\nPaper Two\n{body} Two adds a tier.\n", encoding="utf-8")
    abstracts = tmp_path / "a.txt"
    abstracts.write_text(f"Abstract:{body}\n", encoding="utf-8")
    result = ingest([listing, abstracts], format=None)
    assert len(result.papers) == 3 and not result.report.merges


def test_jsonl_round_trip_and_key_order(tmp_path):
    result = ingest([EX])
    out = tmp_path / "papers.jsonl"
    assert write_jsonl(result.papers, out, profiles=result.profiles) == 13
    lines = out.read_text(encoding="utf-8").splitlines()
    assert list(json.loads(lines[0])) == [
        "id", "title", "authors", "authors_truncated", "year", "month", "day", "category", "has_code", "org",
        "abstract", "sources", "arxiv_id", "profile_owners"]
    assert json.loads(lines[-1])["type"] == "profile"
    again = ingest([out])
    assert again.papers == result.papers and again.profiles == result.profiles
    out2 = tmp_path / "again.jsonl"
    write_jsonl(again.papers, out2, profiles=again.profiles)
    assert out2.read_bytes() == out.read_bytes()


# --- bad input -----------------------------------------------------------------------------------

def test_unknown_format(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("just some words\nand more\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        ingest([f])
    assert str(err.value) == (f"{f}: unknown listing format; tried profile, compact, abstracts, trending, arxiv, "
                              "bibtex, jsonl (use --format to choose one)")


def test_unknown_file_in_a_folder_is_a_warning(tmp_path):
    (tmp_path / "README.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Abstract:One abstract.\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Abstract:Hidden.\n", encoding="utf-8")
    result = ingest([tmp_path])
    assert [Path(f.path).name for f in result.report.files] == ["README.md", "a.txt"]
    assert "skipped: unknown listing format" in result.report.files[0].warnings[0]
    assert len(result.papers) == 1


def test_binary_and_undecodable_files(tmp_path):
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"Abstract:ok\n\x00\x01\x02")
    with pytest.raises(IngestError, match=r"b.txt:2: binary file \(NUL byte at offset 12\)"):
        ingest([binary])
    latin = tmp_path / "l.txt"
    latin.write_bytes("Abstract:caf\u00e9\n".encode("latin-1"))
    with pytest.raises(IngestError, match=r"l.txt:1: not UTF-8 text \(byte 0xe9 at offset 12\)"):
        ingest([latin])


def test_empty_file_is_a_warning(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = ingest([empty])
    assert result.papers == () and result.report.files[0].warnings == (f"{empty}: empty file",)
    with pytest.raises(ParseError, match="empty file"):
        ingest([empty], strict=True)


def test_overlong_line_is_skipped_without_reading_it_whole(tmp_path):
    f = tmp_path / "a.txt"
    with f.open("w", encoding="utf-8") as out:
        out.write("Abstract:first\nAbstract:" + "x" * (3 << 20) + "\nAbstract:third\n")
    result = ingest([f])
    assert [p.abstract for p in result.papers if p.abstract] == ["first", "third"] or len(result.papers) == 2
    assert [(s.source.line, s.reason) for s in result.report.skipped] == [(2, "line longer than 1 MiB")]


def test_forced_format_and_bad_format_name(tmp_path):
    f = tmp_path / "x.data"
    f.write_text("Title A\nAbstract of A.\n", encoding="utf-8")
    assert [p.title for p in ingest([f], format="trending").papers] == ["Title A"]
    with pytest.raises(FormatError, match="unknown format 'csv'; choose one of profile, compact"):
        ingest([f], format="csv")


def test_bad_jsonl_lines_are_skipped(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "x", "title": "Good", "abstract": "A."}\n{"title": 3}\n{broken\n', encoding="utf-8")
    result = ingest([f])
    assert [p.title for p in result.papers] == ["Good"]
    assert [(s.source.line, s.reason) for s in result.report.skipped] == [
        (2, "not a paper record: field 'title' must be str, not int"),
        (3, "not valid JSON (Expecting property name enclosed in double quotes)"),
    ]


# --- CLI -----------------------------------------------------------------------------------------

EXAMPLES_SUMMARY = """\
files: 8
  examples/README.md                 -          0 records
  examples/abstracts_only.txt        abstracts  3 records
  examples/arxiv_feed.xml            arxiv      3 records
  examples/compact_listing.txt       compact    4 records
  examples/previous_papers.jsonl     jsonl      2 records
  examples/profile_maren_okafor.txt  profile    5 records
  examples/references.bib            bibtex     4 records
  examples/trending_list.txt         trending   4 records
records read: 25
merged: 12
  abstract-only entry is a version of this paper: 2
    examples/abstracts_only.txt:1 -> 2403.09012 (similarity 0.69)
    examples/abstracts_only.txt:2 -> 2406.01877 (similarity 0.60)
  same arXiv id: 1
    examples/references.bib:19 -> 2411.20233
  same title: 9
    examples/compact_listing.txt:4 -> 2308.04417
    examples/profile_maren_okafor.txt:12 -> 2403.09012
    examples/references.bib:4 -> 2406.01877
    examples/profile_maren_okafor.txt:40 -> t-340f7f454bb8
    examples/trending_list.txt:5 -> t-340f7f454bb8
    notes/reading-group.jsonl:1 -> t-4d2ecefb2371
    examples/profile_maren_okafor.txt:26 -> t-719562cefbb9
    examples/references.bib:27 -> t-798eb3d14317
    examples/trending_list.txt:9 -> t-d3b15f3c9e3a
skipped: 0
warnings: 1
  examples/README.md: skipped: unknown listing format; tried profile, compact, abstracts, trending, arxiv, \
bibtex, jsonl (use --format to choose one)
papers: 13
profiles: Maren Okafor
"""


def test_cli_summary_on_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "papers.jsonl"
    res = CliRunner().invoke(app, ["ingest", "examples", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == EXAMPLES_SUMMARY + f"wrote 13 papers to {out}\n"
    # Progress counts files, and the records read from them (before duplicates are merged).
    assert res.stderr == "ingest: 8/8 files, 25 records\n"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 14


def test_cli_errors_are_one_line(tmp_path):
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "missing.txt")])
    assert res.exit_code == 1
    assert res.output == f"Error: {tmp_path / 'missing.txt'}: no such file or folder\n"
    res = CliRunner().invoke(app, ["ingest", str(FIX / "profile_broken.txt"), "--strict"])
    assert res.exit_code == 1
    assert res.output == f"Error: {FIX / 'profile_broken.txt'}:26: entry breaks off: no author line after the title\n"
