"""Boolean variables: the engine's ``env_flag`` and the strict form our compiler emits."""

from __future__ import annotations

from dpm_policy_runtime.frozen import FrozenMap
from dpm_policy_runtime.problems import ConfigProblem, Dropped
from dpm_policy_runtime.safe_text import safe_repr
from dpm_policy_runtime.switches import SWITCHES

__all__ = ["FLAG_DEFAULTS", "TRUE_WORDS", "env_flag", "lenient_flag", "strict_flag"]

# env_flag's true words (src/api/routers/runtime_utils.py); anything else set is false, even
# "y", "t", "enabled" and "".
TRUE_WORDS: frozenset[str] = frozenset({"1", "true", "yes", "on"})

# The engine's default for each flag when the variable is unset, from the switch table.
FLAG_DEFAULTS: FrozenMap[str, bool] = FrozenMap(
    {
        spec.variable: bool(spec.engine_default)
        for spec in SWITCHES
        if spec.kind == "flag" and spec.variable is not None
    }
)


def env_flag(value: str | None, default: bool) -> bool:
    """Exactly the engine's reading: unset gives ``default``, else one of :data:`TRUE_WORDS`."""
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def lenient_flag(name: str, value: str | None, dropped: list[Dropped]) -> bool:
    """:func:`env_flag`, noting any text other than ``true``/``false`` as coerced."""
    result = env_flag(value, FLAG_DEFAULTS[name])
    if value is not None and value not in ("true", "false"):
        dropped.append(
            Dropped(
                name, "", "coerced", f"flag text {safe_repr(value)} reads as {str(result).lower()}"
            )
        )
    return result


def strict_flag(name: str, value: str | None, problems: list[ConfigProblem]) -> bool:
    """Only ``true`` or ``false`` (or unset, for the default); anything else is a problem."""
    if value is None:
        return FLAG_DEFAULTS[name]
    if value == "true":
        return True
    if value == "false":
        return False
    engine = env_flag(value, FLAG_DEFAULTS[name])
    problems.append(
        ConfigProblem(
            name,
            "",
            "flag",
            f"flag text {safe_repr(value)} is not 'true' or 'false' (the engine would read it as "
            f"{str(engine).lower()}); write 'true' or 'false'",
        )
    )
    return engine
