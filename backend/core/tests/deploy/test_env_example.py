""".env.example documents every environment variable the settings and the containers read."""

import itertools
import re

from . import harness

SETTINGS_DIR = harness.ROOT / "backend" / "config" / "settings"
READER = re.compile(r"env_(?:str|int|bool|list|float)\(\s*\"([A-Z][A-Z0-9_]*)\"")
SHELL_DEFAULT = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-?])")
PYTHON_ENVIRON = re.compile(r"(?:os\.environ(?:\.get)?[\[(]|_env(?:_int)?\()\"([A-Z][A-Z0-9_]*)\"")


def documented() -> dict[str, str]:
    """NAME -> the comment line just above `NAME=` or `# NAME=`."""
    lines = (harness.ROOT / ".env.example").read_text().splitlines()
    found = {}
    for previous, line in itertools.pairwise(lines):
        match = re.match(r"^#?\s?([A-Z][A-Z0-9_]*)=", line)
        if match:
            found[match.group(1)] = previous
    return found


def read_by_settings() -> set[str]:
    return {name for path in SETTINGS_DIR.glob("*.py") for name in READER.findall(path.read_text())}


def read_by_containers() -> set[str]:
    names = set(SHELL_DEFAULT.findall((harness.DOCKER_DIR / "entrypoint.sh").read_text()))
    names |= set(SHELL_DEFAULT.findall(harness.COMPOSE_FILE.read_text()))
    for script in harness.DOCKER_DIR.glob("*.py"):
        names |= set(PYTHON_ENVIRON.findall(script.read_text()))
    return names - {"APP_DIR", "PYTHON", "HOSTNAME"}


def test_every_setting_read_from_the_environment_is_in_env_example():
    missing = read_by_settings() - set(documented())
    assert not missing, f"add to .env.example (with a one-line comment): {sorted(missing)}"


def test_every_container_variable_is_in_env_example():
    missing = read_by_containers() - set(documented())
    assert not missing, f"add to .env.example (with a one-line comment): {sorted(missing)}"


def test_every_documented_variable_has_a_comment():
    uncommented = [name for name, previous in documented().items() if not previous.startswith("# ")]
    assert not uncommented
    assert len(documented()) > 60


def test_required_secrets_are_left_empty():
    text = (harness.ROOT / ".env.example").read_text()
    for secret in ("SECRET_KEY", "JWT_SIGNING_KEY", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{secret}=$", text, re.MULTILINE), secret
