"""The tool's exception tree. ``cli`` maps each class to an exit code, in one place."""

from __future__ import annotations

__all__ = ["DpmPolicyError", "InputError", "UsageError"]


class DpmPolicyError(Exception):
    """Base of every error the tool reports on purpose."""


class UsageError(DpmPolicyError):
    """The command line asks for something that cannot be done (exit 2)."""


class InputError(DpmPolicyError):
    """A file or folder could not be read or written (exit 2)."""
