import os

import pytest
from django.db import connection

from core.sql import postgres
from tests.factories import make_performance
from tests.postgres_upkeep import turn_off_autovacuum, upkeep_connection, vacuum_dead_rows
from tests.seat_writes import guard_seat_writes

REQUIRE_ALL_TESTS = os.environ.get("SANDALI_REQUIRE_ALL_TESTS") == "1"


_upkeep = []  # the PostgreSQL test database's upkeep connection, once the database exists


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL: autovacuum off, and tables with many dead rows vacuumed between tests
    (tests/postgres_upkeep.py says why: without it, tests planned as if the seat table were
    empty took 30 to 75 times as long in CI's PostgreSQL pass)."""
    if not postgres():
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        turn_off_autovacuum(cursor)
    with upkeep_connection(connection.settings_dict) as upkeep:
        _upkeep.append(upkeep)
        yield
        _upkeep.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test, so no transaction of the test holds a lock yet."""
    if _upkeep:
        vacuum_dead_rows(_upkeep[0])


@pytest.fixture
def postgres_only():
    if not postgres():
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of scripts/test")


@pytest.fixture(autouse=True)
def fresh_snapshots(settings):
    """Tests read their own writes at once; tests of the snapshot cache turn it on."""
    from django.core.cache import cache

    from api.queue import forget_hold_performances
    from reservations import queue_store

    settings.SANDALI_SNAPSHOT_SECONDS = 0
    cache.clear()
    queue_store.forget_memory_queues()  # SQLite reuses the ids of rolled-back performances
    forget_hold_performances()  # and of holds


@pytest.fixture(autouse=True)
def synchronous_page_payments(settings):
    """The pages charge synchronously in tests, as they did before the provider's hosted page
    (orders/redirect.py); the tests of the hosted page turn it on."""
    settings.SANDALI_PAYMENT_REDIRECT = False


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request in Persian leaves Persian
    active in the thread that served it, and the next test's messages would read Persian."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def only_the_inventory_writes_seats():
    """Every test runs under the rule that only catalog/inventory.py writes seat rows."""
    with connection.execute_wrapper(guard_seat_writes):
        yield


@pytest.fixture(autouse=True)
def close_browser_pages(request):
    """A browser test's pages are closed when it ends, before the database is flushed: the
    browser (and a module's server, tests/web/test_browser.py) serves the module's next tests,
    and a page left open would keep its seat-map socket and its polls going to that server
    (20 sockets from one address are its cap)."""
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    yield
    if browser is not None:
        for context in browser.contexts:
            context.close()


@pytest.fixture
def performance(db):
    return make_performance()


def pytest_collection_modifyitems(config, items):
    """Each browser test runs once, in the SQLite pass: a page's subject is the page, and the
    database under it is tested by the API's and services' tests in both passes. The browser
    tests were two thirds of each pass's time; running them twice kept CI over 20 minutes."""
    if not postgres():
        return
    browser_tests = [item for item in items if "browser" in getattr(item, "fixturenames", ())]
    if browser_tests:
        config.hook.pytest_deselected(items=browser_tests)
        items[:] = [item for item in items if item not in set(browser_tests)]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI nothing may be skipped (a missing service or browser is a failure), except a
    PostgreSQL-only test in the SQLite pass: it runs in the PostgreSQL pass."""
    outcome = yield
    report = outcome.get_result()
    waits_for_postgres = not postgres() and "postgres_only" in getattr(item, "fixturenames", ())
    if REQUIRE_ALL_TESTS and report.skipped and not waits_for_postgres:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


@pytest.fixture
def mail_server(settings):
    """A real SMTP server, started, which Django's mail goes to through EMAIL_URL's settings."""
    from sandali.email_url import parse_email_url
    from tests.mailserver import MailServer

    server = MailServer()
    server.start()
    for name, value in parse_email_url(server.url).django_settings().items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "Sandali <tickets@sandali.example>"
    yield server
    server.stop()
