"""Readiness warns when the app port is public while X-Forwarded-For is trusted (NUM_PROXIES > 0)."""

import ipaddress

import pytest

from core import exposure

pytestmark = pytest.mark.django_db

PUBLIC, PRIVATE = ipaddress.ip_address("203.0.114.7"), ipaddress.ip_address("172.18.0.5")


@pytest.fixture
def trusting(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    return settings


def ready_warnings(api_client) -> list[str]:
    response = api_client.get("/health/ready")
    assert response.status_code == 200, response.json()
    return response.json()["data"]["warnings"]


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "10.1.2.3:8000", "[::1]:8000", "localhost:8000"])
def test_an_internal_bind_is_not_warned_about(api_client, trusting, bind):
    trusting.WEB_BIND = bind
    assert ready_warnings(api_client) == []


def test_a_public_bind_is_warned_about_but_stays_ready(api_client, trusting):
    trusting.WEB_BIND = "203.0.114.7:8000"
    assert ready_warnings(api_client) == [exposure.APP_PORT_PUBLIC]


@pytest.mark.parametrize(("interfaces", "warned"), [([PRIVATE], False), ([PRIVATE, PUBLIC], True)])
def test_a_wildcard_bind_is_judged_by_the_interfaces(api_client, trusting, monkeypatch, interfaces, warned):
    # given: a container (private only) or a host with a public interface
    trusting.WEB_BIND = "0.0.0.0:8000"
    monkeypatch.setattr(
        exposure, "interface_addresses", lambda: [ipaddress.ip_address("127.0.0.1"), *interfaces]
    )
    # then
    assert (ready_warnings(api_client) == [exposure.APP_PORT_PUBLIC]) is warned


def test_without_trusted_proxies_nothing_is_warned(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    settings.WEB_BIND = "203.0.114.7:8000"
    assert ready_warnings(api_client) == []


def test_this_machines_interfaces_are_read():
    addresses = exposure.interface_addresses()
    assert ipaddress.ip_address("127.0.0.1") in addresses
