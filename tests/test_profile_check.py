"""A user profile whose TOML is valid but whose values have the wrong type (a string where a list
is expected, a table where a regular expression is, an array of the wrong thing...) is a problem
``profiles check`` lists (file, section and key), one line each, never a traceback; and loading
it (the profile compiler, so ``import``, ``profiles list/show``) refuses it with the same message.

Table-driven: each wrong-typed input with the message it must give, through the check, the
compiler and the CLI commands. Property: profiles with random value types for every known section
and key (:data:`KNOWN_KEYS`), written as TOML by the small writer below (tomllib only reads),
never make :func:`check_profile_text` raise; the compiler refuses exactly the profiles the check
finds a problem in (with its first problem), and a profile it accepts reads files with at most a
UserError.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from megaroth_ledger.errors import UserError
from megaroth_ledger.importers import open_parse
from megaroth_ledger.importers.base import read_head
from megaroth_ledger.importers.ofx import OfxImporter
from megaroth_ledger.importers.profiles import PROFILE_TYPES, SIGNS, _compile
from megaroth_ledger.importers.propose import KNOWN_KEYS, check_profile_text
from megaroth_ledger.importers.tabular import ProfileImporter
from megaroth_ledger.vocab import SOURCES

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- a TOML writer (for the tests)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, dt.date | dt.time):  # datetime is a date
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_text(data: dict) -> str:
    """``data`` as TOML, every section an inline table (``detect = {header = [...]}``)."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


# ---------------------------------------------------------------- profiles

HEADER = ["Date", "Activity", "Source", "Amount"]
TABLE = {
    "profile": {"id": "mine", "title": "Mine"},
    "detect": {"header": HEADER},
    "columns": {"date": "Date", "type_label": "Activity", "source_label": "Source", "amount": "Amount"},
    "parse": {"date_formats": ["%Y-%m-%d"]},
    "sources": {"map": [{"match": "^pre$", "source": "pretax"}]},
    "types": {"map": [{"match": "^in$", "type": "contribution"}]},
}
CANONICAL = {"profile": {"id": "mine"}, "detect": {"canonical": True}}
OFX = {"profile": {"id": "mine", "kind": "ofx"}, "sources": {"ofx": {"OTHERVEST": "roth_irr"}}}
BASES = {"table": TABLE, "canonical": CANONICAL, "ofx": OFX}


def profile(base: str = "table", **sections) -> str:
    """The TOML of base profile ``base`` with ``sections`` merged in: a dict updates the
    section's keys, anything else replaces the section."""
    data = copy.deepcopy(BASES[base])
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name].update(value)
        else:
            data[name] = value
    return toml_text(data)


def test_the_writer_round_trips_and_the_bases_are_clean():
    for base in BASES.values():
        assert tomllib.loads(toml_text(base)) == base
        assert check_profile_text(toml_text(base), "mine.toml") == []
    odd = {"s": {'k "q"': 'a\\b\t"c"\x7f\x00é', "t": dt.time(1, 2, 3), "d": dt.date(2025, 1, 2)}}
    assert tomllib.loads(toml_text(odd)) == odd


BAD = [
    # the cases
    ('profile = {id="x", kind="ofx"}\nsources = "s"\n', "[sources] must be a table"),
    ('profile={id="x",kind="ofx"}\n[sources]\nofx=[1]\n', "[sources] ofx must be a table of INV401KSOURCE"),
    (
        'profile={id="x"}\n[detect]\ncanonical=true\n[parse]\ndate_formats=5\n',
        "[parse] date_formats must be a list",
    ),
    (profile(sources={"map": "abc"}), "[sources] map must be a list of { match = ..., source = ... }"),
    # [profile]
    (profile(profile="mine"), "[profile] must be a table"),
    (profile(profile={"id": 5}), "[profile] id must be a string"),
    (profile(profile={"id": ""}), "[profile] id is required"),
    (profile(profile={"title": ["a"]}), "[profile] title must be a string"),
    (profile(profile={"evidence": {"a": 1}}), "[profile] evidence must be a string"),
    (profile(profile={"kind": ["ofx"]}), '[profile] kind must be "table" or "ofx", not [\'ofx\']'),
    # [detect]
    (profile(detect={"header": "Date"}), "[detect] header must list the header row's cells (or canonical"),
    (profile(detect={"header": [1, 2]}), "[detect] header must list the header row's cells (or canonical"),
    (profile("canonical", detect={"header": 5}), "[detect] header must list the header row's cells"),
    (profile("ofx", detect={"header": [["a"]]}), "[detect] header must list the header row's cells"),
    (profile(detect={"canonical": "yes"}), "[detect] canonical must be true or false"),
    (profile(detect={"scan_lines": "abc"}), "[detect] scan_lines must be a whole number of lines"),
    (profile(detect={"scan_lines": 0}), "[detect] scan_lines must be a whole number of lines"),
    (profile(detect={"scan_lines": 1.5}), "[detect] scan_lines must be a whole number of lines"),
    (profile(detect={"scan_lines": True}), "[detect] scan_lines must be a whole number of lines"),
    (profile(detect={"scan_lines": math.inf}), "[detect] scan_lines must be a whole number of lines"),
    # [read]
    (profile(read={"delimiter": 1}), '[read] delimiter must be "auto", ",", "\\t" or ";"'),
    (profile(read={"delimiter": ";;"}), '[read] delimiter must be "auto", ",", "\\t" or ";"'),
    (profile(read={"stop_at_blank_row": "yes"}), "[read] stop_at_blank_row must be true or false"),
    (profile(read={"footer_regex": 5}), "[read] footer_regex must be a string (a regular expression)"),
    (profile(read={"footer_regex": "("}), "[read] footer_regex: bad regular expression: missing )"),
    (
        profile(read={"footer_regex": "a{99999999999}"}),
        "[read] footer_regex: bad regular expression: the rep",
    ),
    (profile(read={"footer_regex": "(" * 3000 + ")" * 3000}), "[read] footer_regex: bad regular expression"),
    (profile(read={"skip_row_regex": "x"}), "[read] skip_row_regex must be a list of regular expressions"),
    (profile(read={"skip_row_regex": [1]}), "[read] skip_row_regex[0] must be a string"),
    (profile(read={"sheet": 1}), "[read] sheet must be a string"),
    # [columns], [const]
    (profile(columns=["Date"]), "[columns] must be a table"),
    ("profile = {id = 'x'}\n[[columns]]\ndate = 'Date'\n", "[columns] must be a table"),
    (profile(columns={"amount": 5}), "[columns] amount must be a column name"),
    (profile(columns={"date": dt.date(2025, 1, 2)}), "[columns] date must be a column name"),
    (profile("canonical", columns={"date": ["Date"]}), "[columns] date must be a column name"),
    (profile(const={"type": ["fee"]}), "[const] type ['fee'] is not a type"),
    (profile(const={"source": {"a": 1}}), "[const] source {'a': 1} is not a source"),
    (profile(const={"plan": 5}), "[const] plan: only source and type can be given a fixed value"),
    (
        profile(const={"tax_year": "2024"}),
        "[const] tax_year: only source and type can be given a fixed value",
    ),
    (profile(derive={"pair_transfers": False}), "[derive] pair_transfers = false is not supported"),
    # [parse]
    (profile(parse={"date_formats": "%Y-%m-%d"}), "[parse] date_formats must be a list of strptime formats"),
    (profile(parse={"date_formats": [5]}), "[parse] date_formats: 5 is not a strptime format"),
    (profile(parse={"date_strip_regex": []}), "[parse] date_strip_regex must be a string"),
    # [sources]
    (profile(sources={"strip_prefix_regex": True}), "[sources] strip_prefix_regex must be a string"),
    (profile(sources={"map": {"match": "x"}}), "[sources] map must be a list"),
    (profile(sources={"map": ["x"]}), "[sources] map[0] must be { match = ..., source = ... }"),
    (
        profile(sources={"map": [{"match": 5, "source": "pretax"}]}),
        "[sources] map[0]: match must be a string",
    ),
    (
        profile(sources={"map": [{"match": "x", "source": ["pretax"]}]}),
        "[sources] map[0]: unknown source ['pre",
    ),
    (
        profile(sources={"map": [{"match": "x", "source": "roth_irr", "irr_year_group": 4}]}),
        "[sources] map[0]: irr_year_group must be a string",
    ),
    (
        profile(sources={"map": [{"match": "x", "source": "roth_irr", "irr_year_group": "year"}]}),
        "[sources] map[0]: irr_year_group 'year' is not a named group of match",
    ),
    (profile(sources={"map": [{"match": "x", "sorce": "pretax"}]}), "[sources] map[0]: unknown key 'sorce'"),
    (profile("ofx", sources={"ofx": {"X": 5}}), "[sources.ofx] X: unknown source 5"),
    (profile(sources={"ofx": "roth_irr"}), "[sources] ofx must be a table"),
    # [types]
    (profile(types={"map": "x"}), "[types] map must be a list of { match = ..., type = ... }"),
    (profile(types={"map": [[1]]}), "[types] map[0] must be { match = ..., type = ... }"),
    (profile(types={"map": [{"match": "x", "type": ["fee"]}]}), "[types] map[0]: unknown type ['fee']"),
    (profile(types={"map": [{"match": ["x"], "type": "fee"}]}), "[types] map[0]: match must be a string"),
    (
        profile(types={"map": [{"match": "x", "type": "fee", "sign": 1}]}),
        "[types] map[0]: sign must be one of",
    ),
    (
        profile(types={"map": [{"match": "x", "type": "fee", "when_amount": 0}]}),
        "[types] map[0]: when_amount",
    ),
    (profile("ofx", types={"map": [{"match": "(", "type": "fee"}]}), "[types] map[0]: bad match: missing )"),
    # [funds], [derive], unknown sections, TOML itself
    (profile(funds={"code_regex": 5}), "[funds] code_regex must be a string"),
    (profile(funds={"code_regex": "^(\\d+)"}), "[funds] code_regex needs a group named code"),
    (profile(derive={"pair_transfers": "yes"}), "[derive] pair_transfers must be true or false"),
    (profile(derive=True), "[derive] must be a table"),
    (profile(colour={"x": 1}), "unknown section [colour]"),
    ("a = " + "[" * 3000 + "]" * 3000 + "\n", "invalid TOML: arrays or tables nested too deeply"),
]


IDS = [f[1][:60] for f in BAD]


@pytest.mark.parametrize(("text", "fragment"), BAD, ids=IDS)
def test_a_wrong_typed_value_is_one_clear_problem(text, fragment):
    problems = check_profile_text(text, "mine.toml")
    assert any(p.startswith("mine.toml: ") and fragment in p for p in problems), problems
    assert all(isinstance(p, str) and "\n" not in p for p in problems)


@pytest.mark.parametrize(("text", "fragment"), BAD, ids=IDS)
def test_the_compiler_refuses_it_with_the_same_message(text, fragment):
    problems = check_profile_text(text, "profile /p/mine.toml")
    with pytest.raises(UserError) as exc:
        _compile(text, "/p/mine.toml")
    assert str(exc.value).startswith(problems[0])
    if len(problems) > 1:  # the name `profiles check` finds it by: its id, else the file's name
        assert str(exc.value).endswith(
            f"(and {len(problems) - 1} more: megaroth profiles check {_name(text)})"
        )
    assert any(fragment in p for p in problems)


def _name(text: str) -> str:
    """The name ``profiles check`` finds mine.toml by: its id, else (no usable id) "mine"."""
    try:
        meta = tomllib.loads(text).get("profile")
    except (tomllib.TOMLDecodeError, RecursionError):
        return "mine"
    pid = meta.get("id") if isinstance(meta, dict) else None
    return pid if isinstance(pid, str) and pid else "mine"


# every command that loads the user's profiles, for a sample of the cases above
CLI_CASES = [BAD[i] for i in (0, 1, 2, 3, 5, 10, 17, 29, 33, 40, 46, 53)]
CSV = "Date,Activity,Source,Amount\n2025-01-02,in,pre,10.00\n"


def _user_setup(tmp_path, monkeypatch):
    """(the user's profiles directory, empty; a small CSV; a CLI on a ledger with ann's plan)."""
    from conftest import Megaroth, add_ann

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    udir = tmp_path / "config" / "megaroth-ledger" / "profiles"
    udir.mkdir(parents=True)
    f = tmp_path / "a.csv"
    f.write_text(CSV)
    return udir, f, add_ann(Megaroth(tmp_path / "ledger.db"))


@pytest.mark.parametrize(("text", "fragment"), CLI_CASES, ids=[f[1][:60] for f in CLI_CASES])
def test_every_command_that_loads_it_says_so_in_one_line(text, fragment, tmp_path, monkeypatch):
    udir, f, m = _user_setup(tmp_path, monkeypatch)
    (udir / "mine.toml").write_text(text)
    for args in (
        ["profiles", "list"],
        ["profiles", "show", "mine"],
        ["import", str(f), "--plan", "acme-401k", "--profile", "mine", "--dry-run"],
        ["import", str(f), "--plan", "acme-401k", "--dry-run"],
    ):
        res = m(*args, ok=False)  # an exception escapes CliRunner here: a traceback fails the test
        assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1, (args, res.output)
        assert res.stderr.startswith(f"Error: profile {udir / 'mine.toml'}: "), (args, res.stderr)
        assert fragment in res.stderr, (args, res.stderr)
    for args in (["profiles", "check", _name(text)], ["profiles", "check", _name(text), str(f)]):
        res = m(*args, ok=False)
        assert res.exit_code == 1 and fragment in res.output and "mine.toml: " in res.output, (
            args,
            res.output,
        )


def test_a_string_where_a_list_is_expected_is_not_read_character_by_character():
    for sections in (
        {"sources": {"map": "abc"}},
        {"types": {"map": "abc"}},
        {"read": {"skip_row_regex": "(("}},
    ):
        problems = check_profile_text(profile(**sections), "mine.toml")
        assert len(problems) == 1 and "must be a list" in problems[0], problems
    problems = check_profile_text(profile(parse={"date_formats": "%d.%m.%Y"}), "mine.toml")
    assert problems == [
        'mine.toml: [parse] date_formats must be a list of strptime formats (e.g. ["%m/%d/%Y"])'
    ]


# ---------------------------------------------------------------- property

WORDS = [
    "",
    "mine",
    "table",
    "ofx",
    "auto",
    ",",
    "\t",
    "pretax",
    "unknown",
    "contribution",
    "neg_abs",
    "<0",
    "%Y-%m-%d",
    "%d",
    "^in$",
    "^pre$",
    "(",
    "a{99999999999}",
    "(?P<code>\\d+)",
    "(?P<year>\\d{4})",
    "year",
    "code",
    "Date",
    "Amount",
    "Activity",
    "Source",
]
RULE_KEYS = ["match", "source", "type", "sign", "when_amount", "irr_year_group", "typo"]
SCALARS = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=6),
    st.integers(-3, 10**12),
    st.floats(allow_nan=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.dates(),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(RULE_KEYS + WORDS[1:4]), inner, max_size=3),
    ),
    max_leaves=6,
)
RULES = st.lists(
    st.one_of(st.dictionaries(st.sampled_from(RULE_KEYS), VALUES, max_size=4), VALUES), max_size=3
)
KEYS = sorted((section, key) for section, keys in KNOWN_KEYS.items() for key in keys)

# values of the right type (often right outright), so that some profiles load and read files
REGEXES = st.sampled_from(["", "^x$", "(?i)^totals", "\\d+", "(?P<code>\\d+)", "^(?P<year>\\d{4}) ", "("])
SOURCE_RULES = st.lists(
    st.fixed_dictionaries(
        {
            "match": st.one_of(REGEXES, st.sampled_from(["^pre$", "^(?P<year>\\w+)$"])),
            "source": st.sampled_from(SOURCES),
        },
        optional={"irr_year_group": st.sampled_from(["year", "code"])},
    ),
    max_size=3,
)
TYPE_RULES = st.lists(
    st.fixed_dictionaries(
        {
            "match": st.sampled_from(["^in$", "^out$", ".", "("]),
            "type": st.sampled_from(sorted(PROFILE_TYPES)),
        },
        optional={"sign": st.sampled_from(SIGNS), "when_amount": st.sampled_from(["<0", ">0", "<=0", ">=0"])},
    ),
    max_size=3,
)
WELL_TYPED = {
    ("profile", "id"): st.sampled_from(["mine", "x"]),
    ("profile", "kind"): st.sampled_from(["table", "ofx"]),
    ("detect", "header"): st.one_of(
        st.just(HEADER), st.lists(st.sampled_from(HEADER + ["Fund"]), max_size=5)
    ),
    ("detect", "canonical"): st.booleans(),
    ("detect", "scan_lines"): st.integers(1, 60),
    ("read", "delimiter"): st.sampled_from(["auto", ",", "\t", ";"]),
    ("read", "stop_at_blank_row"): st.booleans(),
    ("read", "footer_regex"): REGEXES,
    ("read", "skip_row_regex"): st.lists(REGEXES, max_size=2),
    ("const", "source"): st.sampled_from(SOURCES),
    ("const", "type"): st.sampled_from(sorted(PROFILE_TYPES)),
    ("parse", "date_formats"): st.lists(st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%Q", "%"]), max_size=3),
    ("parse", "date_strip_regex"): REGEXES,
    ("sources", "strip_prefix_regex"): REGEXES,
    ("sources", "map"): SOURCE_RULES,
    ("sources", "ofx"): st.dictionaries(
        st.sampled_from(["OTHERVEST", "MISSING", "PRETAX"]), st.sampled_from(SOURCES)
    ),
    ("types", "map"): TYPE_RULES,
    ("funds", "code_regex"): REGEXES,
    ("derive", "pair_transfers"): st.booleans(),
}


def well_typed(section: str, key: str):
    if (section, key) in WELL_TYPED:
        return WELL_TYPED[section, key]
    if section == "columns":
        return st.sampled_from(HEADER + ["Nope"])
    return st.text(max_size=5)


@st.composite
def profile_dicts(draw) -> dict:
    """A base profile with some known keys given a value of any type (most often a well-typed
    one; rule lists for ``map``), some sections replaced by a random value, and sometimes an
    unknown section."""
    data = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for section, key in draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True)):
        if draw(st.integers(0, 9)) < 6:
            value = draw(well_typed(section, key))
        else:
            value = draw(RULES if key == "map" else VALUES)
        if isinstance(data.get(section, {}), dict):
            data.setdefault(section, {})[key] = value
    if draw(st.integers(0, 3)) == 0:
        for section in draw(st.lists(st.sampled_from(sorted(KNOWN_KEYS) + ["colour"]), max_size=2)):
            data[section] = draw(VALUES)
    return data


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(profile_dicts())
def test_check_profile_text_never_raises(data):
    problems = check_profile_text(toml_text(data), "mine.toml")
    assert isinstance(problems, list)
    assert all(isinstance(p, str) and p.startswith("mine.toml: ") for p in problems)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A file of each kind for a profile to read: a table with a preamble, a bad row and a
    totals line; the canonical CSV; a 401(k) OFX statement."""
    d = tmp_path_factory.mktemp("files")
    (d / "table.csv").write_text("Plan: Acme\n" + CSV + "2025-01-03,out,pre,-5.00\nTotals,,,5.00\n")
    (d / "canonical.csv").write_text("date,plan,source,type,amount\n2025-01-13,p,pretax,contribution,5.00\n")
    return {
        "table": d / "table.csv",
        "canonical": d / "canonical.csv",
        "ofx": ROOT / "tests" / "ofx" / "loan-and-first-statement.ofx",
    }


def _read_with(prof, path: Path) -> None:
    imp = OfxImporter(prof) if prof.kind == "ofx" else ProfileImporter(prof)
    try:
        imp.detect(read_head(path))
        parsed = open_parse(path, importer=imp, plan="p")
        list(parsed.rows)
        parsed.finish()
    except UserError as exc:  # bad rows (ImportRowErrors), a header not found...
        assert str(exc).strip()


@PROPERTY
@given(data=profile_dicts())
def test_the_compiler_refuses_exactly_what_check_reports(data, files):
    text = toml_text(data)
    problems = check_profile_text(text, "profile /p/mine.toml")
    try:
        prof = _compile(text, "/p/mine.toml")
    except UserError as exc:
        assert problems and str(exc).startswith(problems[0])
        return
    assert problems == []
    for path in files.values() if prof.kind != "ofx" else [files["ofx"]]:
        _read_with(prof, path)


def test_an_irr_year_group_that_captures_no_year_is_a_bad_row(tmp_path):
    from megaroth_ledger.importers import parse_file
    from megaroth_ledger.importers.rows import ImportRowErrors

    rule = {"match": "^(?P<year>\\w+) roth$", "source": "roth_irr", "irr_year_group": "year"}
    (tmp_path / "mine.toml").write_text(profile(sources={"map": [rule]}))
    f = tmp_path / "a.csv"
    f.write_text("Date,Activity,Source,Amount\n2025-01-02,in,2024 roth,10.00\n2025-01-03,in,late roth,5.00\n")
    with pytest.raises(ImportRowErrors) as exc:
        parse_file(f, plan="p", user_dir=tmp_path)
    assert [(e.line, e.column, e.reason) for e in exc.value.errors] == [(3, "Source", "not a year: 'late'")]


@pytest.mark.parametrize("bad", ["latin-1", "directory"])
def test_an_unreadable_profile_file_is_one_line_naming_it(bad, tmp_path, monkeypatch):
    udir, f, m = _user_setup(tmp_path, monkeypatch)
    if bad == "latin-1":
        (udir / "mine.toml").write_bytes(profile().encode() + "# Caf\xe9\n".encode("latin-1"))
        want = f"Error: profile {udir / 'mine.toml'}: not UTF-8 text (byte "
    else:
        (udir / "mine.toml").mkdir()
        want = f"Error: cannot read profile {udir / 'mine.toml'}: "
    for args in (
        ["profiles", "list"],
        ["profiles", "check", "mine"],
        ["import", str(f), "--plan", "acme-401k"],
    ):
        res = m(*args, ok=False)
        assert res.exit_code == 2 and res.stderr.startswith(want) and len(res.stderr.splitlines()) == 1, (
            res.output
        )


def test_the_fields_a_profile_may_name_are_the_canonical_columns():
    """profile_check keeps its own ordered list (the order of its messages): it must name the very
    columns the canonical row has, no more and no fewer."""
    from megaroth_ledger.importers.profile_check import COLUMN_FIELDS
    from megaroth_ledger.importers.rows import CANONICAL_COLUMNS

    assert sorted(COLUMN_FIELDS) == sorted(CANONICAL_COLUMNS)
    assert len(set(COLUMN_FIELDS)) == len(COLUMN_FIELDS)
