"""A minimal Django-admin client for talking to one web replica directly (secure cookies over loopback)."""

from html.parser import HTMLParser

import requests


class _FormParser(HTMLParser):
    """Collects the fields a browser would submit from the first <form> with the given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.fields[name] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, form_id: str) -> dict[str, str]:
    parser = _FormParser(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id} in the page"
    return parser.fields


class AdminClient:
    """Logs in to /admin/ as a browser behind TLS-terminating nginx would (X-Forwarded-Proto: https)."""

    def __init__(self, base_url: str, *, host: str):
        self.base_url, self.host, self.cookies = base_url, host, {}

    def _headers(self, path: str) -> dict[str, str]:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{self.host}",
            "Referer": f"https://{self.host}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(
            method,
            self.base_url + path,
            headers=self._headers(path),
            allow_redirects=False,
            timeout=10,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def login(self, email: str, password: str) -> None:
        page = self.request("GET", "/admin/login/")
        fields = form_fields(page.text, "login-form")
        fields.update(username=email, password=password)
        response = self.request("POST", "/admin/login/?next=/admin/", data=fields)
        assert response.status_code == 302, f"admin login failed: {response.status_code}"
        assert "sessionid" in self.cookies

    def change(self, path: str, **changes: str) -> requests.Response:
        page = self.request("GET", path)
        assert page.status_code == 200, page.status_code
        fields = form_fields(page.text, path.strip("/").split("/")[-3] + "_form")
        fields.update(changes, _save="Save")
        return self.request("POST", path, data=fields)
