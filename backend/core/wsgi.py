"""WSGI plumbing used by config.wsgi (kept here so tests can import it without starting the app)."""

# What a server itself puts in a request's environ (PEP 3333 and CGI); request headers are HTTP_*.
SERVER_KEYS = frozenset(
    {
        "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
        "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "GATEWAY_INTERFACE",
        "REMOTE_ADDR", "REMOTE_PORT", "REMOTE_HOST", "RAW_URI", "REQUEST_URI",
    }
)  # fmt: skip


class WithoutProcessEnvironment:
    """granian copies the process environment (SECRET_KEY, DATABASE_URL, …) into every request's
    environ, where it would show up in request.META and in anything that reports it. This drops
    those names before Django sees the request; an HTTP_* one (HTTP_PROXY) goes too, which also
    keeps a client's `Proxy:` header away from code that reads it as a proxy setting (httpoxy)."""

    def __init__(self, app, names):
        self.app = app
        self.names = tuple(name for name in names if name not in SERVER_KEYS)

    def __call__(self, environ, start_response):
        pop = environ.pop
        for name in self.names:
            pop(name, None)
        return self.app(environ, start_response)
