"""Key-for-key, type-for-type comparison of two TMDb answers (the mirror's and the double's)."""

from __future__ import annotations

# Lists the mirror keeps trimmed (the catalog stores key crew only): compared element by element
# over the shorter length.
TRIMMED = frozenset({"crew"})


def shape_mismatches(mine, theirs, path: str = "$", *, lengths: bool = True) -> list[str]:
    """Every place where the two answers differ in keys or in JSON types; [] when they conform.
    `lengths=False`: lists may differ in length (compared over the shorter one)."""
    if type(mine) is not type(theirs):
        return [f"{path}: {type(mine).__name__} != {type(theirs).__name__}"]
    if isinstance(mine, dict):
        problems = []
        if set(mine) != set(theirs):
            extra, missing = sorted(set(mine) - set(theirs)), sorted(set(theirs) - set(mine))
            problems.append(f"{path}: extra keys {extra}, missing keys {missing}")
        for key in sorted(set(mine) & set(theirs)):
            problems += shape_mismatches(mine[key], theirs[key], f"{path}.{key}", lengths=lengths)
        return problems
    if isinstance(mine, list):
        name = path.rsplit(".", 1)[-1]
        if lengths and len(mine) != len(theirs) and name not in TRIMMED:
            return [f"{path}: {len(mine)} items != {len(theirs)}"]
        problems = []
        for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
            problems += shape_mismatches(a, b, f"{path}[{index}]", lengths=lengths)
        return problems
    return []


def result_ids(body: dict) -> list[int]:
    return [item["id"] for item in body.get("results") or body.get("movie_results") or []]
