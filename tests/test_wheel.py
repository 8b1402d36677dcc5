"""The built wheel carries the migrations: an installed megaroth creates a database anywhere."""

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_migrations_and_creates_a_database(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("megaroth_ledger-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "megaroth_ledger/migrations/env.py" in names
    assert any(n.startswith("megaroth_ledger/migrations/versions/0001") for n in names)
    assert "megaroth_ledger/data/limits.toml" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    target = subprocess.run(
        [str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Install the wheel without network: unpack it with this interpreter's pip into the fresh
    # venv, and let that venv see the test environment's dependencies (not its megaroth).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "-q",
            "--target",
            target,
            str(wheel),
        ],
        check=True,
    )
    Path(target, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MEGAROTH_DB")}
    run = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import megaroth_ledger, sys; print(megaroth_ledger.__file__); "
            "from megaroth_ledger.cli import main; sys.argv=['megaroth','--db',sys.argv[1],'person','add','ann','--born','1985-04-02'];"
            "main()",
            str(tmp_path / "x.db"),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].startswith(target), "the wheel's copy was imported, not the repo's"
    assert (tmp_path / "x.db").exists()
