"""Is a statement's activity already in the ledger from another file? (Pure: no database.)

Re-reading the *same* rows (the same file again, the Q1 export after the March one, the XLSX
twin of a CSV) is handled by row identities: those rows are skipped as duplicates and never
reach this module. What identities cannot see is the same activity in **another format**
(OFX FITIDs vs a CSV's hashed rows, a recordkeeper's per-source export vs its per-fund one):
every row looks new, and importing it would count each paycheck twice.

So the rows an import would *add* are compared, within each plan, with the rows other active
imports hold on the same dates:

1. row by row on (plan, date, source, type, amount), one-to-one (a multiset match);
2. rows of a (plan, date, source, type) group that are still unmatched count as matched when
   the group's total equals an earlier import's total for that group (a per-fund export vs a
   per-source one);
3. where either side's money source is ``unknown`` (exports without sources), on (plan, date,
   type) totals across sources.

An import **overlaps** an earlier import when the matched rows are at least
:data:`SHARE` (half) of the rows it would add, or at least half of the rows that earlier
import holds (the new file contains an earlier, smaller statement). Half is "most": a
genuine coincidence of the same date, source, type and amount for half of a statement's
rows does not happen, while a statement re-exported in another format matches (nearly)
all of its rows (a reversal pair or an extra fee may differ). ``--allow-overlap`` imports
it anyway.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

SHARE = Fraction(1, 2)
UNKNOWN = "unknown"

#: (plan id, date, source, type, amount cents, rows)
NewRow = tuple
#: (import id, plan id, date, source, type, amount cents, rows)
OldRow = tuple


@dataclass
class Overlap:
    new_rows: int  # rows the import would add (no balance plugs)
    matched: int  # of them, rows whose activity other imports already hold
    by_import: dict[int, int] = field(default_factory=dict)  # earlier import -> rows matched

    def earlier(self, held: dict[int, int]) -> list[int]:
        """Earlier imports this one overlaps (see the module docstring), given each one's
        number of held rows."""
        if not self.matched:
            return []
        if self.matched >= SHARE * self.new_rows:
            return sorted(i for i, n in self.by_import.items() if n)
        return sorted(i for i, n in self.by_import.items() if n and n >= SHARE * max(held.get(i, 0), 1))


def match(new: list[NewRow], old: list[OldRow]) -> Overlap:
    """Count the rows of ``new`` whose activity ``old`` already holds (module docstring)."""
    total = sum(r[5] for r in new)
    by_import: Counter = Counter()
    old5: dict[tuple, Counter] = defaultdict(Counter)
    old4: dict[tuple, Counter] = defaultdict(Counter)  # (plan, date, source, type) -> import -> cents
    old3: dict[tuple, Counter] = defaultdict(Counter)  # (plan, date, type) -> import -> cents
    old3_unknown: set[tuple] = set()
    for imp, plan, date, source, typ, cents, n in old:
        old5[(plan, date, source, typ, cents)][imp] += n
        old4[(plan, date, source, typ)][imp] += cents * n
        old3[(plan, date, typ)][imp] += cents * n
        if source == UNKNOWN:
            old3_unknown.add((plan, date, typ))
    new4: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for plan, date, source, typ, cents, n in new:
        new4[(plan, date, source, typ)].append((cents, n))
    # rows still unmatched after steps 1-2, per (plan, date, type)
    left3: dict[tuple, int] = defaultdict(int)
    new3_total: Counter = Counter()
    new3_unknown: set[tuple] = set()
    for key4, rows in new4.items():
        plan, date, source, typ = key4
        key3 = (plan, date, typ)
        got: Counter = Counter()
        left = 0
        for cents, n in rows:
            new3_total[key3] += cents * n
            avail = old5.get(key4 + (cents,))
            want = n
            if avail:
                for imp in sorted(avail):
                    take = min(want, avail[imp])
                    if take:
                        got[imp] += take
                        avail[imp] -= take
                        want -= take
            left += want
        if left:
            group_total = sum(c * n for c, n in rows)
            same = [imp for imp, cents in sorted(old4.get(key4, {}).items()) if cents == group_total]
            if same:
                got[same[0]] += left
                left = 0
        by_import.update(got)
        left3[key3] += left
        if source == UNKNOWN:
            new3_unknown.add(key3)
    for key3, left in left3.items():
        if not left or not (key3 in new3_unknown or key3 in old3_unknown):
            continue
        same = [imp for imp, cents in sorted(old3.get(key3, {}).items()) if cents == new3_total[key3]]
        if same:
            by_import[same[0]] += left
    matched = min(total, sum(by_import.values()))
    return Overlap(new_rows=total, matched=matched, by_import=dict(by_import))
