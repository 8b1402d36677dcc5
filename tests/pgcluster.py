"""A throwaway PostgreSQL cluster for the test suite's PostgreSQL half.

The suite runs every ledger-using test on SQLite and on PostgreSQL (tests/conftest.py). The
PostgreSQL server comes from, in order:

1. ``$MEGAROTH_TEST_PG_URL``: a SQLAlchemy URL of a role that may ``CREATE DATABASE`` (e.g.
   ``postgresql+psycopg://me@/postgres?host=/var/run/postgresql``); nothing is started.
2. The server binaries (``initdb``, ``pg_ctl``) on ``$PATH``, in ``$MEGAROTH_TEST_PG_BIN`` or
   in Debian's ``/usr/lib/postgresql/<version>/bin``: a new cluster is made in a temporary
   directory, listening on a Unix socket only (``listen_addresses=''``, no TCP), with
   durability switched off (it is thrown away at the end of the session). As root, initdb and
   the server run as the ``postgres`` user (initdb refuses root).

``.ci/postgres.sh`` installs the distribution's PostgreSQL when the binaries are missing
(``make test`` calls it when ``CI=true``).

The cluster's ``pg_hba.conf`` asks one role, :data:`PASSWORD_ROLE`, for a password
(scram-sha-256) and trusts every other local connection, so tests can check that a password
never reaches a message.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

PREFIX = "megaroth-pg-"
PASSWORD_ROLE = "megaroth_pw"
PASSWORD = "Tr0ub4dor-s3cret"  # the test cluster's only password, for the "never in a message" tests


class Unavailable(Exception):
    """No PostgreSQL server can be had; the message says why."""


def _find_bindir() -> Path | None:
    explicit = os.environ.get("MEGAROTH_TEST_PG_BIN")
    candidates = [Path(explicit)] if explicit else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    return None


class Cluster:
    """A started cluster: ``admin_url`` (superuser ``postgres`` over the socket), ``url(db, ...)``."""

    def __init__(self) -> None:
        self.bindir = _find_bindir()
        if self.bindir is None:
            raise Unavailable(
                "no PostgreSQL server binaries (initdb, pg_ctl) found; install PostgreSQL "
                "(Debian: apt-get install postgresql) or set MEGAROTH_TEST_PG_URL"
            )
        self.as_user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable(
                    "running as root and there is no 'postgres' user to run initdb as"
                ) from None
            self.as_user = "postgres"
        self._reap_stale()
        self.base = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.base / "owner.pid").write_text(str(os.getpid()))
        self.data = self.base / "data"
        self.sock = self.base / "sock"
        self.sock.mkdir()
        if self.as_user:
            entry = pwd.getpwnam(self.as_user)
            for p in (self.base, self.sock):
                os.chown(p, entry.pw_uid, entry.pw_gid)
        self.started = False
        try:
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
            hba = self.data / "pg_hba.conf"
            text = hba.read_text()
            hba.write_text(f"local all {PASSWORD_ROLE} scram-sha-256\n" + text)
            opts = (
                f"-k {self.sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200"
            )
            self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.base / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start",
            )
            self.started = True
        except Unavailable:
            self.stop()
            raise

    def _reap_stale(self) -> None:
        """Stop and delete clusters left by test runs that were killed (no teardown ran)."""
        for base in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
            try:
                owner = int((base / "owner.pid").read_text())
                os.kill(owner, 0)
                continue  # its run is still going
            except ProcessLookupError:
                pass
            except (OSError, ValueError):
                continue  # not ours to judge
            if (base / "data" / "postmaster.pid").exists():
                subprocess.run(
                    self._argv("pg_ctl", "-D", str(base / "data"), "-m", "immediate", "-w", "stop"),
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
            shutil.rmtree(base, ignore_errors=True)

    def _argv(self, tool: str, *args: str) -> list[str]:
        argv = [str(self.bindir / tool), *args]
        if self.as_user:
            runuser = shutil.which("runuser")
            argv = (
                [runuser, "-u", self.as_user, "--", *argv]
                if runuser
                else ["su", self.as_user, "-s", "/bin/sh", "-c", " ".join(_quote(a) for a in argv)]
            )
        return argv

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run(
            self._argv(tool, *args),
            capture_output=True,
            text=True,
            cwd=self.base,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if proc.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise Unavailable(
                f"{tool} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()} "
                f"{tail}".strip()
            )

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql+psycopg://{auth}@/{database}?host={self.sock}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def stop(self) -> None:
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except Unavailable:
                pass
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)
