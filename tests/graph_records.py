"""Small hand-written papers and extractions for graph tests (no ingest, no extraction involved)."""

from __future__ import annotations

from kg.model import AuthorRef, Evidence, Extraction, Mention, Paper, Profile, Relation, Source


def ev(abstract: str, sentence: str) -> Evidence:
    start = abstract.index(sentence)
    return Evidence(sentence, start, start + len(sentence))


A1 = ("We present BagPipe, a system for training recommendation models. "
      "BagPipe outperforms HugeCTR by 2.1x in throughput. BagPipe builds on PyTorch.")
A2 = ("We introduce Invariant Bit Packing (IBP), a lossless compression scheme. "
      "Bagpipe's cache benefits from IBP. It uses speculative decoding.")
A3 = "We study data loaders. Our results hold for PyTorch and HugeCTR."


def papers() -> list[Paper]:
    return [
        Paper(id="t-aaa", title="BagPipe: Accelerating Recommendation Training", authors=(
            AuthorRef("Ada Lovelace"), AuthorRef("K.V. Rashmi"), AuthorRef("Grace Hopper", inferred=True)),
            authors_truncated=True, year=2023, month=3, category="cs.DC", has_code=True, org="uw, openai",
            abstract=A1, sources=(Source("a.txt", 12),)),
        Paper(id="t-bbb", title="Invariant Bit Packing", authors=(
            AuthorRef("K. V. Rashmi"), AuthorRef("Ada Lovelace")), year=2024, category="cs.LG",
            abstract=A2, sources=(Source("b.txt", 3),)),
        Paper(id="t-ccc", title="A Study of Data Loaders", authors=(AuthorRef("Alan Turing"),),
              abstract=A3, sources=(Source("c.txt", 1),)),
    ]


def profiles() -> list[Profile]:
    return [Profile("Grace Hopper", "cs.DC", 50, 37, 2836, 53, 61, Source("a.txt", 1))]


def extractions() -> list[Extraction]:
    s1 = "We present BagPipe, a system for training recommendation models."
    s2 = "BagPipe outperforms HugeCTR by 2.1x in throughput."
    s3 = "BagPipe builds on PyTorch."
    t1 = "We introduce Invariant Bit Packing (IBP), a lossless compression scheme."
    t2 = "Bagpipe's cache benefits from IBP."
    t3 = "It uses speculative decoding."
    u1 = "Our results hold for PyTorch and HugeCTR."
    return [
        Extraction(
            id="t-aaa", title="BagPipe: Accelerating Recommendation Training",
            systems_introduced=(Mention("BagPipe", "BagPipe", "system", ev(A1, s1), introduced=True),),
            systems_mentioned=(Mention("HugeCTR", "HugeCTR", "system", ev(A1, s2)),
                               Mention("PyTorch", "PyTorch", "system", ev(A1, s3), key="pytorch")),
            relations=(Relation("BagPipe", "compares_with", "HugeCTR", ev(A1, s2), factor="2.1x", metric="throughput"),
                       Relation("BagPipe", "builds_on", "PyTorch", ev(A1, s3))),
        ),
        Extraction(
            id="t-bbb", title="Invariant Bit Packing",
            systems_introduced=(Mention("IBP", "Invariant Bit Packing", "system", ev(A2, t1),
                                        aliases=("Invariant Bit Packing",), introduced=True),),
            systems_mentioned=(Mention("Bagpipe", "Bagpipe's", "system", ev(A2, t2)),),
            techniques=(Mention("speculative decoding", "speculative decoding", "technique", ev(A2, t3),
                                key="speculative-decoding", parent="decoding"),),
        ),
        Extraction(
            id="t-ccc", title="A Study of Data Loaders",
            systems_mentioned=(Mention("PyTorch", "PyTorch", "system", ev(A3, u1), key="pytorch"),
                               Mention("HugeCTR", "HugeCTR", "system", ev(A3, u1))),
            relations=(Relation("t-ccc", "compares_with", "HugeCTR", ev(A3, u1), source_kind="paper"),),
        ),
    ]
