"""A big OFX statement read in worker processes while the importing process writes.

The OFX reader (:meth:`.ofx.OfxImporter.parse`, the very same one as for a small file) runs in
forked children (:data:`READERS` of them when the machine has the cores). The first one's
first pass (the tree without the transactions) is sent to the others; then each reads the whole
file but makes rows only of its own chunks of :data:`BATCH` transactions, in turn
(:class:`.ofx.Share`); for each chunk it hands back, in file order, batches of complete
``entry`` tuples (the ``parallel`` protocol: ``store.ENTRY_COLUMNS``, hashed identities with
occurrence 0) and, whole, the rows the store pairs or checks at the end (transfer legs,
balances), then what the chunk left in its context: errors, notes, year-to-date checks, the
account id. The importing process takes the chunks in turn from each child, so rows, errors and
notes arrive in the serial reader's order. A :class:`.errors.UserError` in a child (a
truncated file, not a 401(k) statement) is raised here again.

Only used for ``--plan`` imports whose plan is in ``plans`` (every OFX row is that plan's) and
when ``fork`` exists; otherwise the serial path reads the file (the result is the same).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from .base import ParseContext
from .derive import TRANSFER_TYPES, identity_base
from .rows import ErrorCollector, row_part

BATCH = 5000  # transactions in a chunk (and at most entry tuples in one batch)
QUEUE = 4  # batches in flight per child: memory stays flat
READERS = 2  # children reading one file (each makes rows of every READERS-th chunk)


def parse_ofx_parallel(
    path: Path, facts, importer, ctx: ParseContext, plans: dict[str, int], import_id: int, workers: int = 1
):
    """Yield ``("ready", payload)`` and ``("rows", [CanonicalRow])`` as :func:`.parallel.parse_parallel`
    does, or None when this file is read serially. ``workers`` + 1 processes share the work (at
    most :data:`READERS` children)."""
    import multiprocessing

    if ctx.plan not in plans or "fork" not in multiprocessing.get_all_start_methods():
        return None
    readers = max(1, min(READERS, workers + 1))
    return _run(path, facts, importer, ctx, plans[ctx.plan], import_id, readers)


def _run(path, facts, importer, ctx, plan_id, import_id, readers=1):
    queues, children = _start(path, facts, importer, ctx, plan_id, import_id, readers)
    try:
        yield from _in_turn(ctx, queues, children)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
            child.join()


def _start(path, facts, importer, ctx, plan_id, import_id, readers: int):
    """Fork the ``readers`` children: (their queues, their processes)."""
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    queues = [mp.Queue(QUEUE) for _ in range(readers)]
    pipes = [mp.Pipe(duplex=False) for _ in range(readers - 1)]  # the first pass, to readers 1...
    firsts = [[send for _, send in pipes]] + [[recv] for recv, _ in pipes]
    parent = os.getpid()
    children = [
        mp.Process(
            target=_work,
            args=(queues[j], path, facts, importer, ctx, plan_id, import_id, j, readers, parent, firsts[j]),
            daemon=True,
        )
        for j in range(readers)
    ]
    for child in children:
        child.start()
    for ends in pipes:  # the children's now
        for end in ends:
            end.close()
    return queues, children


def _in_turn(ctx, queues, children):
    """The children's payloads, a chunk from each in turn (file order); what each chunk left in
    its child's context taken into ``ctx`` as it comes."""
    chunk = 0
    while True:
        j = chunk % len(children)
        kind, payload, nbytes = _next(queues[j], children[j], ctx.file_label)
        if ctx.on_bytes and nbytes:
            ctx.on_bytes(nbytes)
        if kind == "chunk":
            _take(ctx, payload)
            chunk += 1
        elif kind == "end":
            _finish(ctx, payload)
            _last(ctx, queues, children, j)
            return
        else:
            yield kind, payload


def _last(ctx, queues, children, first: int) -> None:
    """After child ``first`` ended: every other child's end (it has no chunk left)."""
    n = len(children)
    for j in ((first + i) % n for i in range(1, n)):
        kind, payload, nbytes = _next(queues[j], children[j], ctx.file_label)
        if ctx.on_bytes and nbytes:
            ctx.on_bytes(nbytes)
        if kind != "end":
            raise RuntimeError(f"OFX reader {j} sent {kind!r} after the last chunk")
        _finish(ctx, payload)


def _next(queue, child, label: str):
    """The worker's next message; a worker that died without its last one (killed) is an error."""
    from queue import Empty

    while True:
        try:
            return queue.get(timeout=0.5)
        except Empty:
            if child.is_alive():
                continue
        try:  # it may have put its last message just before it ended
            return queue.get(timeout=2)
        except Empty:
            from ..errors import UserError

            raise UserError(
                f"{label}: the process reading it ended without finishing (exit code {child.exitcode}); "
                "nothing was imported"
            ) from None


def _finish(ctx: ParseContext, payload) -> None:
    """A child's end: its failure raised here, what its context holds taken."""
    failure, *rest = payload
    if isinstance(failure, tuple):  # a UserError: its message and exit code
        from ..errors import UserError

        err = UserError(failure[0])
        err.exit_code = failure[1]
        raise err
    if failure is not None:
        raise RuntimeError(f"the OFX reader failed in its worker process:\n{failure}")
    _take(ctx, rest)


def _take(ctx: ParseContext, payload) -> None:
    """What a chunk (or a child's end) left in its child's context, added to ``ctx``."""
    errors, count, notes, checks, account_id = payload
    for e in errors:
        ctx.errors.add(e.line, e.column, e.reason)
    if count > len(errors):
        ctx.errors.count += count - len(errors)
    ctx.notes.extend(notes)
    ctx.checks.extend(checks)
    if account_id is not None and ctx.account_id is None:
        ctx.account_id = account_id


def _left(ctx: ParseContext) -> tuple:
    """What ``ctx`` holds now (errors, their count, notes, checks, account id), and ``ctx``
    emptied of it but for the account id."""
    left = (ctx.errors.errors, ctx.errors.count, ctx.notes, ctx.checks, ctx.account_id)
    ctx.errors.errors, ctx.errors.count, ctx.notes, ctx.checks = [], 0, [], []
    return left


def _work(
    queue,
    path,
    facts,
    importer,
    parent_ctx: ParseContext,
    plan_id: int,
    import_id: int,
    index=0,
    readers=1,
    parent: int | None = None,
    first: list | None = None,
) -> None:
    from ..errors import UserError
    from .ofx import Share

    done = [0]
    ctx = ParseContext(
        parent_ctx.file_label,
        ErrorCollector(parent_ctx.file_label),
        plan=parent_ctx.plan,
        source_map=dict(parent_ctx.source_map),
        on_bytes=(lambda n: done.__setitem__(0, done[0] + n)) if index == 0 else None,  # one counts
    )
    ctx.memo["ofx share"] = Share(index, readers, BATCH)
    if first:  # reader 0 sends its first pass to the others, which wait for it
        ctx.memo["ofx first pass"] = _sending(first) if index == 0 else (lambda _: first[0].recv())
    out = _ToParent(queue, parent or os.getppid())
    failure = None
    try:
        _read(out, importer.parse(path, facts, ctx), ctx, plan_id, import_id, done)
    except UserError as exc:
        failure = (str(exc), exc.exit_code)
    except BaseException:  # an internal bug: its traceback goes to the importing process
        failure = traceback.format_exc()
    out.put(("end", (failure, *_left(ctx)), done[0]))
    queue.close()
    queue.join_thread()


def _sending(ends):
    """The first pass (``compute()``), also sent to the other readers on ``ends``."""

    def first_pass(compute):
        got = compute()
        for end in ends:
            end.send(got)
        return got

    return first_pass


class _ToParent:
    """A child's end of its queue, for a child that must not outlive the importing process: one
    killed (kill -9) reads no more, and the child would wait on the full queue for ever. On
    Linux the kernel kills the child with its parent (``PR_SET_PDEATHSIG``); elsewhere
    :meth:`put` notices that the parent is gone and ends the child."""

    def __init__(self, queue, parent: int):
        self.queue, self.parent = queue, parent
        if sys.platform.startswith("linux"):
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1 (linux/prctl.h)
        if os.getppid() != self.parent:  # it died before that
            os._exit(1)

    def put(self, item) -> None:
        from queue import Full

        while True:
            try:
                return self.queue.put(item, timeout=1)
            except Full:
                if os.getppid() != self.parent:
                    os._exit(1)


def _read(queue, rows, ctx: ParseContext, plan_id: int, import_id: int, done: list[int]) -> None:
    """Put ``rows`` on ``queue`` as the ``parallel`` payloads (see the module docstring), and at
    each of the child's chunk ends what the chunk left in ``ctx``."""
    from .ofx import CHUNK_END

    out = _Batches(queue, ctx.plan, plan_id, import_id, done)
    for row in rows:
        if row is CHUNK_END:
            out.flush()
            queue.put(("chunk", _left(ctx), done[0]))
            done[0] = 0
        elif row.type in TRANSFER_TYPES or row.type == "balance":
            out.whole.append(row)  # paired / checked at the end by the store, as serially
        else:
            out.add(row)
    out.flush()


class _Batches:
    """One child's rows as ``parallel`` payloads: ``entry`` tuples (at most :data:`BATCH` in a
    payload) with the positions of their hashed identities and their tally, and the rows that
    go whole."""

    def __init__(self, queue, plan: str, plan_id: int, import_id: int, done: list[int]):
        self.queue, self.plan, self.plan_id, self.import_id, self.done = queue, plan, plan_id, import_id, done
        self.ready: list[tuple] = []
        self.pos: list[int] = []
        self.tally: dict[tuple[str, str], list[int]] = {}
        self.whole: list = []

    def add(self, row) -> None:
        ident = identity_base(row, row.plan)
        if ident[0] != "f":
            self.pos.append(len(self.ready))
            ident += ":0"
        self.ready.append(row_part(row) + (self.plan_id, self.import_id, ident))
        t = self.tally.get((row.type, row.source))
        if t is None:
            self.tally[(row.type, row.source)] = [1, row.amount_cents]
        else:
            t[0] += 1
            t[1] += row.amount_cents
        if len(self.ready) >= BATCH:
            self.flush()

    def flush(self) -> None:
        ready, pos, done = self.ready, self.pos, self.done
        if ready:
            hashed = pos if len(pos) < len(ready) else None
            payload = (ready, hashed, len(ready), {self.plan}, None, self.tally, None, None)
            self.queue.put(("ready", payload, done[0]))
            done[0] = 0
        if self.whole:
            self.queue.put(("rows", self.whole, done[0]))
            done[0] = 0
        self.ready, self.pos, self.tally, self.whole = [], [], {}, []
