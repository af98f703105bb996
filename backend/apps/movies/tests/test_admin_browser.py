"""The admin in a real headless Chromium: log in, search a movie, open it, resync it."""

import os

import pytest

from apps.movies import admin_actions
from apps.movies.models import Movie
from apps.movies.tests.factories import MovieFactory
from core.adminsite.testing import STAFF_PASSWORD, make_staff
from core.mixins.models import SyncStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1024",
)
WAIT_SECONDS = 15


@pytest.fixture
def browser(tmp_path):
    """Debian's chromium through its chromedriver (Selenium Manager never downloads anything)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert os.access(CHROMEDRIVER, os.X_OK), "install Debian's chromium and chromium-driver (see .ci/run)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def test_staff_logs_in_searches_opens_and_resyncs_a_movie(browser, live_server, monkeypatch, settings):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    # given: a staff member who may change movies, two movies, and TMDb stood in for by a double
    make_staff(perms=("movies.view_movie", "movies.change_movie"))
    MovieFactory(title="Fight Club", tmdb_id=550, poster_path="/fc.jpg", sync_status=SyncStatus.FAILED)
    MovieFactory(title="The Matrix", tmdb_id=603)
    synced: list[int] = []

    def sync_double(tmdb_id: int) -> Movie:
        synced.append(tmdb_id)
        Movie.objects.filter(tmdb_id=tmdb_id).update(sync_status=SyncStatus.COMPLETE)
        return Movie.objects.get(tmdb_id=tmdb_id)

    monkeypatch.setattr(admin_actions, "sync_movie", sync_double)
    settings.TMDB_IMAGE_BASE_URL = f"{live_server.url}/test-images/"  # the browser never leaves this machine
    wait = WebDriverWait(browser, WAIT_SECONDS)

    # when: log in
    browser.get(f"{live_server.url}/admin/")
    wait.until(ec.presence_of_element_located((By.ID, "id_username"))).send_keys("staff@example.com")
    browser.find_element(By.ID, "id_password").send_keys(STAFF_PASSWORD + Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.ID, "user-tools")))

    # and search for the movie
    browser.get(f"{live_server.url}/admin/movies/movie/")
    wait.until(ec.presence_of_element_located((By.ID, "searchbar"))).send_keys("fight" + Keys.ENTER)
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 1)
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, "th a").text for row in rows] == ["Fight Club"]

    # and open it
    rows[0].find_element(By.LINK_TEXT, "Fight Club").click()
    wait.until(ec.presence_of_element_located((By.ID, "movie_form")))
    assert browser.find_element(By.ID, "id_title").get_attribute("value") == "Fight Club"
    assert "/w185/fc.jpg" in browser.find_element(By.CSS_SELECTOR, "img[alt^='Poster of']").get_attribute(
        "src"
    )
    assert browser.find_element(By.LINK_TEXT, "/api/v1/movies/550/")

    # and run the resync action on it from the search results
    browser.back()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input.action-select"))).click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("resync_from_tmdb")
    browser.find_element(By.CSS_SELECTOR, "button[name='index']").click()
    message = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))

    # then
    assert message.text == "Resynced 1 movie(s) from TMDb."
    assert synced == [550]
    assert Movie.objects.get(tmdb_id=550).sync_status == SyncStatus.COMPLETE
    sync_cell = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr td.field-sync_status")
    assert sync_cell.text == "Complete (full details)"
