"""The WSGI entry point: startup objects out of the garbage collector's reach, process variables
out of requests."""

from core.wsgi import WithoutProcessEnvironment

from .fresh_process import run_python

PROBE = """
import gc, sys
import config.wsgi
print(gc.get_freeze_count(), "apps.movies.views" in sys.modules,
      "DJANGO_SETTINGS_MODULE" in config.wsgi.application.names)
"""


def test_importing_the_application_loads_every_view_and_freezes_the_startup_objects():
    # given a fresh process with the embedded settings
    # when it imports config.wsgi as granian/gunicorn workers do
    result = run_python(PROBE, drop=("DATABASE_URL", "REDIS_URL"))
    # then the URLconf's views were imported before the freeze, and tens of thousands of objects
    # (Django, DRF, the app) are frozen, so a full collection no longer walks them
    assert result.returncode == 0, result.stderr
    frozen, views_loaded, strips_process_variables = result.stdout.split()
    assert views_loaded == "True"
    assert strips_process_variables == "True"
    assert int(frozen) > 50_000


def test_the_process_environment_never_reaches_the_request():
    # given granian's habit: the process environment copied into every request's environ
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    wrapped = WithoutProcessEnvironment(app, ["SECRET_KEY", "DATABASE_URL", "HTTP_PROXY", "SERVER_NAME"])
    environ = {
        "SECRET_KEY": "s3cret",
        "DATABASE_URL": "postgres://user:password@db/app",
        "HTTP_PROXY": "http://evil:3128",
        "SERVER_NAME": "api.example.com",
        "HTTP_HOST": "api.example.com",
        "PATH_INFO": "/api/v1/movies/",
    }
    # when a request goes through the entry point
    wrapped(environ, lambda *args: None)
    # then the app sees what the server and the client sent, and none of the process's variables
    assert "SECRET_KEY" not in seen and "DATABASE_URL" not in seen and "HTTP_PROXY" not in seen
    assert seen["SERVER_NAME"] == "api.example.com"
    assert seen["HTTP_HOST"] == "api.example.com"
    assert seen["PATH_INFO"] == "/api/v1/movies/"
