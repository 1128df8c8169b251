"""A ConfigMap volume: the compiled ``env.json`` as a file, read atomically across updates.

The kubelet writes a ConfigMap volume as ``<dir>/..<timestamp>/env.json``, points the link
``<dir>/..data`` at that folder, and exposes ``<dir>/env.json -> ..data/env.json``. An update
writes a new timestamped folder, renames a new link over ``..data`` (one atomic step) and then
deletes the old folder. A reader that followed ``<dir>/env.json`` twice could meet two
versions; this one resolves ``..data`` once, reads through the folder it names, and checks
that ``..data`` still names it afterwards. When the link moved meanwhile (or the old folder
was deleted under the read) it reads again, up to ``attempts`` times. What it returns is
therefore wholly one version.

A folder without ``..data`` (``dist/<env>/`` on a laptop) is read as a plain file.
"""

from __future__ import annotations

import os
from collections.abc import Hashable

from dpm_policy_runtime.source import Reading, SourceUnavailable, bytes_reading, file_token

__all__ = ["DATA_LINK", "MOUNTED_FILE", "MountedFiles"]

DATA_LINK = "..data"
# What the delivery bundle's file ConfigMap holds (tenant_map_delivery: file).
MOUNTED_FILE = "env.json"


class MountedFiles:
    """The compiled ``env.json`` in a mounted ConfigMap folder such as ``/etc/dpm-policy``.

    ``probe()`` reads one link (``..data``); ``read()`` reads the file through the folder that
    link names, as one version.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_name: str = MOUNTED_FILE,
        attempts: int = 5,
    ) -> None:
        self._directory = os.fspath(directory)
        self._file_name = file_name
        self._attempts = max(1, attempts)

    @property
    def location(self) -> str:
        return os.path.join(self._directory, self._file_name)

    def _link(self) -> str | None:
        """Where ``..data`` points now; None when the folder is not a ConfigMap volume."""
        try:
            return os.readlink(os.path.join(self._directory, DATA_LINK))
        except FileNotFoundError:
            return None

    def probe(self) -> Hashable:
        target = self._link()
        if target is None:
            return file_token(self.location)
        return (DATA_LINK, target)

    def read(self) -> Reading:
        for _ in range(self._attempts):
            target = self._link()
            if target is None:
                token: Hashable = file_token(self.location)
                path = token[0]  # type: ignore[index]
            else:
                token = (DATA_LINK, target)
                # Through the resolved folder, never through ..data again.
                path = os.path.join(self._directory, target, self._file_name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:
                if target is not None and self._link() != target:
                    continue  # the old folder was deleted under us: read the new one
                raise
            if target is not None and self._link() != target:
                continue  # swapped while reading: what we hold may be the old version
            return bytes_reading(token, path, data, self._file_name)
        raise SourceUnavailable(
            f"{self._directory}: {DATA_LINK} changed during each of {self._attempts} reads; "
            "kept the last good snapshot, will read again at the next check"
        )
