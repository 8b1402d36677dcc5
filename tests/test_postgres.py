"""The same ledger on PostgreSQL (issue #2: "a URL is passed to SQLAlchemy").

Runs only when MEGAROTH_TEST_PG_URL names an empty scratch database, e.g.
``postgresql+psycopg://postgres@127.0.0.1:55432/megaroth`` (needs the psycopg driver);
CI has no PostgreSQL server, so it is skipped there.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import Megaroth

PG_URL = os.environ.get("MEGAROTH_TEST_PG_URL")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"

pytestmark = pytest.mark.skipif(not PG_URL, reason="MEGAROTH_TEST_PG_URL not set (no PostgreSQL server)")


@pytest.fixture
def pg():
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as conn:  # start from an empty schema
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return Megaroth(PG_URL)


def test_session_import_forms_on_postgresql(pg):
    pg("person", "add", "ann", "--born", "1985-04-02")
    pg("plan", "add", "acme-401k", "--person", "ann", "--employer", "Acme Corp", "--after-tax",
       "--in-plan-conversion")
    first = pg.json("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k")
    again = pg.json("import", str(SAMPLES / "2025-acme-generic.csv"), "--plan", "acme-401k")
    assert first["rows_added"] == 304 and again["rows_added"] == 0
    form = pg.json("form", "1099-r", "--person", "ann", "--year", "2025")["forms"][0]
    assert (form["box7"], form["box1"]) == ("G", "34930.00")
    assert pg.json("headroom", "--person", "ann", "--year", "2025")["elective_deferrals"] == "23499.84"
