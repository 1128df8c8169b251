"""A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, start, stop.

The cluster listens on 127.0.0.1 on a free port, keeps its socket inside the temporary
folder, and makes a test role that logs in with a password over TCP, so that tests see the
same password authentication (and the same error messages) as a real deployment. The
superuser connects over the private socket with trust authentication.

PostgreSQL refuses to run as root, so when the tests run as root the server processes run as
the ``postgres`` system user (made by Debian's ``postgresql`` package) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

__all__ = ["PostgresServer", "PostgresUnavailable", "find_postgres_bin"]

TEST_ROLE = "dpm_publisher"
# Distinctive, with characters that need quoting or percent-encoding, so that a leak in
# any form (raw, URL-encoded) is caught by the tests that scan every output for it.
TEST_PASSWORD = "Pw-7hq@Xz%r!secret"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine, or no way to run them."""


def find_postgres_bin() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None.

    ``PATH`` first, then Debian's ``/usr/lib/postgresql/<major>/bin``, newest major first.
    """
    initdb = shutil.which("initdb")
    if initdb is not None:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: _major(Path(path).parent.name),
        reverse=True,
    )
    for candidate in candidates:
        folder = Path(candidate)
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _major(name: str) -> int:
    return int(name) if name.isdigit() else -1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """One running cluster; ``start()`` it, make databases with ``new_database()``, ``stop()``."""

    bin_dir: Path
    base: Path | None = None
    port: int = 0
    _run_as: str | None = None

    @property
    def socket_dir(self) -> Path:
        assert self.base is not None
        return self.base / "socket"

    @property
    def data_dir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    def start(self) -> None:
        """initdb and start the cluster, then create the password-authenticated test role."""
        self.base = Path(tempfile.mkdtemp(prefix="dpm-policy-pg-"))
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            self._run_as = "postgres"
            try:
                account = pwd.getpwnam(self._run_as)
            except KeyError as error:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' system user to run the server"
                ) from error
            # The temporary folder is private to root; the server user must own it.
            for path in (self.base, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        # A free port can be taken between probing and binding; try a few.
        for _attempt in range(3):
            self.port = _free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    f"-k {self.socket_dir}",
                    "-c listen_addresses=127.0.0.1",
                    # Durability is worthless for a throwaway cluster and costs seconds.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                ]
            )
            result = self._run(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.base / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "30",
                    "start",
                ],
                check=False,
            )
            if result.returncode == 0:
                break
        else:
            log = (self.base / "server.log").read_text(errors="replace")
            raise PostgresUnavailable(f"the test PostgreSQL server did not start:\n{log}")
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(TEST_ROLE), sql.Literal(TEST_PASSWORD)
                )
            )

    def stop(self) -> None:
        """Stop the cluster at once and delete its folder."""
        if self.base is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            self._run(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"],
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        """Superuser over the private socket (trust): for fixtures and fault injection."""
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={dbname}"

    @contextlib.contextmanager
    def admin_connection(
        self, dbname: str = "postgres"
    ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """An autocommit superuser connection, closed on exit."""
        with psycopg.connect(self.admin_conninfo(dbname), autocommit=True) as connection:
            yield connection

    def new_database(self) -> str:
        """A fresh empty database owned by the test role; returns its name."""
        name = f"dpm_{uuid.uuid4().hex[:12]}"
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(TEST_ROLE)
                )
            )
        return name

    def test_dsn(self, dbname: str, *, style: str = "keyword") -> str:
        """The test role's DSN (with its password) over TCP, as a keyword string or a URL."""
        if style == "url":
            from urllib.parse import quote

            return (
                f"postgresql://{TEST_ROLE}:{quote(TEST_PASSWORD, safe='')}"
                f"@127.0.0.1:{self.port}/{dbname}"
            )
        return (
            f"host=127.0.0.1 port={self.port} dbname={dbname} user={TEST_ROLE} "
            f"password='{TEST_PASSWORD}' connect_timeout=10"
        )

    def _run(
        self, command: Sequence[str], *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        if self._run_as is not None:
            command = ["runuser", "-u", self._run_as, "--", *command]
        result = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            check=False,
            # The server inherits no test settings such as PGPASSWORD or PGHOST.
            env={key: value for key, value in os.environ.items() if not key.startswith("PG")},
            cwd=self.base,
        )
        if check and result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(command[-1]).name} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result
