"""Plain OFX transactions read without building their trees (the fast path of :mod:`.ofx`).

The tolerant reader (:func:`.ofx._walk`) visits every tag of a transaction in Python. Most
transactions of a big statement are *plain*: cut out of the file as one piece of text, they
read alone exactly as in place. :meth:`Cut.take` decides that from the text itself, before
reading it: the first tag of the transaction's name after its opening one closes it, and
nothing inside closes an aggregate it sits in (then the tree reader, too, closes the
transaction there, and reads it as it would read the text alone).

Such a transaction is then handed out as :class:`Raw` text. Its tree is
:meth:`Raw.node` (the tree reader's own, for the rare transaction that needs it: an error to
report, an unusual layout). Its values for the row-maker come from :meth:`Raw.view`: the tags
of a plain transaction, with which of them carry text, are its *layout*; the first transaction
of each layout is read by the tree reader once, which says where each value sits
(:func:`_layout_of`), and every later one of the same layout only has its texts picked out
(:class:`Flat`, answering ``child``/``get`` as the tree's :class:`.ofx.Node` would). So the
values can only be the tree reader's: a property test (tests/test_ofx_fast.py) checks rows
and errors against the tree reader's on generated files.
"""

from __future__ import annotations

import html
import operator
import re
from itertools import repeat

#: a tag as the tree reader sees it (the same as :data:`.ofx._TAG`)
TAG = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^<>]*?(/?)>([^<]*)")
#: text made only of simple tags (no attributes, no ``/>``) and the text between them
#: a simple tag (no attributes, no ``/>``) and the text after it
_SIMPLE = re.compile(r"<(/?[A-Za-z0-9_.]+)>([^<]*)")
MAX_LAYOUTS = 2000  # distinct layouts remembered per file (real files have a handful)
MAX_DEPTH = 40  # aggregates deeper than this in a transaction: read by the tree reader

_closing_any: dict[tuple[str, ...], tuple[str, ...]] = {}


def _closings(names: tuple[str, ...]) -> tuple[str, ...]:
    """The beginnings of the closing tags of ``names``."""
    got = _closing_any.get(names)
    if got is None:
        got = _closing_any[names] = tuple(sorted({"</" + n for n in names}))
    return got


def plain_end(buf: str, after: int, limit: int, written: str, ancestors: tuple[str, ...]) -> int:
    """Where the transaction whose opening tag ``<written>`` ends at ``after`` ends (the end of its
    closing tag ``</written>``, found by ``limit``), if it is plain; else -1. Plain: before that
    closing tag, no tag of its name (in any case) opens or closes, and nothing closes an
    aggregate it sits in (``ancestors``). Checked on the upper-cased text by name prefixes, so
    in doubt it is not plain."""
    close = "</" + written + ">"
    q = buf.find(close, after, limit)
    if q < 0:
        return -1
    inside = buf[after:q].upper()
    name = written.upper()
    if "<" + name in inside or "</" + name in inside:
        return -1
    for closing in _closings(ancestors):
        if closing in inside:
            return -1
    return q + len(close)


class Raw:
    """A plain transaction's text and the line it starts on."""

    __slots__ = ("text", "line", "layouts")

    def __init__(self, text: str, line: int, layouts: dict):
        self.text = text
        self.line = line
        self.layouts = layouts

    def node(self):
        """The tree reader's tree of this transaction."""
        from .ofx import Node, build_tree

        line = self.line
        pos = 0
        tokens = []
        text = self.text
        for m in TAG.finditer(text):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            tokens.append((m.group(1), m.group(2).upper(), m.group(3), m.group(4), line))
        root = build_tree(tokens, Node("#holder", None, self.line))
        return root.children[0]

    def view(self):
        """The transaction as a :class:`Flat` (or its tree when its layout is not a plain one)."""
        text = self.text
        # "<" TAG ">" TEXT, ...: the tags as written and the text after each (which may hold ">")
        tags, marks, tails = zip(*map(str.partition, text.split("<")[1:], repeat(">")))
        if "" in marks:
            return self.node()  # a "<" without its ">"
        texts = tuple(map(str.strip, tails))
        key = (tags, tuple(map(bool, texts)))  # a layout's tags are simple ones (_layout_of)
        layout = self.layouts.get(key)
        if layout is None:
            layout = _layout_of(text)
            if len(self.layouts) < MAX_LAYOUTS:
                self.layouts[key] = layout
        if layout is False:
            return self.node()
        name, fixed, paths, pick = layout
        values = dict(fixed)
        picked = pick(texts)
        values.update(zip(paths, map(html.unescape, picked) if "&" in text else picked))
        return Flat(name, self.line, values, "")


def _layout_of(text: str):
    """(name, {path: None} of the aggregates, paths of the values, a function picking them from
    the stripped texts after each tag) of a plain transaction, as the tree reader reads it:
    ``path`` is what :meth:`.ofx.Node.get` follows (the first child of each name). False when it
    is not one transaction of simple tags (no attributes, no ``/>``)."""
    from .ofx import Node, build_tree

    if len(_SIMPLE.findall(text)) != text.count("<"):
        return False  # some "<" begins no simple tag
    tokens = [
        (m.group(1), m.group(2).upper(), m.group(3), m.group(4), i) for i, m in enumerate(TAG.finditer(text))
    ]
    root = build_tree(tokens, Node("#holder", None, -1))
    if len(root.children) != 1 or root.children[0].value is not None:
        return False
    top = root.children[0]
    fixed: dict[str, None] = {}
    picks: list[tuple[str, int]] = []
    stack = [(top, "", 0)]
    while stack:
        node, prefix, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        seen: set[str] = set()
        for c in node.children:
            if c.name in seen:
                continue  # Node.get follows the first child of a name
            seen.add(c.name)
            path = prefix + c.name
            if c.value is None:
                fixed[path] = None
                stack.append((c, path + "/", depth + 1))
            else:
                picks.append((path, c.line))
    paths = tuple(path for path, _ in picks)
    at = [i for _, i in picks]
    pick = operator.itemgetter(*at) if len(at) > 1 else (lambda texts: [texts[i] for i in at])
    return top.name, fixed, paths, pick


class Flat:
    """A plain transaction's values by path, answering like its :class:`.ofx.Node`."""

    __slots__ = ("name", "line", "values", "prefix")

    def __init__(self, name: str, line: int, values: dict, prefix: str):
        self.name = name
        self.line = line
        self.values = values
        self.prefix = prefix

    def child(self, name: str):
        path = self.prefix + name
        if path not in self.values:
            return None
        return Flat(name, self.line, self.values, path + "/")

    def get(self, path: str) -> str | None:
        return self.values.get(self.prefix + path)
