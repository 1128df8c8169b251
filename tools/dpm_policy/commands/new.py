"""``dpm-policy new``: start a pack or a tenant from a canonical, valid file."""

from __future__ import annotations

import argparse
import sys

from dpm_policy.commands.common import (
    add_format_argument,
    add_root_argument,
    find_root,
    report_stopped,
)
from dpm_policy.new import NOTHING_WRITTEN, new_pack, new_tenant

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "new"
HELP = (
    "write a new pack (new pack ID [--extends ID]) or tenant (new tenant ID --pack ID) file, "
    "canonical as fmt writes it and valid"
)


def _add_owner(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--owner",
        dest="owners",
        action="append",
        default=[],
        metavar="OWNER",
        help=f"who approves changes (@org/team or @user); repeatable (default: {default})",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", parser_class=type(parser))
    kinds.required = True
    pack = kinds.add_parser("pack", help="packs/ID.yaml", description="Write packs/ID.yaml.")
    add_root_argument(pack)
    add_format_argument(pack)
    pack.add_argument("id", metavar="ID", help="the pack's id (policy_pack_id)")
    pack.add_argument("--extends", metavar="ID", help="a pack to inherit from and override")
    pack.add_argument("--description", metavar="TEXT", help="what the pack is for")
    _add_owner(pack, "the extended pack's owners, else repository.yaml's")
    tenant = kinds.add_parser(
        "tenant", help="tenants/ID.yaml", description="Write tenants/ID.yaml."
    )
    add_root_argument(tenant)
    add_format_argument(tenant)
    tenant.add_argument("id", metavar="ID", help="the tenant id, as the engine receives it")
    tenant.add_argument("--pack", required=True, metavar="ID", help="the tenant's default pack")
    tenant.add_argument("--display-name", metavar="TEXT", help="the tenant's name (default: ID)")
    _add_owner(tenant, "repository.yaml's owners")


def run(args: argparse.Namespace) -> int:
    root = find_root(args.root)
    if args.kind == "pack":
        written = new_pack(
            root=root,
            pack_id=args.id,
            extends=args.extends,
            owners=args.owners,
            description=args.description,
        )
        follow = "list it under packs: in an environment to ship it there"
    else:
        written = new_tenant(
            root=root,
            tenant_id=args.id,
            pack=args.pack,
            owners=args.owners,
            display_name=args.display_name,
        )
        follow = "dpm-policy validate checks that its pack ships where it is served"
    if written.written is None:
        return report_stopped(NOTHING_WRITTEN, written.problems, args.format)
    if args.format == "text":
        sys.stderr.write(
            f"wrote {written.written.file}; {follow}; then run dpm-policy codeowners\n"
        )
    return 0
