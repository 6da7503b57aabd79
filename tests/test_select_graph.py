"""A small hand-built graph in the kg schema, shared by the select, export and view tests.

Written by hand (not from the seeds) so the tests pin exact counts; its strings are hostile on purpose:
HTML, quotes, backslashes, newlines, non-ASCII and an astral emoji.
"""

from __future__ import annotations

import networkx as nx

from kg.schema import EDGE_TYPES, NODE_TYPES, edge_key

HOSTILE = "<img src=x onerror=alert(1)>"
QUOTES = "Dan \"Quote\" O'Back\\slash"
SCRIPT = "Sys</script><script>alert(2)</script>"


def sample_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()

    def node(nid: str, kind: str, name: str, **attrs: object) -> None:
        G.add_node(nid, type=kind, name=name, **attrs)

    def edge(u: str, v: str, kind: str, paper: str | None = None, **attrs: object) -> None:
        if paper is not None:
            attrs["paper"] = paper
        G.add_edge(u, v, key=edge_key(kind, paper), type=kind, **attrs)

    # Authors
    node("author:zhihao-jia", "Author", "Zhihao Jia", h_index=50, citations=2836, profile=True)
    node("author:ada-lovelace", "Author", "Ada Lovelace")
    node("author:bob", "Author", "Bob <b>Bold</b>")
    node("author:emile", "Author", "Émile Ünïcode 🚀")
    node("author:dan", "Author", QUOTES)
    # Papers
    node("paper:2401.00001", "Paper", HOSTILE, title=HOSTILE, year=2024, has_code=True,
         abstract="We beat vLLM by 12x.\nSecond line with a tab\tand a \\ backslash.",
         sources=["listing.txt:1"], arxiv_id="2401.00001")
    node("paper:2301.00002", "Paper", 'Paged Attention, Revisited: "vLLM" at scale',
         title='Paged Attention, Revisited: "vLLM" at scale', year=2023, has_code=False,
         abstract="vLLM builds on paged memory.", sources=["listing.txt:5", "other.bib:12"])
    node("paper:t-0123456789ab", "Paper", "LoRA serving for everyone", title="LoRA serving for everyone",
         year=2022, has_code=False, abstract="Punica integrates into vLLM.", sources=["listing.txt:9"])
    node("paper:a-ba9876543210", "Paper", "Untitled", title="Untitled", has_code=False,
         abstract="No year is known for this one.", sources=["abstracts.txt:3"])
    # Entities
    node("system:vllm", "System", "vLLM", aliases=["vLLM", "Virtual LLM"])
    node("system:punica", "System", "Punica", aliases=["Punica"])
    node("system:flashinfer", "System", "FlashInfer", aliases=[])
    node("system:evil", "System", SCRIPT, aliases=[SCRIPT, "it's \\ \"bad\""])
    node("technique:lora", "Technique", "LoRA", key="lora", discovered=False, parent="peft")
    node("technique:peft", "Technique", "Parameter-efficient fine-tuning", key="peft", discovered=False)
    node("technique:speculative-decoding", "Technique", "speculative decoding", key="speculative-decoding",
         discovered=False)
    node("hardware:a100", "Hardware", "A100", aliases=["NVIDIA A100"])
    node("category:cs.dc", "Category", "cs.DC")
    node("org:uw", "Organization", "uw")

    # Authorship
    for position, a in enumerate(["author:zhihao-jia", "author:ada-lovelace", "author:bob"]):
        edge(a, "paper:2401.00001", "AUTHORED", position=position, inferred=a == "author:zhihao-jia")
    for position, a in enumerate(["author:zhihao-jia", "author:emile"]):
        edge(a, "paper:2301.00002", "AUTHORED", position=position, inferred=False)
    for position, a in enumerate(["author:ada-lovelace", "author:dan"]):
        edge(a, "paper:t-0123456789ab", "AUTHORED", position=position, inferred=False)
    edge("author:ada-lovelace", "author:zhihao-jia", "CO_AUTHOR", weight=1, papers=["2401.00001"])
    edge("author:bob", "author:zhihao-jia", "CO_AUTHOR", weight=1, papers=["2401.00001"])
    edge("author:ada-lovelace", "author:bob", "CO_AUTHOR", weight=1, papers=["2401.00001"])
    edge("author:emile", "author:zhihao-jia", "CO_AUTHOR", weight=2, papers=["2301.00002", "2401.00001"])
    edge("author:ada-lovelace", "author:dan", "CO_AUTHOR", weight=1, papers=["t-0123456789ab"])
    edge("paper:2401.00001", "org:uw", "AFFILIATED_WITH")

    # Content
    ev = {"evidence": "We beat vLLM by 12x.", "start": 0, "end": 20, "text": "vLLM"}
    edge("paper:2401.00001", "system:flashinfer", "INTRODUCES", **{**ev, "text": "FlashInfer"})
    edge("paper:2401.00001", "system:vllm", "MENTIONS", **ev)
    edge("paper:2401.00001", "hardware:a100", "MENTIONS", **{**ev, "text": "A100"})
    edge("paper:2401.00001", "technique:speculative-decoding", "USES", **ev)
    edge("paper:2301.00002", "system:vllm", "INTRODUCES", evidence="vLLM builds on paged memory.", start=0,
         end=28, text="vLLM")
    edge("paper:t-0123456789ab", "system:punica", "INTRODUCES", evidence="Punica integrates into vLLM.",
         start=0, end=27, text="Punica")
    edge("paper:t-0123456789ab", "technique:lora", "USES", evidence="Punica integrates into vLLM.", start=0,
         end=27, text="LoRA")
    edge("paper:a-ba9876543210", "system:evil", "MENTIONS", evidence=f"{SCRIPT} is {HOSTILE}", start=0, end=5,
         text="Sys")
    edge("technique:lora", "technique:peft", "SUBTOPIC_OF")
    for p in ("paper:2401.00001", "paper:2301.00002", "paper:t-0123456789ab"):
        edge(p, "category:cs.dc", "IN_CATEGORY")

    # The system-citation graph
    edge("system:flashinfer", "system:vllm", "COMPARES_WITH", paper="2401.00001", factor="12x",
         metric="throughput", evidence=f"We beat vLLM by 12x. {HOSTILE}", start=0, end=20)
    edge("system:vllm", "system:evil", "BUILDS_ON", paper="2301.00002", evidence="vLLM builds on \"paged\" memory.",
         start=0, end=28)
    edge("system:punica", "system:vllm", "INTEGRATES_INTO", paper="t-0123456789ab",
         evidence="Punica integrates into vLLM.", start=0, end=27)
    edge("system:punica", "system:vllm", "COMPARES_WITH", paper="t-0123456789ab", factor="2.5x",
         metric="latency", evidence="Punica is 2.5x faster than vLLM.", start=0, end=31)
    return G


def test_sample_graph_follows_the_schema() -> None:
    G = sample_graph()
    assert (G.number_of_nodes(), G.number_of_edges()) == (19, 29)
    for n, d in G.nodes(data=True):
        assert d["type"] in NODE_TYPES, n
        for prop in NODE_TYPES[d["type"]]:
            assert prop in d, (n, prop)
        assert all(v is not None for v in d.values()), n
    for u, v, k, d in G.edges(keys=True, data=True):
        pairs, required, _ = EDGE_TYPES[d["type"]]
        assert (G.nodes[u]["type"], G.nodes[v]["type"]) in pairs, (u, v, k)
        for prop in required:
            assert prop in d, (u, v, k, prop)
        assert k == edge_key(d["type"], d.get("paper"))
