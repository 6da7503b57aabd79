"""The rule functions of extraction, gathered from the rooms they live in (`tokens`, `acronyms`, `names`,
`factors`, `cues`, `titles`): pure functions over plain strings that return character offsets into the
text they were given. `kg.extract.core` and the tests call them as `rules.<name>`."""

from __future__ import annotations

from kg.extract.tokens import (  # noqa: F401
    mask_latex, CAP, GAZ, GAZ_CI, MODEL, NAME, INTRO, NAMING, NOVEL, PART, WORD_RUN, first_part,
    TokenClasses, starts_of, split_sentences, sentence_of, lower_same_length,
)
from kg.extract.acronyms import (  # noqa: F401
    is_acronym_of, acronym_definitions,
)
from kg.extract.names import (  # noqa: F401
    is_nameish, nameish_tokens, kind_named, intro_candidates, intro_names, definite_name, long_forms_after,
    CONCEPT_HEADS, TECHNIQUE_HEADS, KIND_NOUNS,
)
from kg.extract.factors import (  # noqa: F401
    FACTOR, METRICS, normalize_factor, factors, metric_near,
)
from kg.extract.cues import (  # noqa: F401
    sentence_cues, relation_cue, is_weak_cue,
)
from kg.extract.titles import (  # noqa: F401
    title_suffix_name, title_acronym_name, subtitle_long_form, title_name,
)

__all__ = ['CAP', 'CONCEPT_HEADS', 'FACTOR', 'GAZ', 'GAZ_CI', 'INTRO', 'KIND_NOUNS', 'METRICS', 'MODEL',
    'NAME', 'NAMING', 'NOVEL', 'PART', 'TECHNIQUE_HEADS', 'TokenClasses', 'WORD_RUN', 'acronym_definitions',
    'definite_name', 'factors', 'first_part', 'intro_candidates', 'intro_names', 'is_acronym_of',
    'is_nameish', 'is_weak_cue', 'kind_named', 'long_forms_after', 'lower_same_length', 'mask_latex',
    'metric_near', 'nameish_tokens', 'normalize_factor', 'relation_cue', 'sentence_cues', 'sentence_of',
    'split_sentences', 'starts_of', 'subtitle_long_form', 'title_acronym_name', 'title_name',
    'title_suffix_name']
