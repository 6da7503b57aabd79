"""A small hand-made graph for `kg matrix`, `kg trends` and `kg report`: a year of monthly papers in which
speculative decoding bursts at the end while quantization stays flat, a few comparisons with and without
factors, a lineage, two co-author groups, and hostile names that every output must escape."""

from __future__ import annotations

import networkx as nx

from kg.schema import edge_key

SCRIPT = "<script>alert('x')</script>"
# Speculative-decoding papers per month, January to December: one a month, then six in the last quarter.
SPEC = [1, 1, 1, 1, 1, 1, 1, 1, 1, 6, 6, 6]
QUANT = [3] * 12
PER_MONTH = 10


def answers_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()

    def node(nid: str, kind: str, name: str, **attrs: object) -> None:
        G.add_node(nid, type=kind, name=name, **attrs)

    def edge(u: str, v: str, kind: str, paper: str | None = None, **attrs: object) -> None:
        if paper is not None:
            attrs["paper"] = paper
        G.add_edge(u, v, key=edge_key(kind, paper), type=kind, **attrs)

    node("technique:speculative-decoding", "Technique", "speculative decoding", key="speculative-decoding",
         discovered=False)
    node("technique:draft-trees", "Technique", "draft trees", key="draft-trees", discovered=True,
         parent="speculative-decoding")
    edge("technique:draft-trees", "technique:speculative-decoding", "SUBTOPIC_OF")
    node("technique:quantization", "Technique", "quantization", key="quantization", discovered=False)
    for name in ("vLLM", "FlashInfer", "Punica", "SGLang", "S-LoRA", SCRIPT):
        node(f"system:{name.lower()}" if name != SCRIPT else "system:evil", "System", name, aliases=[name])

    for month in range(1, 13):
        for i in range(PER_MONTH):
            pid = f"m{month:02d}-{i}"
            node(f"paper:{pid}", "Paper", f"Paper {pid}", title=f"Paper {pid}", year=2025, month=month,
                 has_code=False, abstract="", sources=[f"feed.jsonl:{month * 100 + i}"])
            if 4 <= i < 4 + SPEC[month - 1]:
                edge(f"paper:{pid}", "technique:speculative-decoding", "USES", evidence=f"{pid} drafts tokens.",
                     start=0, end=10, text="speculative decoding")
            if PER_MONTH - i <= QUANT[month - 1]:
                edge(f"paper:{pid}", "technique:quantization", "USES", evidence=f"{pid} quantizes.", start=0,
                     end=10, text="quantization")
            if i == 5:
                edge(f"paper:{pid}", "system:vllm", "MENTIONS", evidence=f"{pid} runs on vLLM.", start=0, end=10,
                     text="vLLM")

    def paper_intro(pid: str, system: str, sentence: str) -> None:
        edge(f"paper:{pid}", system, "INTRODUCES", evidence=sentence, start=0, end=len(sentence), text=system)

    paper_intro("m02-0", "system:flashinfer", "We present FlashInfer.")
    paper_intro("m03-0", "system:punica", "We present Punica.")
    paper_intro("m11-0", "system:sglang", "We present SGLang.")
    paper_intro("m12-0", "system:s-lora", "We present S-LoRA.")
    paper_intro("m12-1", "system:evil", f"We present {SCRIPT}.")
    # Draft trees are a subtopic of speculative decoding: `--technique "speculative decoding"` keeps its paper.
    edge("paper:m11-0", "technique:draft-trees", "USES", evidence="SGLang drafts trees.", start=0, end=10,
         text="draft trees")

    cmp = [("system:flashinfer", "system:vllm", "m02-0", "12x", "throughput", "FlashInfer beats vLLM by 12x."),
           ("system:punica", "system:vllm", "m03-0", "2.5x", "throughput", "Punica is 2.5x faster than vLLM."),
           ("system:sglang", "system:vllm", "m11-0", "5x", "latency", "SGLang cuts latency 5x over vLLM."),
           ("system:sglang", "system:flashinfer", "m11-0", None, None, "SGLang is compared with FlashInfer."),
           ("system:s-lora", "system:punica", "m12-0", "4x", "throughput", "S-LoRA serves 4x more than Punica."),
           ("system:s-lora", "system:vllm", "m12-0", "30x", "throughput", "S-LoRA improves on vLLM by 30x."),
           ("system:evil", "system:vllm", "m12-1", "2x", None, f"{SCRIPT} beats vLLM by 2x & more."),
           ("paper:m06-0", "system:vllm", "m06-0", None, None, "We measure vLLM.")]
    for u, v, pid, factor, metric, sentence in cmp:
        attrs = {k: x for k, x in (("factor", factor), ("metric", metric)) if x}
        edge(u, v, "COMPARES_WITH", paper=pid, evidence=sentence, start=0, end=len(sentence), **attrs)
    edge("system:punica", "system:vllm", "BUILDS_ON", paper="m03-0", evidence="Punica builds on vLLM.", start=0, end=20)
    edge("system:s-lora", "system:punica", "BUILDS_ON", paper="m12-0", evidence="S-LoRA builds on Punica.", start=0,
         end=22)

    # Two co-author groups that never wrote together.
    groups = {"a": ["Ada Lovelace", "Alan Turing", "Anita Borg"], "b": ["Barbara Liskov", "Butler Lampson"]}
    papers = {"a": ["m02-0", "m03-0", "m12-0"], "b": ["m11-0", "m12-1"]}
    for g, names in groups.items():
        ids = [f"author:{n.lower().replace(' ', '-')}" for n in names]
        for nid, name in zip(ids, names):
            node(nid, "Author", name)
            for pid in papers[g]:
                edge(nid, f"paper:{pid}", "AUTHORED", position=ids.index(nid), inferred=False)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                edge(a, b, "CO_AUTHOR", weight=len(papers[g]), papers=papers[g])
    return G
