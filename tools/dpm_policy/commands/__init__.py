"""The subcommands, one module each, listed in one registry.

A command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

from types import ModuleType

from dpm_policy.commands import (
    check,
    codeowners,
    deliver,
    diff,
    explain,
    fmt,
    init,
    new,
    publish,
    schema,
    test,
    validate,
)
from dpm_policy.commands import compile as compile_command

__all__ = ["COMMANDS", "Command"]

Command = ModuleType

COMMANDS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        validate,
        schema,
        compile_command,
        fmt,
        new,
        init,
        codeowners,
        diff,
        explain,
        publish,
        test,
        deliver,
        check,
    )
}


def _check_interface(module: ModuleType) -> None:
    for attribute in ("NAME", "HELP", "add_arguments", "run"):
        if not hasattr(module, attribute):
            raise TypeError(f"command module {module.__name__} lacks {attribute}")


for _module in COMMANDS.values():
    _check_interface(_module)
