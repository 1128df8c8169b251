"""``dpm-policy deliver`` against real git remotes (local bare repositories).

One commit per change, carrying the environment, source commit and content hash as trailers;
no commit when nothing changed; fast-forward only; a bundle edited by hand on the branch is
refused; a run that failed at any step can be run again.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dpm_policy.cli import main
from dpm_policy.compile.bundle import read_bundle
from dpm_policy.deliver import DeliveryError, load_compiled, push_bundle
from dpm_policy.deliver.remote import Scratch, shown_url
from git_repos import copy_content, git, git_env

pytestmark = pytest.mark.git

COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


def _compile(root: Path, dist: Path, commit: str) -> Path:
    if dist.exists():
        shutil.rmtree(dist)
    args = ["compile", "--root", str(root), "--out", str(dist), "--source-commit", commit]
    assert main(args) == 0
    return dist


def _deliver(dist: Path, remote: Path, *extra: str, env: str = "dev") -> int:
    return main(["deliver", "--env", env, "--to", str(remote), "--dist", str(dist), *extra])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_content(tmp_path / "repo")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "gitops.git"
    bare.mkdir()
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    return bare


def _log(remote: Path, branch: str = "main") -> list[str]:
    return git(remote, "log", "--format=%H", branch).stdout.split()


def _tree(remote: Path, folder: str, branch: str = "main") -> dict[str, bytes]:
    names = git(remote, "ls-tree", "-r", "--name-only", branch, "--", f"{folder}/").stdout.split()
    return {
        name.removeprefix(f"{folder}/"): git_bytes(remote, "show", f"{branch}:{name}")
        for name in names
    }


def git_bytes(repo: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=repo, env=git_env(repo.parent), capture_output=True, check=True
    ).stdout


def _change_dev(root: Path) -> None:
    path = root / "environments" / "dev.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("idempotency_replay_enabled: true", "idempotency_replay_enabled: false")
    )


def test_first_delivery_creates_the_branch_with_one_commit_and_trailers(
    root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote) == 0
    (commit,) = _log(remote)
    assert _tree(remote, "dev") == read_bundle(dist / "dev")
    bundle, _ = load_compiled(dist, "dev")
    trailers = git(remote, "log", "-1", "--format=%(trailers:only,unfold)", "main").stdout
    assert trailers.splitlines()[:3] == [
        "Dpm-Policy-Environment: dev",
        f"Dpm-Policy-Source-Commit: {COMMIT_A}",
        f"Dpm-Policy-Content-Hash: {bundle.content_hash}",
    ]
    assert f"delivered dev to {remote} branch main: commit {commit}" in capsys.readouterr().out


def test_nothing_changed_means_no_commit_even_from_a_new_source_commit(
    root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote) == 0
    assert _deliver(dist, remote) == 0
    assert _deliver(_compile(root, tmp_path / "dist", COMMIT_B), remote) == 0
    assert len(_log(remote)) == 1
    assert "dev: up to date on" in capsys.readouterr().out.splitlines()[-1]


def test_a_change_is_one_fast_forward_commit_and_other_folders_are_kept(
    root: Path, remote: Path, tmp_path: Path
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote) == 0
    assert _deliver(dist, remote, env="uat") == 0
    # The platform team keeps its overlay on the same branch: deliver leaves it alone.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    (clone / "overlays").mkdir()
    (clone / "overlays" / "README").write_text("the engine's overlays\n")
    git(clone, "add", "overlays")
    git(clone, "commit", "--quiet", "-m", "overlays")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    before = _log(remote)
    uat_before = _tree(remote, "uat")

    _change_dev(root)
    dist = _compile(root, tmp_path / "dist", COMMIT_B)
    assert _deliver(dist, remote) == 0
    after = _log(remote)
    assert after[1:] == before  # one new commit, on top of the old tip
    assert _tree(remote, "dev") == read_bundle(dist / "dev")
    assert _tree(remote, "uat") == uat_before
    assert _tree(remote, "overlays") == {"README": b"the engine's overlays\n"}


def test_a_bundle_edited_by_hand_on_the_branch_is_refused(
    root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote) == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    (clone / "dev" / "variables" / "DPM_POLICY_PACKS_ENABLED").write_text("false")
    git(clone, "commit", "--quiet", "-am", "hotfix by hand")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    tip = _log(remote)[0]
    _change_dev(root)
    dist = _compile(root, tmp_path / "dist", COMMIT_B)
    capsys.readouterr()

    assert _deliver(dist, remote) == 1
    assert _log(remote)[0] == tip
    error = capsys.readouterr().err
    assert error.startswith(
        f"dpm-policy: error: dev/ on {remote} branch main at {tip[:12]} is not the "
        "bundle dpm-policy delivered: its files do not match the content hash"
    )
    assert error.rstrip().endswith("Revert that change on the branch, then run again")


def test_check_reports_drift_naming_what_differs(
    root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote, "--check") == 1
    assert "nothing is delivered for dev" in capsys.readouterr().out
    assert _deliver(dist, remote) == 0
    assert _deliver(dist, remote, "--check") == 0
    _change_dev(root)
    capsys.readouterr()
    assert _deliver(_compile(root, tmp_path / "dist", COMMIT_B), remote, "--check") == 1
    out = capsys.readouterr().out.splitlines()
    where = f"{remote} branch main at {_log(remote)[0][:12]}"
    assert out[0] == f"dev: drift: {where} differs from the compiled bundle"
    assert "  env.json: differs" in out
    assert "  variable DPM_IDEMPOTENCY_REPLAY_ENABLED: differs" in out
    assert f"(from commit {COMMIT_A}), compiled" in out[-1]
    assert len(_log(remote)) == 1  # --check pushes nothing


def test_a_branch_that_moves_during_the_push_is_fetched_again(
    root: Path, remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, remote, env="uat") == 0
    real_push = Scratch.push
    raced: list[str] = []

    def push_after_another_delivery(self: Scratch, commit: str) -> None:
        if not raced:
            # Another environment's delivery lands between our fetch and our push.
            raced.append(commit)
            other = tmp_path / "dist-other"
            _compile(root, other, COMMIT_B)
            bundle, _ = load_compiled(other, "prod")
            push_bundle(url=str(remote), branch="main", environment="prod", bundle=bundle)
        real_push(self, commit)

    monkeypatch.setattr(Scratch, "push", push_after_another_delivery)
    bundle, _ = load_compiled(dist, "dev")
    done = push_bundle(url=str(remote), branch="main", environment="dev", bundle=bundle)
    assert done.committed
    log = _log(remote)
    assert len(log) == 3
    assert log[0] == done.commit
    assert log[0] != raced[0]  # the first commit lost the race and was made again
    assert _tree(remote, "dev") == read_bundle(dist / "dev")
    assert _tree(remote, "prod")
    assert _tree(remote, "uat")


def test_a_failed_push_leaves_the_branch_as_it_was_and_a_rerun_delivers(
    root: Path,
    remote: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)

    def unreachable(self: Scratch, commit: str) -> None:
        raise DeliveryError("git push failed: the network went away")

    monkeypatch.setattr(Scratch, "push", unreachable)
    assert _deliver(dist, remote) == 2
    assert "the network went away" in capsys.readouterr().err
    assert git(remote, "rev-parse", "--verify", "main", check=False).returncode != 0
    monkeypatch.undo()
    assert _deliver(dist, remote) == 0
    assert len(_log(remote)) == 1


def test_a_bundle_compiled_from_uncommitted_changes_is_not_delivered(
    root: Path, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = tmp_path / "dist"
    assert main(["compile", "--root", str(root), "--out", str(dist)]) == 0  # not a checkout
    assert _deliver(dist, remote) == 2
    assert "names no source commit" in capsys.readouterr().err


def test_a_missing_compile_says_to_compile_first(
    remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _deliver(tmp_path / "nowhere", remote) == 2
    assert "run dpm-policy compile --env dev first" in capsys.readouterr().err


def test_an_unreachable_remote_is_an_error_naming_it(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = _compile(root, tmp_path / "dist", COMMIT_A)
    assert _deliver(dist, tmp_path / "no-such-remote.git") == 2
    assert "git ls-remote failed for" in capsys.readouterr().err


def test_credentials_in_the_url_are_never_shown() -> None:
    assert (
        shown_url("https://x-access-token:s3cr3t@git.example.invalid/ops/gitops.git")
        == "https://***@git.example.invalid/ops/gitops.git"
    )
