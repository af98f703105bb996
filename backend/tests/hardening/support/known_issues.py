"""Known, reported deviations the fuzzer steps around until their owners fix them.

Each entry names its owner and a reproduction; `test_fuzz.test_known_issue_still_reproduces`
fails as soon as one is fixed, so the entry is removed and the fuzzer covers that ground again.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownIssue:
    slug: str
    owner: str
    operations: str  # regex over schemathesis labels, e.g. "GET /api/v1/movies/"
    drop_query: tuple[str, ...]  # query parameters removed from generated cases
    reproduction: str  # "GET <path>?<query>" whose response violates the schema

    def applies_to(self, label: str) -> bool:
        return re.search(self.operations, label) is not None


KNOWN_ISSUES = [
    KnownIssue(
        slug="fields-selection-vs-required",
        owner="catalog (issue 3)",
        operations=r"^GET /api/v1/(movies|genres)/",
        drop_query=("fields",),
        reproduction="GET /api/v1/movies/discover/?fields=title",
    ),
]


def dropped_query(label: str) -> set[str]:
    return {name for issue in KNOWN_ISSUES if issue.applies_to(label) for name in issue.drop_query}
