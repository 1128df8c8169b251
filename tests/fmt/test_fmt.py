"""``fmt``: canonical layout, every comment kept, idempotent, on every YAML file we have."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.fmt import format_text
from dpm_policy.fmt.safety import comments_of, same_data
from git_repos import REPO_ROOT


def _yaml_files() -> list[Path]:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    found = {REPO_ROOT / name for name in tracked if name.endswith((".yaml", ".yml"))}
    found.update((REPO_ROOT / "tests" / "fixtures").rglob("*.yaml"))
    found.update((REPO_ROOT / "tests" / "fixtures").rglob("*.yml"))
    return sorted(path for path in found if path.is_file())


FILES = _yaml_files()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.relative_to(REPO_ROOT).as_posix())
def test_idempotent_and_keeps_every_comment(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8 text (an encoding fixture)")
    name = path.relative_to(REPO_ROOT).as_posix()
    first = format_text(text, file=name, path=path, fast=False)
    # The fast check gives the round trip's verdict on every file (test_fmt_fast_check).
    assert format_text(text, file=name, path=path) == first
    if first.text is None:
        # Left as it is, and said so: a syntax error or a file it cannot format safely.
        assert first.problems
        assert {problem.code for problem in first.problems} <= {"syntax", "fmt-unsafe"}
        return
    assert comments_of(first.text) == comments_of(text)
    assert same_data(text, first.text)
    second = format_text(first.text, file=name, path=path, fast=False)
    assert second.text == first.text


def test_most_files_are_formatted_not_skipped() -> None:
    skipped = []
    for path in FILES:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if format_text(text, file=path.name, path=path).text is None:
            skipped.append(path)
    assert len(skipped) <= len(FILES) // 4, skipped


def test_repository_policy_files_are_formatted() -> None:
    assert main(["fmt", "--check", "--root", str(REPO_ROOT)]) == 0


MESSY = """\
# The income pack.
version: "2"   # quoted: the engine wants text
policy_pack_id: dpm_income_v1
turnover_policy:
    max_turnover_pct: 0.10  # ten per cent
owners:
- "@bank/dpm-risk"   # the risk team
description: >-
  Income mandates with a folded
  description.
constraint_policy:
    group_constraints:
        "sector:TECH": {max_weight: 0.15}
    single_position_max_weight: 0.25
tax_policy: {enable_tax_awareness: true}
extends: dpm_standard_v1
"""

CANONICAL = """\
# yaml-language-server: $schema=../schema/policy-pack.schema.json
# The income pack.
policy_pack_id: dpm_income_v1
version: "2" # quoted: the engine wants text
description: >-
  Income mandates with a folded
  description.
owners:
  - "@bank/dpm-risk" # the risk team
extends: dpm_standard_v1

turnover_policy:
  max_turnover_pct: 0.10 # ten per cent

tax_policy: {enable_tax_awareness: true}

constraint_policy:
  single_position_max_weight: 0.25
  group_constraints:
    "sector:TECH": {max_weight: 0.15}
"""


def test_canonical_order_indentation_and_modeline(tmp_path: Path) -> None:
    path = tmp_path / "packs" / "dpm_income_v1.yaml"
    path.parent.mkdir()
    result = format_text(MESSY, file="packs/dpm_income_v1.yaml", path=path)
    assert result.problems == []
    assert result.text == CANONICAL


def test_stale_modeline_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "tenants" / "emea" / "t1.yaml"
    path.parent.mkdir(parents=True)
    text = (
        "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
        "tenant_id: t1\ndisplay_name: T\nowners: ['@o']\ndefault_policy_pack: p\n"
    )
    result = format_text(text, file="tenants/emea/t1.yaml", path=path)
    assert result.text is not None
    assert result.text.splitlines()[0] == (
        "# yaml-language-server: $schema=../../schema/tenant.schema.json"
    )
    assert "'@o'" in result.text


def _repo(tmp_path: Path) -> Path:
    for folder in ("packs", "tenants", "environments"):
        (tmp_path / folder).mkdir()
    (tmp_path / "packs" / "dpm_income_v1.yaml").write_text(MESSY, encoding="utf-8")
    (tmp_path / "packs" / "dpm_clean_v1.yaml").write_text(
        CANONICAL.replace("dpm_income_v1", "dpm_clean_v1"), encoding="utf-8"
    )
    return tmp_path


def test_check_names_the_files_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    assert main(["fmt", "--check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "packs/dpm_income_v1.yaml:1:1: error[not-formatted]: not formatted; run" in err
    assert "dpm_clean_v1" not in err
    assert (root / "packs" / "dpm_income_v1.yaml").read_text(encoding="utf-8") == MESSY


def test_writes_then_checks_clean(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert main(["fmt", "--root", str(root)]) == 0
    assert (root / "packs" / "dpm_income_v1.yaml").read_text(encoding="utf-8") == CANONICAL
    assert main(["fmt", "--check", "--root", str(root)]) == 0


def test_paths_limit_the_files(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    clean = root / "packs" / "dpm_clean_v1.yaml"
    readme = root / "packs" / "README.md"
    readme.write_text("not yaml\n", encoding="utf-8")
    assert main(["fmt", "--check", "--root", str(root), str(clean), str(readme)]) == 0


def test_unparseable_file_is_reported_with_its_position(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    broken = root / "packs" / "broken.yaml"
    broken.write_text("policy_pack_id: x\nowners: [a\nversion: '1'\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dpm_policy", "fmt", "--root", str(root), str(broken)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO_ROOT / "tools"), "PATH": ""},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("packs/broken.yaml:3:")
    assert "error[syntax]" in result.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["fmt", "--root", str(tmp_path), str(tmp_path / "nope.yaml")]) == 2


def test_reads_the_files_validate_reads_and_refuses_what_it_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """fmt walks the policy folders as validate does: a folder named like a policy file is
    reported (not searched), a file in a hidden folder is left alone, and a link out of the
    repository is refused rather than rewritten."""
    root = _repo(tmp_path)
    inside = root / "packs" / "nested.yaml"
    inside.mkdir()
    (inside / "dpm_hidden_v1.yaml").write_text(MESSY, encoding="utf-8")
    hidden = root / "packs" / ".drafts"
    hidden.mkdir()
    (hidden / "dpm_draft_v1.yaml").write_text(MESSY, encoding="utf-8")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(MESSY, encoding="utf-8")
    (root / "packs" / "linked.yaml").symlink_to(outside)
    assert main(["fmt", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "packs/nested.yaml:1:1: error[" in err
    assert "packs/linked.yaml:1:1: error[" in err
    assert (inside / "dpm_hidden_v1.yaml").read_text(encoding="utf-8") == MESSY
    assert (hidden / "dpm_draft_v1.yaml").read_text(encoding="utf-8") == MESSY
    assert outside.read_text(encoding="utf-8") == MESSY
    assert (root / "packs" / "dpm_income_v1.yaml").read_text(encoding="utf-8") == CANONICAL
    assert main(["validate", "--root", str(root)]) == 1
    validate_err = capsys.readouterr().err
    for name in ("packs/nested.yaml", "packs/linked.yaml"):
        assert name + ":1:1: error[" in validate_err
