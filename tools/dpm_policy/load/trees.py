"""Where source files come from: a folder on disk, or a commit read straight from git's objects.

Both trees list the files below a folder and hand back a file's bytes after the same safety
checks (size, regular file, symbolic links leading outside the repository or nowhere), raising
``YamlLoadError`` with the same codes and messages. Decoding and parsing happen elsewhere, the
same for both.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from dpm_policy.errors import GitError, InputError
from dpm_policy.git import run_git, start_git
from dpm_policy.load.yaml_source import YamlLoadError
from dpm_policy.problems import Position, Problem

__all__ = [
    "MAX_FILE_BYTES",
    "DiskTree",
    "GitTree",
    "ReadOnce",
    "SourceTree",
    "load_error",
    "relative_name",
]

# A policy file is a few hundred bytes; anything this large is a mistake or hostile.
MAX_FILE_BYTES = 256 * 1024

# Links followed before a chain counts as a loop (the limit Linux applies too).
_MAX_LINKS = 40


class SourceTree(Protocol):
    """The files of one policy repository, named by paths relative to its root."""

    def is_folder(self, folder: str) -> bool:
        """Whether ``folder`` (relative, ``""`` for the root itself) is a folder."""
        ...

    def files(self, folder: str) -> list[str]:
        """Every file below ``folder``, any name, as relative posix paths in no set order."""
        ...

    def read(self, name: str) -> bytes:
        """The bytes of the file ``name``; raises ``YamlLoadError`` when it may not be read."""
        ...

    def exists(self, name: str) -> bool:
        """Whether anything (a file, a folder, a link even to nothing) has the name ``name``."""
        ...


def relative_name(root: Path, path: Path | str) -> str:
    """The path as authors see it: relative to the repository root, forward slashes."""
    # Plain string work: this runs once per file, and pathlib's parsing is the slow part.
    text, prefix = os.fspath(path), os.fspath(root).rstrip(os.sep) + os.sep
    if text.startswith(prefix):
        text = text[len(prefix) :]
    return text.replace(os.sep, "/")


def load_error(
    name: str, code: str, message: str, position: Position | None = None
) -> YamlLoadError:
    """A load error with one problem, at ``position`` or the start of the file."""
    return YamlLoadError([Problem(name, position or Position(1, 1), code, message)])


# The refusals both trees share, worded once.


def _link_outside(name: str) -> YamlLoadError:
    return load_error(
        name,
        "symlink",
        "the file is a symbolic link to a place outside the repository; commit the file itself",
    )


def _link_to_nothing(name: str) -> YamlLoadError:
    return load_error(
        name,
        "io",
        "the file is a symbolic link to nothing, or vanished while being read; "
        "replace it with the file itself",
    )


def _link_loop(name: str) -> YamlLoadError:
    return load_error(
        name, "symlink", "the file is a symbolic link that loops; replace it with the file itself"
    )


def _not_a_file(name: str, what: str) -> YamlLoadError:
    return load_error(
        name, "io", f"the name is taken by something other than a file ({what}); remove it"
    )


def _link_to_folder(name: str) -> YamlLoadError:
    return load_error(
        name,
        "symlink",
        "the file is a symbolic link to a folder, not a policy file; "
        "replace it with the file itself",
    )


def _folder_named_like_file(name: str) -> YamlLoadError:
    return load_error(
        name,
        "file-name",
        "this is a folder named like a policy file; a policy file must be a file, so rename "
        "the folder (its contents are not read)",
    )


def _named_like_file(name: str) -> bool:
    """Whether a folder's name is one the walk would read as a policy file."""
    return name.endswith(".yaml")


def _cannot_read(name: str, error: OSError) -> YamlLoadError:
    return load_error(name, "io", f"cannot read the file: {error.strerror or error}")


def _too_large(name: str, size: int | None) -> YamlLoadError:
    amount = f"{size} bytes, more than" if size is not None else "more than"
    return load_error(
        name,
        "file-size",
        f"the file is {amount} the {MAX_FILE_BYTES} bytes a policy file may hold; "
        "keep one pack, tenant or environment per file",
    )


class DiskTree:
    """The files of a folder on disk, the working tree as it is."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def is_folder(self, folder: str) -> bool:
        return os.path.isdir(os.path.join(self.root, folder))

    def exists(self, name: str) -> bool:
        return os.path.lexists(os.path.join(self.root, name))

    def files(self, folder: str) -> list[str]:
        found: list[str] = []
        top = os.path.join(self.root, folder)
        for directory, folders, names in os.walk(top, followlinks=False):
            prefix = relative_name(self.root, directory) + "/"
            found.extend(prefix + name for name in names)
            # A folder, or a link to one, named like a policy file is listed so that reading
            # it reports it; the walk does not go into it.
            misnamed = [name for name in folders if _named_like_file(name)]
            found.extend(prefix + name for name in misnamed)
            folders[:] = [name for name in folders if not _named_like_file(name)]
        return found

    def read(self, name: str) -> bytes:
        path = os.path.join(self.root, name)
        try:
            if os.path.islink(path):
                target = Path(path).resolve(strict=True)
                if not target.is_relative_to(self.root.resolve()):
                    raise _link_outside(name)
            info = os.stat(path)
        except FileNotFoundError:
            raise _link_to_nothing(name) from None
        except RuntimeError:  # a symbolic link loop
            raise _link_loop(name) from None
        except OSError as error:
            raise _cannot_read(name, error) from None
        if stat.S_ISDIR(info.st_mode):
            raise _link_to_folder(name) if os.path.islink(path) else _folder_named_like_file(name)
        if not stat.S_ISREG(info.st_mode):
            raise _not_a_file(name, "a pipe, device or socket")
        if info.st_size > MAX_FILE_BYTES:
            raise _too_large(name, info.st_size)
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise _cannot_read(name, error) from None
        if len(raw) > MAX_FILE_BYTES:  # it grew after the size check
            raise _too_large(name, None)
        return raw


class ReadOnce:
    """Another tree whose every file is read at most once: a second read hands back the same
    bytes, or the same refusal, so steps that each read a file (validation, then the
    formatting check) cost one read of it."""

    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self._read: dict[str, bytes | YamlLoadError] = {}

    def is_folder(self, folder: str) -> bool:
        return self.tree.is_folder(folder)

    def exists(self, name: str) -> bool:
        return self.tree.exists(name)

    def files(self, folder: str) -> list[str]:
        return self.tree.files(folder)

    def read(self, name: str) -> bytes:
        found = self._read.get(name)
        if found is None:
            try:
                found = self.tree.read(name)
            except YamlLoadError as error:
                found = error
            self._read[name] = found
        if isinstance(found, YamlLoadError):
            raise YamlLoadError(found.problems)
        return found


_REGULAR = ("100644", "100755")
_SYMLINK = "120000"
_SUBMODULE = "160000"


@dataclass(frozen=True)
class _Entry:
    mode: str
    sha: str


class GitTree:
    """The files below ``prefix`` at ``commit`` of the checkout at ``top``, read from git's
    objects without writing them anywhere.

    The whole listing comes from one ``git ls-tree``; contents come from ``git cat-file
    --batch``, one call for every file listed so far that has not been read yet, so loading
    a folder of tens of thousands of files costs one process, not one per file.
    """

    def __init__(self, top: Path, commit: str, prefix: str) -> None:
        self.top = top
        self.commit = commit
        self.prefix = "" if prefix in ("", ".") else prefix.strip("/")
        args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit]
        if self.prefix:
            args += ["--", self.prefix]
        listing = self._git(*args)
        self._entries: dict[str, _Entry] = {}
        self._folders: set[str] = {""}
        strip = len(self.prefix) + 1 if self.prefix else 0
        for record in listing.split(b"\0"):
            if not record:
                continue
            info, _, raw_path = record.partition(b"\t")
            mode, _, sha = info.decode("ascii").split(" ")
            name = os.fsdecode(raw_path)[strip:]
            self._entries[name] = _Entry(mode, sha)
            folder = name.rpartition("/")[0]
            while folder not in self._folders:
                self._folders.add(folder)
                folder = folder.rpartition("/")[0]
        # Contents by object id; an int is the size of an object too large to keep.
        self._blobs: dict[str, bytes | int] = {}
        self._wanted: set[str] = set()

    def _git(self, *args: str, stdin: IO[bytes] | None = None) -> bytes:
        try:
            return run_git(self.top, *args, stdin=stdin)
        except GitError as error:
            raise InputError(f"cannot read commit {self.commit[:12]}: {error}") from None

    def is_folder(self, folder: str) -> bool:
        return folder.strip("/") in self._folders

    def exists(self, name: str) -> bool:
        return name in self._entries or name.strip("/") in self._folders

    def files(self, folder: str) -> list[str]:
        start = folder.strip("/") + "/"
        # As on disk: a folder named like a policy file is listed, and what is in it is not.
        misnamed = [
            name
            for name in self._folders
            if name.startswith(start) and _named_like_file(name.rpartition("/")[2])
        ]
        found = [
            name for name in misnamed if not any(name.startswith(f"{other}/") for other in misnamed)
        ]
        for name, entry in self._entries.items():
            if not name.startswith(start):
                continue
            if misnamed and any(name.startswith(f"{other}/") for other in misnamed):
                continue
            if (
                entry.mode == _SYMLINK
                and not _named_like_file(name.rpartition("/")[2])
                and self._links_to_folder(name)
            ):
                continue  # as on disk, where a walk lists such a link among the folders
            found.append(name)
            if entry.mode != _SUBMODULE:
                self._wanted.add(entry.sha)
        return found

    def read(self, name: str) -> bytes:
        entry = self._entries.get(name)
        if entry is None:
            if name in self._folders:
                raise _folder_named_like_file(name)
            raise _link_to_nothing(name)
        if entry.mode == _SYMLINK:
            target = self._resolve(name)
            if target not in self._entries:
                raise _link_to_folder(name)
            entry = self._entries[target]
        if entry.mode == _SUBMODULE:
            raise _not_a_file(name, "a submodule")
        content = self._blob(entry.sha)
        if isinstance(content, int):
            raise _too_large(name, content)
        return content

    def whole(self, name: str) -> bytes | None:
        """The bytes of the regular file ``name`` whatever its size (for generated files, not
        policy files), or None when the commit has no such file."""
        entry = self._entries.get(name)
        if entry is None or entry.mode not in _REGULAR:
            return None
        return self._git("cat-file", "blob", entry.sha)

    def _links_to_folder(self, name: str) -> bool:
        try:
            return self._resolve(name) in self._folders
        except YamlLoadError:
            return False

    def _resolve(self, name: str) -> str:
        """The entry or folder the symbolic link ``name`` leads to, following every link on the
        way as the file system would."""
        pending = name.split("/")
        resolved: list[str] = []
        links = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not resolved:
                    raise _link_outside(name)
                resolved.pop()
                continue
            current = "/".join([*resolved, part])
            entry = self._entries.get(current)
            if entry is not None and entry.mode == _SYMLINK:
                links += 1
                if links > _MAX_LINKS:
                    raise _link_loop(name)
                target = self._blob(entry.sha)
                text = os.fsdecode(target) if isinstance(target, bytes) else ""
                if not text or text.startswith("/"):
                    raise _link_outside(name)
                pending = text.split("/") + pending
                continue
            if entry is None and current not in self._folders:
                raise _link_to_nothing(name)
            if entry is not None and pending:  # a file where the path needs a folder
                raise _link_to_nothing(name)
            resolved.append(part)
        return "/".join(resolved)

    def _blob(self, sha: str) -> bytes | int:
        content = self._blobs.get(sha)
        if content is None:
            self._fetch(sorted((self._wanted | {sha}) - self._blobs.keys()))
            self._wanted.clear()
            content = self._blobs[sha]
        return content

    def _fetch(self, shas: list[str]) -> None:
        """Read ``shas`` with one ``git cat-file --batch``; objects too large are only measured,
        read past in chunks rather than held."""
        with tempfile.TemporaryFile() as request, tempfile.TemporaryFile() as errors:
            request.write("".join(f"{sha}\n" for sha in shas).encode("ascii"))
            request.seek(0)
            process = start_git(self.top, "cat-file", "--batch", stdin=request, stderr=errors)
            assert process.stdout is not None
            with process:
                for sha in shas:
                    self._blobs[sha] = self._object(process.stdout, sha)
            if process.returncode != 0:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                raise InputError(
                    f"cannot read commit {self.commit[:12]}: "
                    + (lines[-1] if lines else "git cat-file failed")
                )

    def _object(self, stream: IO[bytes], sha: str) -> bytes | int:
        """One object of ``cat-file --batch`` output: a header line, the content, a line feed."""
        header = stream.readline().split(b" ")
        if len(header) != 3:
            raise InputError(f"cannot read commit {self.commit[:12]}: object {sha} is missing")
        size = int(header[2])
        if size <= MAX_FILE_BYTES:
            content = stream.read(size + 1)
            if len(content) == size + 1:
                return content[:-1]
        else:
            left = size + 1
            while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
                left -= len(chunk)
            if left == 0:
                return size
        raise InputError(f"cannot read commit {self.commit[:12]}: object {sha} is cut short")
