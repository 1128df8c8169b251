"""``repository.yaml``: the policy repository's own settings, reviewed like the policy files.

It names who approves a change to what is not a policy file, so that a pull request weakening
the checks themselves (the tooling, the schemas, the workflows, the build files) needs the
same review as one loosening a pack.
"""

from __future__ import annotations

from pydantic import Field

from dpm_policy.model.base import StrictModel
from dpm_policy.model.types import OwnerList

__all__ = ["RepositorySettings"]


class RepositorySettings(StrictModel):
    """Settings of the policy repository itself."""

    owners: OwnerList = Field(
        description=(
            "Who approves changes to the tooling, schemas, workflows and build files (tools/, "
            "runtime/, schema/, tests/, .github/, .ci/, Makefile, pyproject.toml, the pre-commit "
            "files) and to this file: GitHub users or teams."
        ),
        examples=[["@bank/dpm-platform"]],
    )
