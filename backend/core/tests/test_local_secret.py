"""The embedded defaults' SECRET_KEY: random, made once, kept outside git, never committed."""

import stat
import threading

from config.settings.env import local_secret

from .fresh_process import run_python


def test_the_first_start_makes_a_random_key_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".secret_key"
    key = local_secret(path)
    assert len(key) >= 50
    assert path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret(tmp_path / "other") != key


def test_later_starts_keep_the_key(tmp_path):
    path = tmp_path / ".secret_key"
    assert local_secret(path) == local_secret(path)


def test_concurrent_first_starts_agree_on_one_key(tmp_path):
    # given eight processes' worth of threads starting at once (runserver's reloader starts two)
    path, keys, barrier = tmp_path / ".secret_key", [], threading.Barrier(8)

    def start():
        barrier.wait()
        keys.append(local_secret(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every one got the key that is on disk, and no draft file is left behind
    assert set(keys) == {path.read_text()}
    assert [entry.name for entry in tmp_path.iterdir()] == [".secret_key"]


def test_local_settings_without_a_secret_key_use_the_kept_one():
    probe = (
        "from django.conf import settings; "
        "print(settings.SECRET_KEY == settings.LOCAL_SECRET_KEY_FILE.read_text().strip(), "
        "settings.SIMPLE_JWT['SIGNING_KEY'] != settings.SECRET_KEY, len(settings.SECRET_KEY) >= 50)"
    )
    result = run_python(probe, drop=("SECRET_KEY", "JWT_SIGNING_KEY"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
