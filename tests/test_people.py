"""Issue 13's error families, each with a fixture of our own: same-name authors, versions and sizes,
camel-case given names in compact listings, year-less dates, and author lists stored one letter per entry."""

import json

from kg.authors import AuthorDecision
from kg.graph import build_graph
from kg.ingest import ingest
from kg.ingest.compact import split_title_authors
from kg.ingest.jsonl import rejoin_letters
from kg.ingest.names import author_key
from kg.model import AuthorRef, Evidence, Extraction, Mention, Paper
from kg.resolve import resolve

EV = Evidence("A sentence.", 0, 11)

SERVING = ("We schedule large language model inference requests on GPU clusters, batching decode steps "
           "and paging the key-value cache to raise serving throughput.")
CLINIC = ("We answer patient questions in medical consultations with a dialogue agent that asks for missing "
          "symptoms before it gives a diagnosis.")


def paper(pid: str, *authors: str, abstract: str = SERVING, owners=()) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", authors=tuple(AuthorRef(a) for a in authors), year=2025,
                 abstract=abstract, profile_owners=tuple(owners))


# Names as common as `Wei Lin` in the corpus, and no minimum build size: these fixtures are a few papers.
COMMON = {"first": {"wei": 100}, "last": {"lin": 100}}


def resolve_authors(papers, author_key, **kw):
    from kg.authors import resolve_authors as resolve_people

    return resolve_people(papers, author_key, name_counts=COMMON, min_papers=0, **kw)


def people(res, key: str, pids) -> list[str]:
    return [res.of[p, key] for p in pids]


def test_one_name_on_unrelated_papers_is_two_people_and_each_split_is_explained():
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Bo Chen"),
          paper("p3", "Wei Lin", "Cy Dee", abstract=CLINIC), paper("p4", "Wei Lin", "Eve Fox", abstract=CLINIC)]
    res = resolve_authors(ps, author_key)
    # p1/p2 share no co-author but one topic; p3/p4 the other topic; nothing links the two groups.
    assert people(res, "wei lin", ["p1", "p2", "p3", "p4"]) == ["author:wei-lin"] * 2 + ["author:wei-lin-2"] * 2
    assert res.attrs["author:wei-lin-2"]["homonym_of"] == "author:wei-lin"
    assert res.attrs["author:wei-lin-2"]["split_reason"] == (
        "no shared co-author with author:wei-lin (nor co-authors who wrote together), different topics "
        "(closest papers' cosine 0.00), one of them off the build's field")
    assert res.attrs["author:wei-lin"] == {"homonyms": ["author:wei-lin-2"]}


def test_a_shared_co_author_or_a_profile_page_keeps_one_person_across_topics():
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Ann Lee", abstract=CLINIC)]
    assert set(people(resolve_authors(ps, author_key), "wei lin", ["p1", "p2"])) == {"author:wei-lin"}
    ps = [paper("p1", "Wei Lin", "Ann Lee", owners=["Wei Lin"]), paper("p2", "Wei Lin", "Bo Chen", abstract=CLINIC,
                                                                     owners=["Wei Lin"])]
    res = resolve_authors(ps, author_key)
    assert set(people(res, "wei lin", ["p1", "p2"])) == {"author:wei-lin"}
    assert [r["reason"] for r in res.report] == ["listed on the name's own profile page"]


def test_co_authors_who_wrote_together_link_two_groups():
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Bo Chen", abstract=CLINIC),
          paper("p3", "Ann Lee", "Bo Chen", abstract=CLINIC)]
    res = resolve_authors(ps, author_key)
    assert set(people(res, "wei lin", ["p1", "p2"])) == {"author:wei-lin"}
    assert [r["reason"] for r in res.report if r["name"] == "Wei Lin"] == [
        "co-author Ann Lee wrote with the other group's co-authors"]


def test_decisions_join_and_split_people():
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Bo Chen", abstract=CLINIC)]
    joined = resolve_authors(ps, author_key, decisions=[AuthorDecision("join-1", "merge", "wei lin", ("p1", "p2"))])
    assert set(people(joined, "wei lin", ["p1", "p2"])) == {"author:wei-lin"}
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Ann Lee")]
    split = resolve_authors(ps, author_key, decisions=[AuthorDecision("split-1", "forbid", "wei lin", ("p2",))])
    assert people(split, "wei lin", ["p1", "p2"]) == ["author:wei-lin", "author:wei-lin-2"]
    assert split.attrs["author:wei-lin-2"]["split_reason"] == "decision split-1"


def test_each_person_gets_their_own_co_authors_in_the_graph():
    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Cy Dee", abstract=CLINIC)]
    G, _ = build_graph(ps, [], [], resolve([], papers=ps), author_key=author_key,
                       authors=resolve_authors(ps, author_key))
    co = sorted((u, v) for u, v, k in G.edges(keys=True) if k == "CO_AUTHOR")
    assert co == [("author:ann-lee", "author:wei-lin"), ("author:cy-dee", "author:wei-lin-2")]
    assert G.nodes["author:wei-lin-2"]["name"] == "Wei Lin"


def sysm(name, text=None, key=None, introduced=False, kind="system"):
    return Mention(name=name, text=text or name, kind=kind, evidence=EV, key=key, introduced=introduced)


def test_versions_and_sizes_are_their_own_entities_pointing_at_the_family():
    ps = [paper("p1", "Tri Dao"), paper("p2", "Ann Lee")]
    exs = [Extraction(id="p1", title="T", systems_introduced=(sysm("FlashAttention-2", key="flashattention",
                                                                   introduced=True),),
                      systems_mentioned=(sysm("FlashAttention", key="flashattention"),)),
           Extraction(id="p2", title="T",
                      systems_mentioned=(sysm("FlashAttention", "FlashAttention-3", key="flashattention"),),
                      models=(sysm("OPT-30B", key="opt", kind="model"), sysm("OPT-175B", key="opt", kind="model"),
                              sysm("GPT-4o", key="gpt-4", kind="model"), sysm("GPT-4", key="gpt-4", kind="model")))]
    G, _ = build_graph(ps, [], exs, resolve(exs, papers=ps), author_key=author_key,
                       authors=resolve_authors(ps, author_key))
    out = sorted((u, k, v) for u, v, k in G.edges(keys=True) if k in ("INTRODUCES", "MENTIONS", "VARIANT_OF"))
    assert out == [
        ("model:gpt-4o", "VARIANT_OF", "model:gpt-4"),
        ("paper:p1", "INTRODUCES", "system:flashattention-2"),
        ("paper:p1", "MENTIONS", "system:flashattention"),
        ("paper:p2", "MENTIONS", "model:gpt-4"),
        ("paper:p2", "MENTIONS", "model:gpt-4o"),
        ("paper:p2", "MENTIONS", "model:opt-175b"),
        ("paper:p2", "MENTIONS", "model:opt-30b"),
        ("paper:p2", "MENTIONS", "system:flashattention-3"),
        ("system:flashattention-2", "VARIANT_OF", "system:flashattention"),
        ("system:flashattention-3", "VARIANT_OF", "system:flashattention"),
    ]
    assert G.nodes["system:flashattention"]["aliases"] == []


def test_a_compact_given_name_is_not_cut_in_two():
    split = split_title_authors("Automatic Cross-Replica ShardingHyoukJoong Lee, Yuanzhong Xu et al.")
    assert (split.title, split.authors) == ("Automatic Cross-Replica Sharding", ("HyoukJoong Lee", "Yuanzhong Xu"))
    # A camel-case title word glued to a name stays in the title.
    split = split_title_authors("Scaling Training with DeepSpeedJohn Smith, Jane Doe")
    assert (split.title, split.authors) == ("Scaling Training with DeepSpeed", ("John Smith", "Jane Doe"))


def test_a_year_less_date_never_takes_the_year_away(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "Zorb: Fast Things", "authors": ["Ann Lee"],
                                                  "year": 2024}) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"title": "Zorb: Fast Things", "authors": ["Ann Lee"],
                                                  "month": 3, "day": 3}) + "\n")
    [p] = ingest([tmp_path / "a.jsonl", tmp_path / "b.jsonl"]).papers
    assert (p.year, p.month, p.day) == (2024, None, None)


def test_an_author_list_stored_one_letter_per_entry_is_read_as_names(tmp_path):
    assert rejoin_letters(list("TedZadouri,JayShah,DiZhang,DavidDeWitt")) == [
        "Ted Zadouri", "Jay Shah", "Di Zhang", "David DeWitt"]
    assert rejoin_letters(["Ann Lee", "B", "C", "D"]) is None
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"title": "Zorb", "authors": list("AnnLee,BoChen")}) + "\n")
    result = ingest([path])
    assert [a.name for a in result.papers[0].authors] == ["Ann Lee", "Bo Chen"]
    assert [str(w) for f in result.report.files for w in f.warnings] == [
        f"{path}:1: authors were stored one letter per entry; read as Ann Lee; Bo Chen"]


def test_a_rare_name_or_a_small_build_stays_one_person():
    from kg.authors import resolve_authors as resolve_people

    ps = [paper("p1", "Wei Lin", "Ann Lee"), paper("p2", "Wei Lin", "Cy Dee", abstract=CLINIC)]
    rare = resolve_people(ps, author_key, name_counts={"first": {}, "last": {}}, min_papers=0)
    assert set(people(rare, "wei lin", ["p1", "p2"])) == {"author:wei-lin"}
    assert [r["reason"] for r in rare.report if r["name"] == "Wei Lin"] == [
        "a rare name (one person unless a decision splits it)"]
    small = resolve_people(ps, author_key, name_counts=COMMON)
    assert [r["reason"] for r in small.report if r["name"] == "Wei Lin"] == [
        "a build of fewer than 100 papers (one person unless a decision splits it)"]


def test_an_introduced_name_is_not_an_acronym_written_in_capitals_elsewhere():
    ps = [paper("p1", "Ann Lee"), paper("p2", "Bo Chen"), paper("p3", "Cy Dee")]
    exs = [Extraction(id="p1", title="T", systems_introduced=(sysm("SMaRT", introduced=True),)),
           Extraction(id="p2", title="T", systems_mentioned=(sysm("SMART"),)),
           Extraction(id="p3", title="T", systems_mentioned=(sysm("SMaRT"),))]
    res = resolve(exs, papers=ps)
    assert res.entity_id("System", "SMaRT") != res.entity_id("System", "SMART")
    G, _ = build_graph(ps, [], exs, res, author_key=author_key, authors=resolve_authors(ps, author_key))
    assert sorted((u, k, G.nodes[v]["name"]) for u, v, k in G.edges(keys=True) if k in ("INTRODUCES", "MENTIONS")) == [
        ("paper:p1", "INTRODUCES", "SMaRT"), ("paper:p2", "MENTIONS", "SMART"), ("paper:p3", "MENTIONS", "SMaRT")]


def test_a_capitalised_word_elsewhere_is_not_the_system_one_paper_introduces():
    # One paper introduces DATA (cut from "DATA CIVILIZER"); other papers' sentence-initial "Data" is a word.
    ps = [paper("p1", "Ann Lee"), paper("p2", "Bo Chen")]
    exs = [Extraction(id="p1", title="T", systems_introduced=(sysm("DATA", introduced=True),)),
           Extraction(id="p2", title="T", systems_mentioned=(sysm("Data"),))]
    res = resolve(exs, papers=ps)
    assert res.entity_id("System", "DATA") != res.entity_id("System", "Data")


def test_no_technique_is_matched_by_a_generic_word():
    from kg.extract.gazetteer import data_path, read_jsonl

    generic = {"data", "tensor", "pipeline", "model", "memory", "cache", "graph", "kernel", "training",
               "inference", "parallel", "parallelism", "attention", "network", "scheduling", "batching"}
    hits = [(r["id"], form) for r in read_jsonl(data_path("techniques.jsonl")) if r.get("match") is not False
            for form in (r["name"], *r.get("aliases", []), *r.get("acronyms", [])) if form.casefold() in generic]
    assert hits == []
