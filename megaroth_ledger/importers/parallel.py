"""Big CSV files parsed in worker processes while this process writes to the database.

Parsing a row in Python costs about as much as SQLite storing it, so for big files
(:data:`MIN_BYTES` and up) the work is split: worker processes parse byte ranges of the
file into complete ``entry`` tuples (plan id, import id, identity with occurrence 0), the
importing process checks occurrences (they need the whole file, in order: a set test per
chunk, row by row only for a chunk with twins) and writes. Results come back in file order
and at most a few chunks are in flight, so memory stays flat.

Only used when it cannot change the result: text encodings where a ``\\n`` byte is a line
end (UTF-8, cp1252, latin-1; not UTF-16), profiles that read to the end of the file (no
footer or stop-at-blank rule), ``\\n`` line ends, and chunk boundaries placed only where an
even number of ``"`` precede them (RFC 4180: never inside a quoted field). Transfer legs and
balance rows come back whole and are paired at the end, exactly as in the serial path.
Set ``MEGAROTH_IMPORT_WORKERS=0`` to turn it off.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .base import ParseContext
from .rows import CanonicalRow, ErrorCollector, full_entry
from .text import FileFacts

MIN_BYTES = 16 << 20
CHUNK_BYTES = 1 << 20
BLOCK = 1 << 20
SPLITTABLE = {"utf-8", "utf-8-sig", "cp1252", "latin-1"}
PROBE = "megaroth: do str hashes agree between processes?"  # yes when forked, no when spawned


def workers_wanted(facts: FileFacts) -> int:
    env = os.environ.get("MEGAROTH_IMPORT_WORKERS")
    if env is not None:
        try:
            return max(0, int(env))
        except ValueError:
            return 0
    if facts.size < MIN_BYTES:
        return 0
    cpus = os.cpu_count() or 1
    return min(cpus - 1, 4)


def usable(importer, facts: FileFacts) -> bool:
    from .tabular import ProfileImporter

    # an in-memory profile (import --columns) cannot be rebuilt by id in the workers
    return (
        isinstance(importer, ProfileImporter)
        and not getattr(importer, "ephemeral", False)
        and facts.kind == "text"
        and facts.encoding in SPLITTABLE
        and importer.footer is None
        and not importer.stop_at_blank
        and not importer.skip
    )


def chunks(path: Path, start: int, first_line: int) -> Iterator[tuple[int, int, int]]:
    """(start byte, end byte, first line number) of each chunk after ``start``."""
    with open(path, "rb") as f:
        f.seek(start)
        chunk_start, pos, line, quotes = start, start, first_line, 0
        chunk_line = first_line
        while True:
            block = f.read(BLOCK)
            if not block:
                break
            cut_from = 0
            while pos + len(block) - chunk_start >= CHUNK_BYTES:
                want = max(cut_from, chunk_start + CHUNK_BYTES - pos)
                nl = block.find(b"\n", want)
                while nl >= 0 and (quotes + block.count(b'"', 0, nl)) % 2:
                    nl = block.find(b"\n", nl + 1)
                if nl < 0:
                    break
                end = pos + nl + 1
                yield chunk_start, end, chunk_line
                chunk_line = line + block.count(b"\n", 0, nl + 1)
                chunk_start, cut_from = end, nl + 1
            # parity of '"' from the data start: every cut is made at even parity, so it is
            # also the parity from the current chunk's start
            quotes += block.count(b'"')
            line += block.count(b"\n")
            pos += len(block)
        if pos > chunk_start:
            yield chunk_start, pos, chunk_line


_CACHE: dict = {}


def _work(args) -> tuple:
    """Parse one chunk into ready-to-insert ``entry`` tuples (see :func:`_collect`)."""
    (path, start, end, first_line, encoding, profile_id, user_dir, raw_header, delim, plan) = args[:10]
    source_map, label, plans, import_id, probe = args[10:]
    key = (profile_id, user_dir)
    importer = _CACHE.get(key)
    if importer is None:
        from . import all_importers

        importer = _CACHE[key] = all_importers(Path(user_dir) if user_dir else None)[profile_id]
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    base = first_line - 1
    rows = ((base + reader.line_num, cells) for cells in reader)
    ctx = ParseContext(label, ErrorCollector(label), plan=plan, source_map=source_map)
    chunk = _Chunk(plans, import_id)
    chunk.add_all(importer._map_rows(raw_header, rows, ctx, parts=True, reader=reader, line_base=base))
    return chunk.payload(hash(PROBE) == probe), chunk.whole, ctx.errors.errors, ctx.errors.count, end - start


class _Chunk:
    """One chunk's rows as ``entry`` tuples, kept COMPACT (``store.COMPACT_COLUMNS``) unless a
    row's irr_year, status or plan differs from (None, posted, the chunk's first plan)."""

    def __init__(self, plans: dict[str, int], import_id: int):
        self.plans, self.import_id = plans, import_id
        self.ready: list[tuple] = []  # identities with occurrence 0
        self.whole: list[CanonicalRow] = []  # transfer legs and balance rows: paired at the end
        self.names: set[str] = set()
        self.tally: dict[tuple[str, str], list[int]] = {}  # (type, source) -> [rows, cents]
        self.unknown: tuple | None = None  # (line, name) of the first row naming a plan not in the ledger
        self.n_parts = 0
        self.fitids = False  # some identities are external ids (no occurrence)
        self.last_name = self.last_pid = self.first_pid = None
        self.odd: list[tuple] = []  # (index, irr_year, status, plan id) of the rows that differ

    def add_all(self, items) -> None:
        """Take every item of the chunk (one loop here, locals only: it runs once per row)."""
        ready, odd, tally, whole = self.ready, self.odd, self.tally, self.whole
        for item in items:
            if type(item) is not tuple:
                whole.append(item)
                continue
            self.n_parts += 1
            if self.unknown is not None or (item[0] != self.last_name and not self._plan(item)):
                continue
            if len(item) == 2:  # the fast path's COMPACT_COLUMNS values, hashed identity
                part = item[1]
                ready.append(part)
                if self.last_pid != self.first_pid:
                    odd.append((len(ready) - 1, None, "posted", self.last_pid))
            else:  # (plan, identity base, row_part()'s 14 values)
                _, ident, part = item
                if ident[0] == "f":
                    self.fitids = True
                else:  # h:...: occurrence 0 unless the importer finds an earlier twin
                    ident += ":0"
                ready.append(part[:10] + part[12:] + (ident,))
                if part[10] is not None or part[11] != "posted" or self.last_pid != self.first_pid:
                    odd.append((len(ready) - 1, part[10], part[11], self.last_pid))
            t = tally.get((part[4], part[3]))
            if t is None:
                tally[(part[4], part[3])] = [1, part[5]]
            else:
                t[0] += 1
                t[1] += part[5]

    def _plan(self, item: tuple) -> bool:
        """The item's plan becomes the current one; False (and ``unknown`` set) if the ledger
        has no such plan."""
        name = item[0]
        pid = self.plans.get(name)
        if pid is None:
            self.unknown = (item[1][10] if len(item) == 2 else item[2][12], name)
            return False
        self.last_name, self.last_pid = name, pid
        self.names.add(name)
        if self.first_pid is None:
            self.first_pid = pid
        return True

    def payload(self, hash_here: bool) -> tuple:
        """``(entry tuples, positions of the hashed identities (None: all), rows read, plan
        names, unknown plan, tally, keys, one_plan)``: see :func:`parse_parallel`."""
        ready = self.ready
        pos = [i for i, t in enumerate(ready) if t[-1][0] != "f"] if self.fitids else None
        keys = None
        if hash_here:  # str hashes agree with the importing process's (forked)
            hs = [hash(t[-1]) for t in ready] if pos is None else [hash(ready[i][-1]) for i in pos]
            keys = (hs, len(set(hs)) == len(hs))  # (the keys, no twins inside this chunk)
        one_plan = self.first_pid
        if self.odd:  # rows differ in irr_year, status or plan: full ENTRY_COLUMNS tuples
            one_plan = None
            self._full()
        return ready, pos, self.n_parts, self.names, self.unknown, self.tally, keys, one_plan

    def _full(self) -> None:
        ready, import_id, first = self.ready, self.import_id, self.first_pid
        for i, irr, status, pid in self.odd:
            ready[i] = full_entry(ready[i], pid, import_id, irr, status)
        for i, t in enumerate(ready):
            if len(t) == 13:
                ready[i] = full_entry(t, first, import_id)


def parse_parallel(
    path: Path,
    facts: FileFacts,
    importer,
    ctx: ParseContext,
    workers: int,
    user_dir: Path | None,
    plans: dict[str, int],
    import_id: int,
) -> Iterator[tuple[str, object]] | None:
    """Yield, in file order, ``("ready", (entry tuples, positions of the hashed identities (None:
    all), rows read, plan names, unknown plan, tally, keys))`` and ``("rows", [CanonicalRow])``; None if this
    file cannot be split (use the serial parser).

    The entry tuples are complete (``plans`` maps plan names to ids; ``import_id``) except
    that every hashed identity carries occurrence 0: the importing process, which sees the
    whole file, corrects the few rows that have an earlier twin (:func:`.derive.with_occurrence`).
    Rows after the first one naming an unknown plan are left out (``unknown`` = its line and
    name: the import fails). ``tally`` maps (type, source) to [rows, cents] of the tuples.
    ``keys``: None, or (``hash()`` of each hashed identity, whether they are all distinct)
    when the worker's str hashes are the importing process's (fork). ``one_plan``: the plan id
    of every row of a chunk whose rows all have no irr_year and status posted: the tuples then
    hold only ``store.COMPACT_COLUMNS`` (identity still last); else None and
    ``store.ENTRY_COLUMNS``."""
    from .ofx import OfxImporter

    if workers >= 1 and isinstance(importer, OfxImporter):  # reader processes: .ofx_pipe
        from .ofx_pipe import parse_ofx_parallel

        return parse_ofx_parallel(path, facts, importer, ctx, plans, import_id, workers)
    if workers < 1 or not usable(importer, facts):
        return None
    split = _split_point(path, facts, importer, ctx)
    if split is None:
        return None
    return _run(path, facts, importer, ctx, workers, user_dir, split, plans, import_id)


class _Split(NamedTuple):
    """Where a file's data rows begin: what the workers need to parse any chunk of them."""

    raw_header: list[str]
    delim: str
    header_line: int
    data_start: int  # byte offset of the first data row


def _split_point(path: Path, facts: FileFacts, importer, ctx: ParseContext) -> _Split | None:
    """The header and the byte where the data rows start; None if the serial parser must read
    the file (no header found, lone CR line ends, or a header the profile cannot map)."""
    found = importer.locate_header(path, facts)
    if not found:
        return None
    header_line, delim, raw_header, header_text = found
    if not header_text.endswith("\n"):
        return None  # lone CR line ends: leave it to the serial reader
    if not _header_maps(importer, raw_header, ctx):
        return None  # header/profile problem: the serial path reports it once
    with open(path, "rb") as f:
        for _ in range(header_line):
            f.readline()
        data_start = f.tell()
    return _Split(raw_header, delim, header_line, data_start)


def _header_maps(importer, raw_header: list[str], ctx: ParseContext) -> bool:
    """Whether the profile maps this header without an error (tried on no rows)."""
    probe = ErrorCollector(ctx.file_label)
    list(
        importer._map_rows(
            raw_header,
            iter(()),
            ParseContext(ctx.file_label, probe, plan=ctx.plan, source_map=ctx.source_map),
        )
    )
    return not probe


def _run(path, facts, importer, ctx, workers, user_dir, split: _Split, plans, import_id):
    """Parse the file's chunks in a pool of ``workers`` processes (and this one): the results in
    file order (:func:`_in_order`)."""
    import multiprocessing

    # fork: workers only read the file and parse (never the inherited database connection),
    # and unlike spawn it does not re-run the caller's __main__ module
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = (
        (
            str(path),
            s,
            e,
            line,
            facts.encoding,
            importer.id,
            str(user_dir) if user_dir else None,
            split.raw_header,
            split.delim,
            ctx.plan,
            ctx.source_map,
            ctx.file_label,
            plans,
            import_id,
            _hash_probe(),
        )
        for s, e, line in chunks(path, split.data_start, split.header_line + 1)
    )
    with mp.Pool(workers) as pool:
        yield from _in_order(pool, workers, iter(jobs), ctx)


STEAL_AHEAD = 2  # chunks this process may parse ahead of the oldest one still in a worker


class _Parsed:
    """A chunk this process parsed itself, queued beside the workers' results."""

    def __init__(self, result):
        self.result = result

    def ready(self) -> bool:
        return True

    def get(self):
        return self.result


def _in_order(pool, workers: int, jobs, ctx: ParseContext):
    """The chunks' results in file order. The workers always have a chunk queued; while the
    oldest chunk is still in a worker, this process parses the next one itself instead of
    waiting (between its writes it has CPU to spare, and its own chunks need no pickling),
    at most :data:`STEAL_AHEAD` ahead."""
    pending: deque = deque()
    queued = 0  # chunks in pending that the workers parse
    while True:
        while queued <= workers:
            job = next(jobs, None)
            if job is None:
                break
            pending.append(pool.apply_async(_work, (job,)))
            queued += 1
        if not pending:
            return
        if not pending[0].ready() and len(pending) - queued < STEAL_AHEAD:
            job = next(jobs, None)
            if job is not None:
                pending.append(_Parsed(_work(job)))
                continue
        done = pending.popleft()
        if not isinstance(done, _Parsed):
            queued -= 1
        yield from _collect(done.get(), ctx)


def _hash_probe() -> int:
    return hash(PROBE)


def _collect(result, ctx: ParseContext):
    ready, whole, errors, count, nbytes = result
    for e in errors:
        ctx.errors.add(e.line, e.column, e.reason)
    if count > len(errors):
        ctx.errors.count += count - len(errors)
    if ctx.on_bytes:
        ctx.on_bytes(nbytes)
    if ready[2]:
        yield "ready", ready
    if whole:
        yield "rows", whole
