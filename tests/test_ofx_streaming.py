"""The OFX reader streams (importers/ofx.py ``_tags`` + ``_walk``): read block by block, with the
transactions handed out one by one and left out of the tree. Property: put back, they make exactly
the tree :func:`parse_tree` builds from the whole text, whatever the blocks' size; and the rows an
import gets do not depend on the block size."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.importers import ofx, parse_file
from megaroth_ledger.importers.ofx_cut import Raw

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "samples").glob("*.[oq]fx")) + sorted(
    (ROOT / "tests" / "golden" / "ofx").rglob("*.[oq]fx")
)


def dump(node):
    return (node.name, node.value, node.line, [dump(c) for c in node.children])


def streamed_tree(path: Path):
    """The streamed skeleton with every transaction put back into its statement's INVTRANLIST."""
    trans: dict[int, list] = {}
    skeleton = None
    for kind, k, node in ofx._walk(ofx._tags(path, "utf-8")):
        if kind == "root":
            skeleton = node
        elif kind == "tran":  # a plain transaction cut out as text: its tree, as the reader reads it
            trans.setdefault(k, []).append(node.node() if isinstance(node, Raw) else node)
    for k, stmt in enumerate(skeleton.iter("INVSTMTRS")):
        tranlist = stmt.child("INVTRANLIST")
        if tranlist is not None and tranlist.value is None:
            tranlist.children = trans.pop(k, [])
    assert not trans
    return skeleton


def whole_tree(path: Path):
    return ofx.parse_tree(path.read_bytes().decode("utf-8", errors="replace"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_streamed_tree_is_the_whole_tree(path, block, monkeypatch):
    monkeypatch.setattr(ofx, "BLOCK", block)
    assert dump(streamed_tree(path)) == dump(whole_tree(path))


def test_rows_do_not_depend_on_the_block_size(monkeypatch):
    path = ROOT / "samples" / "2025-acme.ofx"
    big = parse_file(path, plan="acme-401k", source_map={"OTHERVEST": "roth_irr"})
    monkeypatch.setattr(ofx, "BLOCK", 5)
    small = parse_file(path, plan="acme-401k", source_map={"OTHERVEST": "roth_irr"})
    assert [r.as_canonical() for r in big[1]] == [r.as_canonical() for r in small[1]]
    assert len(big[1]) > 100


NAMES = [
    "OFX",
    "INVSTMTRS",
    "INVTRANLIST",
    "BUYMF",
    "INVBUY",
    "INVTRAN",
    "FITID",
    "TOTAL",
    "DTSTART",
    "INV401KBAL",
    "SECINFO",
    "SECID",
    "UNIQUEID",
    "INV401KSOURCE",
    "REINVEST",
]
TAG = st.one_of(
    st.builds(lambda n: f"<{n}>", st.sampled_from(NAMES)),
    st.builds(lambda n: f"</{n}>", st.sampled_from(NAMES)),
    st.builds(
        lambda n, v: f"<{n}>{v}", st.sampled_from(NAMES), st.sampled_from(["1", " x ", "a&amp;b", "\n2\n"])
    ),
    st.builds(lambda n: f"<{n}/>", st.sampled_from(NAMES)),
    st.sampled_from(["\n", "  ", "text", "<?xml version='1.0'?>", "OFXHEADER:100\n", "<ofx>"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(TAG, max_size=60), block=st.integers(1, 40))
def test_streamed_tree_is_the_whole_tree_on_generated_tag_soup(parts, block, tmp_path_factory, monkeypatch):
    path = tmp_path_factory.mktemp("soup") / "s.ofx"
    path.write_text("".join(parts), encoding="utf-8")
    monkeypatch.setattr(ofx, "BLOCK", block)
    assert dump(streamed_tree(path)) == dump(whole_tree(path))
