"""Golden output: the repository's own content compiles to exactly the files in golden/.

Regenerate after an intended change with ``DPM_POLICY_UPDATE_GOLDEN=1 pytest tests/compile``.
"""

from __future__ import annotations

from pathlib import Path

from compile_repos import copy_content
from compile_trees import check_golden, tree_differences

from dpm_policy.cli import main

GOLDEN = Path(__file__).parent / "golden"
# A fixed commit, so the golden ConfigMaps and manifests show the label and stay stable.
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_repository_content_matches_golden(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "repo")
    out = tmp_path / "dist"
    assert main(["compile", "--root", str(root), "--out", str(out), "--source-commit", COMMIT]) == 0
    differences = check_golden(out, GOLDEN)
    assert not differences, (
        "compiled output differs from tests/compile/golden (regenerate with "
        "DPM_POLICY_UPDATE_GOLDEN=1 if the change is intended):\n" + "\n".join(differences)
    )


def test_tree_differences_lists_missing_extra_and_differing(tmp_path: Path) -> None:
    golden, actual = tmp_path / "golden", tmp_path / "actual"
    for root in (golden, actual):
        (root / "dev").mkdir(parents=True)
        (root / "dev" / "same.json").write_text("{}\n")
    (golden / "dev" / "gone.json").write_text("1\n")
    (actual / "dev" / "new.json").write_text("2\n")
    (golden / "dev" / "env.json").write_text("a\nb\n")
    (actual / "dev" / "env.json").write_text("a\nc\n")
    found = tree_differences(golden, actual)
    assert found[0] == "missing: dev/gone.json"
    assert found[1] == "extra: dev/new.json"
    assert found[2].startswith("differs: dev/env.json")
    assert "-b" in found[2]
    assert "+c" in found[2]
    assert len(found) == 3
