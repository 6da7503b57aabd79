"""kg.select: one selection function for views and exports."""

from __future__ import annotations

import pytest
from test_select_graph import sample_graph

from kg.errors import NotFoundError, SelectionError
from kg.select import Selection, select


def ids(result) -> list[str]:
    return sorted(result.graph)


def test_no_selection_is_a_copy_of_the_whole_graph() -> None:
    G = sample_graph()
    result = select(G)
    assert ids(result) == sorted(G)
    assert result.graph.number_of_edges() == G.number_of_edges()
    assert result.graph is not G
    assert result.dropped == ()


def test_the_input_graph_is_never_changed() -> None:
    G = sample_graph()
    before = (sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True)))
    select(G, Selection(since=2024, min_weight=2, types=("Author",), limit=1))
    select(G, Selection(center=("vLLM",), hops=2, edge_types=("COMPARES_WITH",)))
    assert (sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True))) == before


def test_center_with_one_hop_ignores_edge_direction() -> None:
    result = select(sample_graph(), Selection(center=("vLLM",)))
    # In-edges (papers, FlashInfer, Punica) and out-edges (BUILDS_ON the hostile system) both count.
    assert ids(result) == ["paper:2301.00002", "paper:2401.00001", "system:evil", "system:flashinfer",
                           "system:punica", "system:vllm"]
    assert result.centers == ("system:vllm",)
    assert result.summary() == ["hops: dropped 13 nodes and 22 edges (more than 1 hop from the center)"]


def test_repeated_centers_take_the_union_and_hops_zero_keeps_only_them() -> None:
    result = select(sample_graph(), Selection(center=("Punica", "FlashInfer"), hops=0))
    assert ids(result) == ["system:flashinfer", "system:punica"]
    assert result.graph.number_of_edges() == 0


def test_shortcuts_look_names_up_among_their_own_type_only() -> None:
    G = sample_graph()
    assert select(G, Selection(author=("zhihao jia",), hops=0)).centers == ("author:zhihao-jia",)
    assert select(G, Selection(technique=("LoRA",), hops=0)).centers == ("technique:lora",)
    with pytest.raises(NotFoundError) as err:
        select(G, Selection(author=("vLLM",)))
    assert str(err.value).startswith("no entity named 'vLLM' among Author nodes")


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(NotFoundError) as err:
        select(sample_graph(), Selection(center=("vlm",)))
    assert str(err.value) == "no entity named 'vlm'; did you mean: vLLM?"


def test_edge_types_are_applied_before_the_walk() -> None:
    # Along COMPARES_WITH only, FlashInfer reaches vLLM and then Punica; papers are never on the way.
    result = select(sample_graph(), Selection(system=("FlashInfer",), hops=2, edge_types=("COMPARES_WITH",)))
    assert ids(result) == ["system:flashinfer", "system:punica", "system:vllm"]
    assert {d["type"] for *_, d in result.graph.edges(data=True)} == {"COMPARES_WITH"}


def test_edge_types_drop_the_nodes_they_leave_alone() -> None:
    result = select(sample_graph(), Selection(edge_types=("CO_AUTHOR",)))
    assert ids(result) == ["author:ada-lovelace", "author:bob", "author:dan", "author:emile", "author:zhihao-jia"]
    assert result.summary() == [
        "edge-type: dropped 24 edges (not CO_AUTHOR)",
        "edge-type: dropped 14 nodes (no edge of the kept types)",
    ]


def test_types_are_applied_after_the_walk() -> None:
    # Systems two steps from vLLM through papers, not only those linked to it directly.
    result = select(sample_graph(), Selection(center=("Zhihao Jia",), hops=2, types=("System",)))
    assert ids(result) == ["system:flashinfer", "system:vllm"]


def test_since_keeps_papers_in_range_and_what_they_connect() -> None:
    result = select(sample_graph(), Selection(since=2023))
    H = result.graph
    assert sorted(n for n in H if n.startswith("paper:")) == ["paper:2301.00002", "paper:2401.00001"]
    # Dan and Punica only connect to the 2022 paper; the taxonomy parent only to a dropped technique.
    for gone in ("author:dan", "system:punica", "technique:lora", "technique:peft", "paper:a-ba9876543210"):
        assert gone not in H
    # Citation edges stated by a dropped paper go; the ones stated in range stay.
    assert sorted(k for *_, k in H.edges(keys=True) if "|" in k) == ["BUILDS_ON|2301.00002",
                                                                      "COMPARES_WITH|2401.00001"]
    assert result.summary() == [
        "since/until: dropped 2 nodes and 6 edges (papers outside 2023-... or with no year)",
        "since/until: dropped 4 nodes and 3 edges (not connected to a paper from 2023-...)",
    ]


def test_year_filter_recounts_co_authorship_over_kept_papers() -> None:
    G = sample_graph()
    assert G.edges["author:emile", "author:zhihao-jia", "CO_AUTHOR"]["weight"] == 2
    H = select(G, Selection(until=2023)).graph
    edge = H.edges["author:emile", "author:zhihao-jia", "CO_AUTHOR"]
    assert (edge["weight"], edge["papers"]) == (1, ["2301.00002"])
    assert not H.has_edge("author:ada-lovelace", "author:bob")  # their only joint paper is from 2024


def test_min_weight_drops_light_co_authorships() -> None:
    result = select(sample_graph(), Selection(edge_types=("CO_AUTHOR",), min_weight=2))
    assert ids(result) == ["author:emile", "author:zhihao-jia"]


def test_limit_keeps_the_most_connected_with_ties_broken_by_id() -> None:
    G = sample_graph()
    result = select(G, Selection(limit=4))
    # Degrees: the 2024 paper 9, vLLM 6, then Ada, Zhihao Jia and the 2022 paper 5 each: ties go by id.
    assert ids(result) == ["author:ada-lovelace", "author:zhihao-jia", "paper:2401.00001", "system:vllm"]
    (drop,) = result.dropped
    assert (drop.step, len(drop.nodes), drop.reason) == ("limit", 15, "kept the 4 most connected")
    assert result.summary()[0].startswith("limit: dropped 15 nodes and 25 edges (kept the 4 most connected): "
                                          "author:bob, author:dan, author:emile, category:cs.dc, ")
    assert select(G, Selection(limit=4)).graph.nodes == result.graph.nodes  # deterministic


def test_limit_keeps_centers_first() -> None:
    result = select(sample_graph(), Selection(center=("A100",), hops=1, limit=1))
    assert ids(result) == ["hardware:a100"]


def test_a_selection_that_matches_nothing_says_why() -> None:
    G = sample_graph()
    with pytest.raises(SelectionError) as err:
        select(G, Selection(since=2030))
    assert str(err.value) == "the selection matched nothing after --since/--until: papers span 2022-2024"
    with pytest.raises(SelectionError) as err:
        select(G, Selection(center=("Zhihao Jia",), types=("Dataset",)))
    assert str(err.value) == "the selection matched nothing after --type: within 1 hop there are Author, Paper"


def test_centers_survive_the_filters() -> None:
    # LoRA is only used by a 2022 paper: the center stays, alone, rather than failing the selection.
    result = select(sample_graph(), Selection(center=("LoRA",), since=2024))
    assert ids(result) == ["technique:lora"]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection(types=("system",)), ("unknown --type 'system': did you mean System? allowed: Author, Paper, "
                                        "System, Technique, Model, Hardware, Dataset, Benchmark, Organization, "
                                        "Category")),
        (Selection(edge_types=("CITES",)), ("unknown --edge-type 'CITES': did you mean INTRODUCES? allowed: "
                                            "AUTHORED, CO_AUTHOR, INTRODUCES, MENTIONS, USES, COMPARES_WITH, "
                                            "BUILDS_ON, INTEGRATES_INTO, IN_CATEGORY, AFFILIATED_WITH, SUBTOPIC_OF, "
                                            "VARIANT_OF")),
        (Selection(since=2025, until=2020), "--since 2025 is after --until 2020"),
        (Selection(limit=0), "--limit must be 1 or more, not 0"),
        (Selection(hops=-1), "--hops must be 0 or more, not -1"),
    ],
)
def test_bad_options_are_one_line_errors(selection: Selection, message: str) -> None:
    with pytest.raises(SelectionError) as err:
        select(sample_graph(), selection)
    assert str(err.value) == message
