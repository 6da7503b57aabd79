"""A graph you can trust: type decisions as data, names introduced in another casing or as a variant of a
known system, homonyms introduced by unrelated papers, foundation prefixes. Own fixtures throughout."""

from __future__ import annotations

from kg.extract.types import apply_types, load_types
from kg.graph import build_graph
from kg.ingest.names import author_key
from kg.model import AuthorRef, Evidence, Extraction, Mention, Paper, Relation
from kg.authors import resolve_authors
from kg.resolve import resolve

EV = Evidence("A sentence.", 0, 11)


def sys_(name: str, *, key: str | None = None, introduced: bool = False, aliases=()) -> Mention:
    return Mention(name=name, text=name, kind="system", evidence=EV, key=key, introduced=introduced,
                   aliases=tuple(aliases))


def paper(pid: str, *authors: str, year: int = 2025) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", authors=tuple(AuthorRef(a) for a in authors), year=year,
                 abstract="A sentence.")


def graph(papers, extractions):
    res = resolve(extractions, papers=papers)
    G, _ = build_graph(papers, [], extractions, res, author_key=author_key, authors=resolve_authors(papers, author_key))
    return G, res


def systems_of(G, pid: str, edge: str) -> list[str]:
    return sorted(v for _, v, k in G.out_edges(f"paper:{pid}", keys=True) if k == edge)


def test_type_rows_remove_protocols_and_move_benchmarks():
    ex = Extraction(id="p", title="T", systems_mentioned=(sys_("HTTP"), sys_("MLPerf"), sys_("vLLM"), sys_("KNL")),
                    relations=(Relation("Zorb", "compares_with", "HTTP", EV),
                               Relation("Zorb", "compares_with", "vLLM", EV)))
    out = apply_types(ex, load_types())
    assert [m.name for m in out.systems_mentioned] == ["vLLM"]
    assert [(m.name, m.kind) for m in out.benchmarks] == [("MLPerf", "benchmark")]
    assert [(m.name, m.kind) for m in out.hardware] == [("KNL", "hardware")]
    assert [r.target for r in out.relations] == ["vLLM"]


def test_every_type_row_has_a_stable_id_and_a_known_type():
    from kg.extract.gazetteer import data_path, read_jsonl

    rows = read_jsonl(data_path("types.jsonl"))
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["type"] for r in rows} == {"benchmark", "concept", "protocol", "language", "format", "isa",
                                         "technique", "service", "hardware", "model", "organization"}
    assert all(r["id"].startswith(r["type"] + ":") for r in rows)


def test_a_name_introduced_in_another_casing_is_its_own_system():
    papers = [paper("p1", "Ann Lee"), paper("p2", "Bo Chen")]
    exs = [Extraction(id="p1", title="T", systems_introduced=(sys_("SparK", key="spark", introduced=True),)),
           Extraction(id="p2", title="T", systems_mentioned=(sys_("Spark", key="spark"),))]
    G, _ = graph(papers, exs)
    [intro] = systems_of(G, "p1", "INTRODUCES")
    assert intro != "system:spark" and G.nodes[intro]["name"] == "SparK"
    assert systems_of(G, "p2", "MENTIONS") == ["system:spark"]


def test_a_variant_keeps_its_name_and_points_at_its_family():
    papers = [paper("p1", "Ann Lee"), paper("p2", "Bo Chen")]
    exs = [Extraction(id="p1", title="T",
                      systems_introduced=(sys_("Zorb EP", introduced=True, aliases=["NCCL"]),)),
           Extraction(id="p2", title="T", systems_mentioned=(sys_("NCCL", key="nccl"),))]
    G, _ = graph(papers, exs)
    assert systems_of(G, "p1", "INTRODUCES") == ["system:zorb-ep"]
    assert G.nodes["system:nccl"]["name"] == "NCCL"
    assert list(G.out_edges("system:zorb-ep", keys=True)) == [("system:zorb-ep", "system:nccl", "VARIANT_OF")]


def test_homonyms_introduced_by_unrelated_papers_are_split_and_explained():
    papers = [paper("p1", "Ann Lee", year=2024), paper("p2", "Bo Chen"), paper("p3", "Ann Lee", "Cy Dee"),
              paper("p4", "Eve Fox")]
    exs = [Extraction(id=p, title="T", systems_introduced=(sys_("Mosaic", introduced=True),))
           for p in ("p1", "p2", "p3")]
    exs.append(Extraction(id="p4", title="T", systems_mentioned=(sys_("Mosaic"),),
                          relations=(Relation("p4", "compares_with", "Mosaic", EV, source_kind="paper"),)))
    G, res = graph(papers, exs)
    # p1 (earliest) and p3 share Ann Lee: one system; p2 shares no author with them: its own.
    assert systems_of(G, "p1", "INTRODUCES") == systems_of(G, "p3", "INTRODUCES") == ["system:mosaic"]
    assert systems_of(G, "p2", "INTRODUCES") == ["system:mosaic-2"]
    assert G.nodes["system:mosaic-2"]["homonym_of"] == "system:mosaic"
    assert G.nodes["system:mosaic-2"]["split_reason"] == "introduced by p2, which share no author with p1, p3"
    # Elsewhere the name means the earliest one.
    assert systems_of(G, "p4", "MENTIONS") == ["system:mosaic"]
    assert [(u, v) for u, v, k in G.edges(keys=True) if k.startswith("COMPARES_WITH")] == [
        ("paper:p4", "system:mosaic")]
    assert any(m.kept == "system:mosaic-2" and m.reason.startswith("not merged: homonym of system:mosaic")
               for m in res.merges)


def test_a_vocabulary_name_introduced_by_unrelated_papers_is_split_too():
    # Three unrelated papers each introduce their own Optimus (a name in kg/data/systems.jsonl).
    papers = [paper("p1", "Ann Lee", year=2024), paper("p2", "Bo Chen"), paper("p3", "Cy Dee"),
              paper("p4", "Eve Fox")]
    exs = [Extraction(id=p, title="T", systems_introduced=(sys_("Optimus", key="optimus", introduced=True),))
           for p in ("p1", "p2", "p3")]
    exs.append(Extraction(id="p4", title="T", systems_mentioned=(sys_("Optimus", key="optimus"),)))
    G, _ = graph(papers, exs)
    assert [systems_of(G, p, "INTRODUCES") for p in ("p1", "p2", "p3")] == [
        ["system:optimus"], ["system:optimus-2"], ["system:optimus-3"]]
    assert G.nodes["system:optimus-3"]["split_reason"] == "introduced by p3, which share no author with p1"
    assert systems_of(G, "p4", "MENTIONS") == ["system:optimus"]


def test_a_vocabulary_name_ending_in_s_is_not_the_plural_of_a_new_name():
    # `Pandas` (the library, in the vocabulary) is not the plural of PANDA, a system one paper introduces.
    papers = [paper("p1", "Ann Lee"), paper("p2", "Bo Chen")]
    exs = [Extraction(id="p1", title="T", systems_introduced=(sys_("PANDA", introduced=True),)),
           Extraction(id="p2", title="T", systems_mentioned=(sys_("Pandas", key="pandas"),))]
    G, res = graph(papers, exs)
    assert systems_of(G, "p1", "INTRODUCES") == ["system:panda"]
    assert systems_of(G, "p2", "MENTIONS") == ["system:pandas"]
    assert G.nodes["system:pandas"]["aliases"] == []
    # A plural that is no vocabulary name still joins its singular (`Bagpipes` in another paper).
    exs = [Extraction(id="p1", title="T", systems_introduced=(sys_("Bagpipe", introduced=True),)),
           Extraction(id="p2", title="T", systems_mentioned=(sys_("Bagpipes"),))]
    G, _ = graph(papers, exs)
    assert systems_of(G, "p2", "MENTIONS") == systems_of(G, "p1", "INTRODUCES") == ["system:bagpipe"]


def test_a_foundation_prefix_names_the_same_system_a_company_prefix_does_not():
    papers = [paper("p1", "Ann Lee")]
    exs = [Extraction(id="p1", title="T", systems_mentioned=(sys_("Apache YARN"), sys_("YARN"),
                                                             sys_("PyTorch FSDP"), sys_("PyTorch")))]
    G, _ = graph(papers, exs)
    assert systems_of(G, "p1", "MENTIONS") == ["system:pytorch", "system:pytorch-fsdp", "system:yarn"]


def test_a_type_row_may_be_a_pattern_that_moves_systems_only(tmp_path):
    path = tmp_path / "types.jsonl"
    path.write_text('{"id": "benchmark:bench", "pattern": "[A-Z]\\\\w*Bench", "type": "benchmark"}\n')
    ex = Extraction(id="p", title="T", systems_mentioned=(sys_("ZorbBench"), sys_("Zorb")),
                    datasets=(Mention(name="LongBench", text="LongBench", kind="dataset", evidence=EV),))
    out = apply_types(ex, load_types(str(path)))
    assert [m.name for m in out.systems_mentioned] == ["Zorb"]
    assert [m.name for m in out.benchmarks] == ["ZorbBench"]
    assert [m.name for m in out.datasets] == ["LongBench"]
