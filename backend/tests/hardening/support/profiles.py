"""Fast (CI) and deep (`make hardening`) budgets, chosen by HARDENING_PROFILE."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # Total fuzzing examples spread over every (operation, mode, identity) combination…
    fuzz_budget: int
    # …but never fewer or more than these per combination.
    fuzz_min: int
    fuzz_max: int
    abuse_requests: int


PROFILES = {
    "fast": Profile("fast", fuzz_budget=500, fuzz_min=3, fuzz_max=12, abuse_requests=300),
    "deep": Profile("deep", fuzz_budget=4000, fuzz_min=20, fuzz_max=60, abuse_requests=2000),
}


def current() -> Profile:
    name = os.environ.get("HARDENING_PROFILE", "fast").strip() or "fast"
    if name not in PROFILES:
        raise ValueError(f"HARDENING_PROFILE must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[name]


def examples_per_combination(combinations: int) -> int:
    profile = current()
    share = profile.fuzz_budget // max(combinations, 1)
    return max(profile.fuzz_min, min(profile.fuzz_max, share))
