"""services.forms.history_cache: one history load per person inside the block, none kept after."""

from megaroth_ledger.services import forms
from megaroth_ledger.store.db import open_ledger


def test_history_is_loaded_once_inside_the_cache_block(ann, monkeypatch):
    ann(
        "contribution",
        "add",
        "--plan",
        "acme-401k",
        "--date",
        "2025-01-15",
        "--source",
        "aftertax",
        "--amount",
        "20000",
    )
    ann("convert", "--plan", "acme-401k", "--date", "2025-02-01", "--amount", "20000", "--to", "in-plan")
    calls = []
    real = forms._load_history
    monkeypatch.setattr(forms, "_load_history", lambda s, p: calls.append(p) or real(s, p))
    ledger = open_ledger(str(ann.db))
    with ledger.session() as session:
        with forms.history_cache(session):
            a = forms.form_1099r(session, "ann", 2025)
            b = forms.form_1040(session, "ann", 2025)
            forms.roth_history(session, "ann")
        assert calls == ["ann"]
        assert "megaroth.history_cache" not in session.info
        forms.form_1099r(session, "ann", 2025)
        assert calls == ["ann", "ann"]
    assert str(a["forms"][0]["box1"]) == "20000.00" and str(b["lines"]["5a"]) == "20000.00"
