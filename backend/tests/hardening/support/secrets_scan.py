"""A small secrets scanner over the repository history (`git log -p`): key patterns and entropy.

Run it alone with `python backend/tests/hardening/support/secrets_scan.py` (exit 1 on findings).
"""

import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

# Known credential shapes: reported wherever they appear.
PATTERNS = {
    "private-key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY-----"),
    "aws-access-key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "github-token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"),
    "slack-token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "stripe-key": re.compile(r"\b[rs]k_live_[A-Za-z0-9]{20,}\b"),
    "google-api-key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "jwt": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),
    "url-credentials": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]{6,})@"),
}
# `NAME = "value"` / `NAME: value` where NAME smells of a secret: reported when the value is random.
ASSIGNMENT = re.compile(
    r"""(?i)\b[\w.-]*(?:secret|password|passwd|token|api[_-]?key|signing[_-]?key|access[_-]?key)[\w.-]*"""
    r"""\s*[:=]\s*["']?([A-Za-z0-9+/_\-.=!@#$%^&*]{20,})["']?"""
)
MIN_ENTROPY = 3.5  # bits per character; English-like identifiers sit well below

# Test constants and documented placeholders (values, not files: a real key in a test file is still found).
ALLOWED_VALUES = {
    "test-secret-key-not-for-production-0123456789abcdef",
    "k3J9vQ2xLr8ZpT6wNc4YbH1sFg7DmA5uEi0oRtWqXyUzVnMlKjHgFdSaPoIuYtRe",
    "a-separate-jwt-signing-key-with-enough-entropy-42",
    "django-insecure-movie-nexus-local-only",
    "not-the-signing-key-but-long-enough-0123456789",
}
ALLOWED_PATH_PARTS = ("/tests/", "conftest.py", "settings/test.py", "tmdb/double.py", ".env.example")
URL_PASSWORDS_ALLOWED = {"guest", "postgres", "password", "change-me", "changeme"}


@dataclass(frozen=True)
class Finding:
    commit: str
    path: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.commit[:10]} {self.path}: {self.kind}: {self.excerpt}"


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def scan_line(line: str, path: str) -> list[tuple[str, str]]:
    hits = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(line):
            value = match.group(match.lastindex or 0)
            if kind == "url-credentials" and value.lower() in URL_PASSWORDS_ALLOWED | {"guest"}:
                continue
            if kind == "jwt" and _allowed_path(path):
                continue
            hits.append((kind, value))
    for match in ASSIGNMENT.finditer(line):
        value = match.group(1)
        if value in ALLOWED_VALUES or _allowed_path(path) or _looks_like_code(value):
            continue
        if entropy(value) >= MIN_ENTROPY:
            hits.append(("high-entropy-assignment", value))
    return hits


def _allowed_path(path: str) -> bool:
    return any(part in f"/{path}" for part in ALLOWED_PATH_PARTS)


def _looks_like_code(value: str) -> bool:
    """Settings names, dotted paths and env lookups are not secrets."""
    return (
        value.isupper() or value.count(".") >= 2 or value.startswith(("env_", "settings.", "os.", "secrets."))
    )


def scan_history(root: Path = ROOT, rev: str = "HEAD") -> list[Finding]:
    log = subprocess.run(
        [
            shutil.which("git") or "/usr/bin/git",
            "-C",
            str(root),
            "log",
            "-p",
            "--no-color",
            "--unified=0",
            "--format=commit %H",
            rev,
        ],
        capture_output=True,
        text=True,
        errors="replace",
        check=True,
        timeout=120,
    ).stdout
    return scan_patch(log)


def scan_patch(log: str) -> list[Finding]:
    findings, commit, path = [], "", ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.split()[1]
        elif line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else line[4:]
        elif line.startswith("+") and not line.startswith("+++"):
            findings += [
                Finding(commit, path, kind, value[:12] + "…") for kind, value in scan_line(line, path)
            ]
    return findings


if __name__ == "__main__":
    found = scan_history()
    for finding in found:
        print(finding)
    print(f"secrets scan: {len(found)} finding(s)")
    sys.exit(1 if found else 0)
