"""Hypothesis strategies for policy files written the way people write them.

A file is drawn as data (which keys, which values) and as layout (key order, indentation, blank
lines, comments own-line or inline with any spacing, flow or block lists, quoting); ``canonical``
draws the layout fmt writes, ``messy`` anything an author might.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

PACK_MODELINE = "# yaml-language-server: $schema=../schema/policy-pack.schema.json"
TENANT_MODELINE = "# yaml-language-server: $schema=../schema/tenant.schema.json"

_WORDS = st.sampled_from(["note", "why", "see the review", "10 %", "keep", "TODO: check", "é ü"])
_FRACTIONS = st.sampled_from(["0.05", "0.10", "0.25", "0.3", "0.075", "1", "0"])


@dataclass(frozen=True)
class Style:
    """How one file is laid out."""

    indent: int  # spaces per level
    shuffle: bool
    blank_lines: bool
    comments: bool
    inline_spacing: int
    flow_owners: bool
    canonical: bool


@st.composite
def styles(draw: st.DrawFn, *, canonical: bool) -> Style:
    if canonical:
        return Style(2, False, False, draw(st.booleans()), 1, draw(st.booleans()), True)
    return Style(
        indent=draw(st.sampled_from([2, 3, 4])),
        shuffle=draw(st.booleans()),
        blank_lines=draw(st.booleans()),
        comments=draw(st.booleans()),
        inline_spacing=draw(st.integers(1, 12)),
        flow_owners=draw(st.booleans()),
        canonical=False,
    )


Entry = tuple[str, "str | list[Entry]"]


@st.composite
def _sections(draw: st.DrawFn) -> list[Entry]:
    """A pack's sections, each with some of its fields, in the engine's order."""
    chosen: list[Entry] = []
    if draw(st.booleans()):
        chosen.append(("turnover_policy", [("max_turnover_pct", draw(_FRACTIONS))]))
    if draw(st.booleans()):
        tax: list[Entry] = [("enable_tax_awareness", draw(st.sampled_from(["true", "false"])))]
        if draw(st.booleans()):
            tax.append(("max_realized_capital_gains", f'"{draw(st.integers(0, 90000))}"'))
        chosen.append(("tax_policy", tax))
    if draw(st.booleans()):
        chosen.append(
            (
                "settlement_policy",
                [
                    ("enable_settlement_awareness", "true"),
                    ("settlement_horizon_days", str(draw(st.integers(0, 10)))),
                ],
            )
        )
    if draw(st.booleans()):
        groups: list[Entry] = [
            (f'"sector:{sector}"', f"{{max_weight: {draw(_FRACTIONS)}}}")
            for sector in draw(
                st.lists(
                    st.sampled_from(["TECH", "ENERGY", "HEALTH"]),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
        ]
        chosen.append(
            (
                "constraint_policy",
                [("single_position_max_weight", draw(_FRACTIONS)), ("group_constraints", groups)],
            )
        )
    if draw(st.booleans()):
        chosen.append(
            (
                "workflow_policy",
                [
                    ("enable_workflow_gates", draw(st.sampled_from(["true", "false"]))),
                    ("workflow_requires_mandate_approval", "false"),
                ],
            )
        )
    return chosen


def _render(
    draw: st.DrawFn, entries: list[Entry], style: Style, depth: int, out: list[str]
) -> None:
    order = list(entries)
    if style.shuffle:
        order = draw(st.permutations(order))
    for key, value in order:
        pad = " " * (style.indent * depth)
        if style.blank_lines and draw(st.booleans()):
            out.append("")
        if style.canonical and depth == 0 and isinstance(value, list) and out:
            out.append("")
        if style.comments and draw(st.integers(0, 3)) == 0:
            where = pad if style.canonical else " " * draw(st.integers(0, 8))
            out.append(f"{where}# {draw(_WORDS)}")
        if isinstance(value, list):
            out.append(f"{pad}{key}:")
            _render(draw, value, style, depth + 1, out)
            continue
        line = f"{pad}{key}: {value}"
        if style.comments and draw(st.integers(0, 3)) == 0:
            line += " " * style.inline_spacing + f"# {draw(_WORDS)}"
        out.append(line)


@st.composite
def packs(draw: st.DrawFn, *, pack_id: str, extends: str, canonical: bool) -> str:
    """A valid pack file of ``pack_id`` that extends ``extends``."""
    style = draw(styles(canonical=canonical))
    owners: str | list[Entry]
    if style.flow_owners:
        owners = '["@bank/dpm-risk"]'
    else:
        owners = '["@bank/dpm-risk", "@bank/tax-advisory"]'
    header: list[Entry] = [
        ("policy_pack_id", pack_id),
        ("version", draw(st.sampled_from(['"2"', "'2'", '"2.10"']))),
        ("description", draw(st.sampled_from(["A pack.", "'Quoted: text.'", '"Fund #1"']))),
        ("owners", owners),
        ("extends", extends),
    ]
    out = [PACK_MODELINE]
    _render(draw, header + draw(_sections()), style, 0, out)
    if style.comments and draw(st.booleans()):
        if not style.canonical or draw(st.booleans()):
            out.append("")
        out.append(f"# {draw(_WORDS)}")
    return "\n".join(out) + "\n"


@st.composite
def tenants(draw: st.DrawFn, *, tenant_id: str, pack_id: str, canonical: bool) -> str:
    """A valid tenant file of ``tenant_id`` whose default pack is ``pack_id``."""
    style = draw(styles(canonical=canonical))
    entries: list[Entry] = [
        ("tenant_id", tenant_id),
        ("display_name", draw(st.sampled_from(["Tenant A", '"Tenant: A"', "'A # B'"]))),
        ("owners", '["@bank/dpm-operations"]'),
        ("default_policy_pack", pack_id),
    ]
    out = [TENANT_MODELINE]
    _render(draw, entries, style, 0, out)
    return "\n".join(out) + "\n"
