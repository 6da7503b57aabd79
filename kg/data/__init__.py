"""Data files: gazetteers, the technique taxonomy, category codes and alias rules (JSONL, one entry a line,
each with a stable `id`). Read them with importlib.resources so an installed wheel finds them."""
