"""The GitOps repository: its branch read and written with the real git, in a scratch clone.

Every operation works in a temporary repository that is removed afterwards, so a failure at
any step leaves nothing behind locally, and the remote changes only by one fast-forward push.
A URL may carry a token (``https://x-access-token:TOKEN@host/repo.git``): :func:`shown_url`
is the only form of it that is ever printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dpm_policy.deliver.errors import DeliveryError
from dpm_policy.errors import GitError
from dpm_policy.git import run_git

__all__ = [
    "COMMITTER",
    "Scratch",
    "Snapshot",
    "git_environment",
    "shown_url",
]

# Who the delivery commits are by: the bundle, not a person, is their author.
COMMITTER = ("dpm-policy deliver", "deliver@dpm-policy.invalid")

# Variables that point git at another repository than the scratch one; transport settings
# (GIT_SSH_COMMAND, GIT_ASKPASS, GIT_CONFIG_*) are kept, so CI credentials still work.
_LOCATING = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def shown_url(url: str) -> str:
    """``url`` with any user and token replaced by ``***``."""
    return _USERINFO.sub("***@", url)


def git_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs with: no repository-locating variables, a fixed identity."""
    source = os.environ if environ is None else environ
    env = {key: value for key, value in source.items() if key not in _LOCATING}
    name, email = COMMITTER
    env.update(
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email,
        # Never wait for a password prompt in a pipeline.
        GIT_TERMINAL_PROMPT="0",
    )
    return env


@dataclass(frozen=True)
class Snapshot:
    """The files below one folder of a commit, by path relative to that folder."""

    commit: str
    files: dict[str, bytes]


class Scratch:
    """A temporary repository that talks to one remote branch."""

    def __init__(self, folder: Path, url: str, branch: str) -> None:
        self.folder = folder
        self.url = url
        self.branch = branch
        self._env = git_environment()
        self.git("init", "--quiet", "--initial-branch=delivery")

    def git(self, *args: str) -> str:
        try:
            output = run_git(self.folder, *args, environment=self._env)
        except GitError as error:
            raise DeliveryError(
                f"git {args[0]} failed for {shown_url(self.url)} branch {self.branch}: "
                f"{shown_url(str(error))}"
            ) from None
        return output.decode("utf-8", "surrogateescape")

    def fetch_tip(self) -> str | None:
        """Fetch the branch's tip; its commit id, or None when the branch does not exist yet."""
        listed = self.git("ls-remote", "--heads", self.url, f"refs/heads/{self.branch}")
        if not listed.strip():
            return None
        self.git(
            "fetch", "--quiet", "--no-tags", "--depth=1", self.url, f"refs/heads/{self.branch}"
        )
        return self.git("rev-parse", "--verify", "FETCH_HEAD^{commit}").strip()

    def read_folder(self, commit: str, folder: str) -> Snapshot:
        """Every file below ``folder`` in ``commit`` (empty when the folder is not there)."""
        listing = self.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", f"{folder}/")
        files: dict[str, bytes] = {}
        for record in filter(None, listing.split("\0")):
            meta, _, path = record.partition("\t")
            _mode, kind, blob = meta.split()
            if kind != "blob":
                continue
            data = run_git(self.folder, "cat-file", "blob", blob, environment=self._env)
            files[path.removeprefix(f"{folder}/")] = data
        return Snapshot(commit, files)

    def commit_folder(
        self, parent: str | None, folder: str, files: Mapping[str, bytes], message: str
    ) -> str:
        """A new commit: ``parent``'s tree with ``folder`` replaced by ``files``; its id."""
        work = self.folder
        if parent is not None:
            self.git("checkout", "--quiet", "--detach", parent)
            self.git("rm", "-r", "--quiet", "--ignore-unmatch", "--", f"{folder}/")
        target = work / folder
        for name, data in files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.git("add", "--", f"{folder}/")
        (work / ".git" / "delivery-message").write_text(message, encoding="utf-8")
        self.git("commit", "--quiet", "--no-verify", "--file", ".git/delivery-message")
        return self.git("rev-parse", "HEAD").strip()

    def push(self, commit: str) -> None:
        """Push ``commit`` to the branch, fast-forward only (never forced)."""
        self.git("push", "--quiet", self.url, f"{commit}:refs/heads/{self.branch}")
