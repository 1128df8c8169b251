"""``fmt`` keeps each comment beside what it annotates, and lays out blank lines and ``#``.

Each test is one placement: the text an author wrote and the exact text fmt writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.fmt import format_text

PACK_MODELINE = "# yaml-language-server: $schema=../schema/policy-pack.schema.json\n"
TENANT_MODELINE = "# yaml-language-server: $schema=../schema/tenant.schema.json\n"
# A pack's header fields, in canonical order.
PACK_HEAD = PACK_MODELINE + (
    'policy_pack_id: dpm_x_v1\nversion: "1"\ndescription: X.\nowners: ["@bank/dpm-risk"]\n'
)


def _formatted(tmp_path: Path, relative: str, text: str) -> str:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    result = format_text(text, file=relative, path=path)
    assert result.problems == []
    assert result.text is not None
    again = format_text(result.text, file=relative, path=path)
    assert again.text == result.text, "formatting twice changes nothing"
    return result.text


def test_an_own_line_comment_moves_with_the_key_after_it(tmp_path: Path) -> None:
    head = PACK_HEAD.replace('version: "1"', '# Bump on every change.\nversion: "1"')
    written = head + (
        "\n"
        "workflow_policy:\n"
        "  enable_workflow_gates: true\n"
        "# A tenth of the portfolio per rebalance.\n"
        "turnover_policy:\n"
        "  max_turnover_pct: 0.10\n"
    )
    assert _formatted(tmp_path, "packs/dpm_x_v1.yaml", written) == head + (
        "\n"
        "# A tenth of the portfolio per rebalance.\n"
        "turnover_policy:\n"
        "  max_turnover_pct: 0.10\n"
        "\n"
        "workflow_policy:\n"
        "  enable_workflow_gates: true\n"
    )


def test_a_comment_inside_a_section_moves_with_its_key(tmp_path: Path) -> None:
    written = PACK_HEAD + (
        "\n"
        "settlement_policy:\n"
        "  # Three business days.\n"
        "  settlement_horizon_days: 3\n"
        "  # Only with the horizon above.\n"
        "  enable_settlement_awareness: true\n"
    )
    assert _formatted(tmp_path, "packs/dpm_x_v1.yaml", written) == PACK_HEAD + (
        "\n"
        "settlement_policy:\n"
        "  # Only with the horizon above.\n"
        "  enable_settlement_awareness: true\n"
        "  # Three business days.\n"
        "  settlement_horizon_days: 3\n"
    )


def test_an_end_of_file_comment_stays_at_the_end(tmp_path: Path) -> None:
    written = TENANT_MODELINE + (
        "display_name: Orchard\n"
        "tenant_id: orchard\n"
        'owners: ["@bank/dpm-operations"]\n'
        "default_policy_pack: dpm_standard_v1\n"
        "\n"
        "# Reviewed with the client in May.\n"
        "# Next review: November.\n"
    )
    assert _formatted(tmp_path, "tenants/orchard.yaml", written) == TENANT_MODELINE + (
        "tenant_id: orchard\n"
        "display_name: Orchard\n"
        'owners: ["@bank/dpm-operations"]\n'
        "default_policy_pack: dpm_standard_v1\n"
        "\n"
        "# Reviewed with the client in May.\n"
        "# Next review: November.\n"
    )


def test_an_end_of_file_comment_written_against_the_last_line_stays_there(
    tmp_path: Path,
) -> None:
    written = TENANT_MODELINE + (
        "tenant_id: orchard\n"
        "display_name: Orchard\n"
        'owners: ["@bank/dpm-operations"]\n'
        "default_policy_pack: dpm_standard_v1\n"
        "    # the last word\n"
    )
    assert _formatted(tmp_path, "tenants/orchard.yaml", written) == TENANT_MODELINE + (
        "tenant_id: orchard\n"
        "display_name: Orchard\n"
        'owners: ["@bank/dpm-operations"]\n'
        "default_policy_pack: dpm_standard_v1\n"
        "# the last word\n"
    )


def test_comment_indentation_follows_its_key(tmp_path: Path) -> None:
    written = PACK_HEAD + (
        "\n"
        "constraint_policy:\n"
        "        # at most a quarter in one position\n"
        "    single_position_max_weight: 0.25\n"
        "    group_constraints:\n"
        "# technology\n"
        '        "sector:TECH": {max_weight: 0.30}\n'
    )
    assert _formatted(tmp_path, "packs/dpm_x_v1.yaml", written) == PACK_HEAD + (
        "\n"
        "constraint_policy:\n"
        "  # at most a quarter in one position\n"
        "  single_position_max_weight: 0.25\n"
        "  group_constraints:\n"
        "    # technology\n"
        '    "sector:TECH": {max_weight: 0.30}\n'
    )


def test_a_comment_before_a_list_item_stays_with_it(tmp_path: Path) -> None:
    modeline = "# yaml-language-server: $schema=../schema/environment.schema.json\n"
    written = modeline + (
        "environment: dev\n"
        "packs:\n"
        "- dpm_a_v1\n"
        "      # the pilot\n"
        "- dpm_b_v1   #   new in May\n"
        "description: Dev.\n"
    )
    assert _formatted(tmp_path, "environments/dev.yaml", written) == modeline + (
        "environment: dev\n"
        "description: Dev.\n"
        "packs:\n"
        "  - dpm_a_v1\n"
        "  # the pilot\n"
        "  - dpm_b_v1 #   new in May\n"
    )


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("  max_turnover_pct: 0.07            # 7 %\n", "  max_turnover_pct: 0.07 # 7 %\n"),
        ("  max_turnover_pct: 0.07 #7 %\n", "  max_turnover_pct: 0.07 #7 %\n"),
        ("  max_turnover_pct: 0.07\t# 7 %\n", "  max_turnover_pct: 0.07 # 7 %\n"),
    ],
)
def test_one_space_before_an_inline_comment(tmp_path: Path, written: str, canonical: str) -> None:
    head = PACK_MODELINE + (
        'policy_pack_id: dpm_x_v1\nversion: "1"\ndescription: X.\nowners: ["@o/t"]\n\n'
    )
    text = _formatted(tmp_path, "packs/dpm_x_v1.yaml", head + "turnover_policy:\n" + written)
    assert text == head + "turnover_policy:\n" + canonical


def test_an_inline_comment_on_a_section_key_stays_on_it(tmp_path: Path) -> None:
    head = PACK_MODELINE + (
        'policy_pack_id: dpm_x_v1\nversion: "1"\ndescription: X.\nowners: ["@o/t"]\n'
    )
    written = head + "tax_policy:    # taxable clients only\n  enable_tax_awareness: true\n"
    assert _formatted(tmp_path, "packs/dpm_x_v1.yaml", written) == (
        head + "\ntax_policy: # taxable clients only\n  enable_tax_awareness: true\n"
    )


def test_one_blank_line_before_each_section_and_none_elsewhere(tmp_path: Path) -> None:
    # A blank line inside a block of text is part of the text.
    description = "description: |\n  First paragraph.\n\n  Second paragraph.\n"
    written = PACK_MODELINE + (
        "\n"
        "policy_pack_id: dpm_x_v1\n"
        "\n\n"
        'version: "1"\n'
        f"{description}"
        'owners: ["@bank/dpm-risk"]\n'
        "turnover_policy:\n"
        "\n"
        "  max_turnover_pct: 0.10\n"
        "\n\n\n"
        "tax_policy:\n"
        "  enable_tax_awareness: true\n"
        "\n"
    )
    assert _formatted(tmp_path, "packs/dpm_x_v1.yaml", written) == PACK_MODELINE + (
        "policy_pack_id: dpm_x_v1\n"
        'version: "1"\n'
        f"{description}"
        'owners: ["@bank/dpm-risk"]\n'
        "\n"
        "turnover_policy:\n"
        "  max_turnover_pct: 0.10\n"
        "\n"
        "tax_policy:\n"
        "  enable_tax_awareness: true\n"
    )


def test_a_hash_inside_a_value_is_not_a_comment(tmp_path: Path) -> None:
    text = TENANT_MODELINE + (
        "tenant_id: t1\n"
        'display_name: "Fund #1 # of the bank"\n'
        'owners: ["@bank/dpm-operations"] # the desk\n'
        "default_policy_pack: dpm_standard_v1\n"
    )
    assert _formatted(tmp_path, "tenants/t1.yaml", text) == text


def _repo(tmp_path: Path, text: str) -> Path:
    for folder in ("packs", "tenants", "environments"):
        (tmp_path / folder).mkdir()
    (tmp_path / "tenants" / "t1.yaml").write_text(text, encoding="utf-8")
    return tmp_path


MESSY_TENANT = (
    "tenant_id: t1\n"
    "display_name: T1   # as the client writes it\n"
    'owners: ["@bank/dpm-operations"]\n'
    "default_policy_pack: dpm_standard_v1\n"
)

DIFF = (
    "--- a/tenants/t1.yaml\n"
    "+++ b/tenants/t1.yaml\n"
    "@@ -1,4 +1,5 @@\n"
    "+# yaml-language-server: $schema=../schema/tenant.schema.json\n"
    " tenant_id: t1\n"
    "-display_name: T1   # as the client writes it\n"
    "+display_name: T1 # as the client writes it\n"
    ' owners: ["@bank/dpm-operations"]\n'
    " default_policy_pack: dpm_standard_v1\n"
)


def test_check_diff_shows_the_change_and_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path, MESSY_TENANT)
    assert main(["fmt", "--check", "--diff", "--root", str(root)]) == 1
    captured = capsys.readouterr()
    assert captured.out == DIFF
    assert "tenants/t1.yaml:1:1: error[not-formatted]: not formatted; run" in captured.err
    assert (root / "tenants" / "t1.yaml").read_text(encoding="utf-8") == MESSY_TENANT


def test_diff_shows_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path, MESSY_TENANT)
    assert main(["fmt", "--diff", "--root", str(root)]) == 0
    assert capsys.readouterr().out == DIFF
    assert main(["fmt", "--check", "--diff", "--root", str(root)]) == 0
    assert capsys.readouterr().out == ""
