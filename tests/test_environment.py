"""environment.yml (the conda route) is valid and installs the same package set as the pip route
(`make`: `pip install -e '.[test]'`), so both give the same environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_is_valid_and_installs_the_pip_route():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["name"] == "forensics"
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    required = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "requires-python"]
    assert python.removeprefix("python") == required  # the same floor: >=3.11
    assert "pip" in deps
    (pip,) = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    # the very install the Makefile does, so the package set is the pip route's
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (extras,) = re.findall(r"pip install --quiet -e '\.\[(\w+)\]'", makefile)
    assert pip == [f"-e .[{extras}]"]
