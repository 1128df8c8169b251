"""Errors of the delivery path, in the tool's one exception tree; ``cli.EXIT_CODES`` maps each
to its exit code."""

from __future__ import annotations

from dpm_policy.errors import DpmPolicyError, Refused

__all__ = ["DeliveryError", "DeliveryRefused"]


class DeliveryError(DpmPolicyError):
    """The bundle, the GitOps repository or the catalog could not be read or written (exit 2)."""


class DeliveryRefused(Refused):
    """Delivering would break an order rule or overwrite what it did not write (exit 1).

    Nothing was pushed; the message says why and what to do.
    """
