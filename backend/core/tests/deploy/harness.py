"""Renders the deployment's nginx config for this machine and runs real nginx and web-server processes."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
NGINX_DIR = ROOT / "nginx"
DOCKER_DIR = ROOT / "docker"
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Production settings refuse weak secrets; these pass their checks and are used only in tests.
TEST_SECRETS = {
    "SECRET_KEY": "k3J9vQ2xLr8ZpT6wNc4YbH1sFg7DmA5uEi0oRtWqXyUzVnMlKjHgFdSaPoIuYtRe",
    "JWT_SIGNING_KEY": "a-separate-jwt-signing-key-with-enough-entropy-42",
}
TEMPLATE_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
UPSTREAM_SERVER = re.compile(r"^\s*server web:8000 resolve [^;]*;\n", re.MULTILINE)


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
    )
    assert found, "nginx is not installed: apt-get install -y nginx (.ci/run does it when missing)"
    return found


def nginx_conf_dir() -> Path:
    """The directory of the installed nginx's own config (for its mime.types)."""
    built = subprocess.run([nginx_binary(), "-V"], capture_output=True, text=True, check=True).stderr
    match = re.search(r"--conf-path=(\S+)", built)
    return Path(match.group(1)).parent if match else Path("/etc/nginx")


def envsubst(text: str, variables: dict[str, str]) -> str:
    """What the nginx image does to templates/: ${NAME} replaced for the given names only."""
    return TEMPLATE_VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"nginx.conf no longer contains exactly one {old!r}"
    return text.replace(old, new)


def render_nginx(
    dest: Path,
    *,
    port: int,
    static_root: Path,
    upstreams: list[str],
    server_name: str = "localhost",
    trust_forwarded_proto: bool = False,
) -> Path:
    """Lay out nginx/ under `dest` as the image does, with loopback upstreams and local paths."""
    (dest / "conf.d").mkdir(parents=True, exist_ok=True)
    (dest / "cache").mkdir(exist_ok=True)
    shutil.copytree(NGINX_DIR / "snippets", dest / "snippets", dirs_exist_ok=True)
    shutil.copy(nginx_conf_dir() / "mime.types", dest / "mime.types")
    main = (NGINX_DIR / "nginx.conf").read_text()
    main = _replace_once(main, "user nginx;", "user root;" if os.geteuid() == 0 else "")
    main = _replace_once(main, "/var/run/nginx.pid", str(dest / "nginx.pid"))
    main = _replace_once(main, "/var/cache/nginx/movie-nexus", str(dest / "cache"))
    (dest / "nginx.conf").write_text(main)
    variables = {
        "NGINX_PORT": str(port),
        "NGINX_SERVER_NAME": server_name,
        "NGINX_STATIC_ROOT": str(static_root),
        "NGINX_TRUST_FORWARDED_PROTO": "on" if trust_forwarded_proto else "off",
    }
    template = (NGINX_DIR / "templates" / "default.conf.template").read_text()
    (dest / "conf.d" / "default.conf").write_text(envsubst(template, variables))
    (dest / "conf.d" / "upstream.conf").write_text(loopback_upstream(upstreams))
    return dest / "nginx.conf"


def loopback_upstream(addresses: list[str]) -> str:
    """The real upstream.conf with `server web:8000 resolve` swapped for loopback servers.

    Debian's nginx (1.22) predates `resolve` in upstream blocks; everything else is kept.
    """
    text = (NGINX_DIR / "conf.d" / "upstream.conf").read_text()
    servers = "".join(f"    server {address} max_fails=3 fail_timeout=10s;\n" for address in addresses)
    rendered, count = UPSTREAM_SERVER.subn(servers, text)
    assert count == 1, "upstream.conf no longer has one `server web:8000 resolve …;` line"
    return rendered


def nginx_command(conf: Path, *args: str) -> list[str]:
    return [nginx_binary(), "-p", str(conf.parent), "-c", str(conf), "-e", "stderr", *args]


# FREE_PORT_RANGE="15200-15299": hand out loopback ports from that range only (round robin over the
# free ones), for a machine where several people's tests and benches must stay in agreed ranges.
PORT_RANGE_VARIABLE = "FREE_PORT_RANGE"
_next_in_range = {"port": 0}


def free_port() -> int:
    """A free loopback port: the kernel's choice, or the next free one in FREE_PORT_RANGE when set."""
    span = os.environ.get(PORT_RANGE_VARIABLE, "").strip()
    if not span:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    low, high = (int(part) for part in span.split("-"))
    start = max(low, _next_in_range["port"])
    for port in [*range(start, high + 1), *range(low, start)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _next_in_range["port"] = port + 1  # not this one again until the range wraps around
        return port
    raise AssertionError(f"no free port in {PORT_RANGE_VARIABLE}={span}")


def wait_for_port(port: int, process: subprocess.Popen, *, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}: {_tail(log)}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout}s: {_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-3000:]


def start(command: list[str], *, env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """Start a process in its own session, so stopping it stops its children too."""
    handle = log.open("wb")
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, *, timeout: float = 10) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def web_env(
    *, server: str, port: int, static_root: Path, database_url: str, host: str, **overrides: str
) -> dict[str, str]:
    """The environment of one `docker/entrypoint.sh web` replica on production settings behind nginx."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(TEST_SECRETS)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS=f"{host},127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        NUM_PROXIES="1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        WEB_SERVER=server,
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="1",
        WEB_THREADS="2",
        GRANIAN_WORKERS_KILL_TIMEOUT="3",
        GUNICORN_GRACEFUL_TIMEOUT="3",
        DB_WAIT_TIMEOUT="10",
        PYTHON=sys.executable,
        PATH=f"{venv_bin()}:{env.get('PATH', '')}",
    )
    env.update(overrides)
    return env


def venv_bin() -> Path:
    return Path(sys.executable).parent


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database Django is connected to (pytest-django's test database)."""
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


@contextmanager
def replicas_behind_nginx(
    tmp: Path, envs: list[dict[str, str]], *, ports: list[int], host: str, static_root: Path
) -> Iterator[tuple[list[str], str]]:
    """`docker/entrypoint.sh web` once per environment (each listening on its port), then real nginx
    with the deployment's config in front of them all; yields the replicas' URLs and nginx's, and
    stops everything it started, in reverse order."""
    processes = []
    try:
        for index, (env, port) in enumerate(zip(envs, ports, strict=True)):
            log = tmp / f"web{index}.log"
            env = {**env, "WEB_BIND": f"127.0.0.1:{port}"}
            processes.append(start(["bash", str(DOCKER_DIR / "entrypoint.sh"), "web"], env=env, log=log))
        for index, (port, process) in enumerate(zip(ports, processes, strict=True)):
            wait_for_port(port, process, timeout=90, log=tmp / f"web{index}.log")
        nginx_port = free_port()
        conf = render_nginx(
            tmp / "nginx",
            port=nginx_port,
            static_root=static_root,
            upstreams=[f"127.0.0.1:{port}" for port in ports],
            server_name=host,
        )
        nginx_log = tmp / "nginx.log"
        processes.append(start(nginx_command(conf, "-g", "daemon off;"), env=dict(os.environ), log=nginx_log))
        wait_for_port(nginx_port, processes[-1], timeout=15, log=nginx_log)
        yield [f"http://127.0.0.1:{port}" for port in ports], f"http://127.0.0.1:{nginx_port}"
    finally:
        for process in reversed(processes):
            stop(process)
