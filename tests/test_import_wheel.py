"""The wheel ships the import profiles (TOML data files inside the package)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_import_profiles(tmp_path):
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
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("megaroth_ledger-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "megaroth_ledger" / "importers" / "profiles").glob("*.toml")}
    assert len(shipped) == 8
    assert {f"megaroth_ledger/importers/profiles/{n}" for n in shipped} <= names
