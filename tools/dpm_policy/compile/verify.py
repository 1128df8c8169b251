"""Read every written file back as the engine will, and compare it with the validated source.

The variables of each of ``env.json``, ``dpm-policy.env`` and ``configmap.yaml`` must be, byte
for byte, the ones it is meant to hold. Each file that holds the whole configuration is then
read through the runtime resolver twice: strictly (our wire rules: any problem is a failure)
and leniently (the engine's own parse: anything it would drop is a failure). Every pack's every
field, every tenant mapping, both switches, the replay default and the global default must come
back exactly as the source states them, and every value must lie within the engine's
``EngineOptions`` bounds. The comparison works on :class:`View`, so it does not depend on how a
file was read.

Under ``catalog_delivery: postgres`` the dotenv file and the ConfigMap leave the catalog out, so
they are checked by that comparison of variables alone: a strict read of them would rightly
refuse every tenant and the global default as references to packs it cannot see, and a lenient
one would see no pack. Their variables equal ``env.json``'s less the catalog, and ``env.json``
is read in full, so nothing goes unchecked; the runtime's strictness stays as it is.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from dpm_policy.compile.verify_bundle import verify_bundle
from dpm_policy.load import libyaml
from dpm_policy.load.yaml_source import Path as YamlPath
from dpm_policy.load.yaml_source import YamlDocument
from dpm_policy.problems import Position, Problem
from dpm_policy.shown import setting_text
from dpm_policy_runtime import PolicyConfigError, PolicyPack, PolicyRuntime
from dpm_policy_runtime.decimals import canonical_decimal
from dpm_policy_runtime.env_files import read_variables
from dpm_policy_runtime.fields import FIELDS_BY_PATH, GROUP_MAX_WEIGHT
from dpm_policy_runtime.switches import ENGINE_SWITCHES, SwitchSpec, switch_text
from dpm_policy_runtime.variables import CATALOG_JSON, TENANT_MAP_JSON

__all__ = [
    "Locator",
    "Normal",
    "PackView",
    "SharedPacks",
    "Verified",
    "View",
    "bounds_problems",
    "compare_views",
    "normal",
    "strict_reading",
    "verify_outputs",
    "view_of_runtime",
]

# A setting reduced to what the engine can tell apart: its kind and its canonical value.
# ``True`` and ``1`` compare equal in Python but are different settings to the engine.
Normal = tuple[str, object]


def normal(value: object) -> Normal:
    """The comparable form of a setting value (source or read back)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, Decimal):
        return ("decimal", canonical_decimal(value))
    if isinstance(value, Mapping):
        groups = tuple(sorted((str(k), canonical_decimal(Decimal(v))) for k, v in value.items()))
        return ("groups", groups)
    raise TypeError(f"not a policy setting value: {type(value).__name__}")


def _shown(value: Normal) -> str:
    """A setting as an author would write it."""
    kind, body = value
    if kind == "decimal":
        return setting_text(Decimal(str(body)))
    if kind == "groups":
        assert isinstance(body, tuple)
        return setting_text({k: Decimal(w) for k, w in body})
    return setting_text(body)


# A pack as compared: its version, and each dotted path it sets with its setting.
PackView = tuple[str, Mapping[str, Normal]]


@dataclass(frozen=True)
class View:
    """What one reading of the configuration holds (or what the source says it must)."""

    # Switch key -> value, for each engine switch of the switch table.
    switches: Mapping[str, object]
    # pack id -> (version, dotted path -> setting)
    packs: Mapping[str, PackView]
    tenant_map: Mapping[str, str]
    dropped: tuple[str, ...] = ()


def pack_view(pack: PolicyPack) -> PackView:
    """A pack the runtime read, as compared."""
    return pack.version, {path: normal(v) for path, v in pack.values.items()}


def view_of_runtime(runtime: PolicyRuntime, *, leave_out: Collection[str] = ()) -> View:
    """The runtime's snapshot as a :class:`View`, without the packs ``leave_out`` names."""
    return View(
        switches={
            spec.key: getattr(runtime, spec.snapshot)
            for spec in ENGINE_SWITCHES
            if spec.snapshot is not None
        },
        packs={
            pack_id: pack_view(pack)
            for pack_id, pack in runtime.catalog.items()
            if pack_id not in leave_out
        },
        tenant_map=dict(runtime.tenant_map),
        dropped=tuple(str(item) for item in runtime.dropped),
    )


def _same_pack(one: PolicyPack, other: PolicyPack) -> bool:
    """Whether two readings gave the same pack: version, and values of the same types (an
    engine tells ``true`` from ``1``, which Python's equality does not)."""
    return (
        one.version == other.version
        and one.values == other.values
        and all(type(value) is type(other.values[path]) for path, value in one.values.items())
    )


class SharedPacks:
    """The packs one compile has verified, so that a pack shipping to several environments is
    verified once (and, in a review, a pack the base holds as the head does is compared once).

    Every environment is still read whole through the runtime, as the engine reads it. But a
    pack that a reading (strict, or the engine's) gives back exactly as an earlier
    environment's same reading gave it, where the source states the same pack, would be
    compared with the same result: it was found equal to its source, in bounds, and is not
    compared again. The source's view of each flattened pack is likewise computed once.
    """

    def __init__(self) -> None:
        # (strict, pack id) -> the pack as read back, and the source's view it was equal to.
        self._verified: dict[tuple[bool, str], tuple[PolicyPack, PackView]] = {}
        # pack id -> the flattened pack and its view (the same object: flattened once).
        self._expected: dict[str, tuple[object, PackView]] = {}

    def expected(self, pack_id: str, flat_pack: object, make: Callable[[], PackView]) -> PackView:
        """The source's view of ``flat_pack``, made once for each flattened pack."""
        found = self._expected.get(pack_id)
        if found is not None and found[0] is flat_pack:
            return found[1]
        view = make()
        self._expected[pack_id] = (flat_pack, view)
        return view

    def verified(self, strict: bool, runtime: PolicyRuntime, expected: View) -> set[str]:
        """The packs of ``runtime`` already verified as they are, against the same source."""
        found = set()
        for pack_id, pack in runtime.catalog.items():
            earlier = self._verified.get((strict, pack_id))
            if (
                earlier is not None
                and _same_pack(earlier[0], pack)
                and earlier[1] == expected.packs.get(pack_id)
            ):
                found.add(pack_id)
        return found

    def add(
        self, strict: bool, runtime: PolicyRuntime, pack_ids: Collection[str], expected: View
    ) -> None:
        """Record the packs ``pack_ids`` of a reading that was found equal to its source."""
        for pack_id in pack_ids:
            self._verified[(strict, pack_id)] = (runtime.catalog[pack_id], expected.packs[pack_id])


@dataclass(frozen=True)
class Locator:
    """Where in the sources each part of an environment's configuration is written."""

    environment_file: str
    environment_keys: Mapping[str, Position]
    packs: Mapping[str, tuple[str, Position]]
    settings: Mapping[tuple[str, str], tuple[str, Position]]
    # Gives, for each tenant id, its document and the path of the pack it maps to there. It
    # is called, and positions are computed, only when a problem needs one: there may be tens
    # of thousands of tenants.
    tenant_sources: Callable[[], Mapping[str, tuple[YamlDocument, YamlPath]]]
    start: Position = field(default_factory=Position)

    def of_environment(self, key: str = "") -> tuple[str, Position]:
        return self.environment_file, self.environment_keys.get(key, self.start)

    def of_pack(self, pack_id: str) -> tuple[str, Position]:
        return self.packs.get(pack_id) or self.of_environment("packs")

    def of_setting(self, pack_id: str, path: str) -> tuple[str, Position]:
        return self.settings.get((pack_id, path)) or self.of_pack(pack_id)

    def of_tenant(self, tenant_id: str) -> tuple[str, Position]:
        found = self.tenant_sources().get(tenant_id)
        if found is None:
            return self.of_environment()
        document, path = found
        return document.file, document.position(path)


def _problem(where: tuple[str, Position], message: str) -> Problem:
    return Problem(where[0], where[1], "verify", message)


def compare_views(expected: View, actual: View, locator: Locator, reading: str) -> list[Problem]:
    """Every difference between the source and one reading of the output, and every drop."""
    problems: list[Problem] = []

    def differ(where: tuple[str, Position], what: str, want: object, got: object) -> None:
        problems.append(
            _problem(
                where,
                f"{reading} reads {what} as {got}, but the source says {want}; the compiled "
                "output is wrong (please report this as a dpm-policy bug)",
            )
        )

    for spec in ENGINE_SWITCHES:
        want, got = expected.switches.get(spec.key), actual.switches.get(spec.key)
        if want != got or type(want) is not type(got):
            what = spec.key if spec.kind == "flag" else f"the {spec.label}"
            differ(
                locator.of_environment(spec.key),
                what,
                _switch(spec, want),
                _switch(spec, got),
            )
    for pack_id in sorted(expected.packs.keys() - actual.packs.keys()):
        problems.append(_problem(locator.of_pack(pack_id), f"{reading} lacks pack '{pack_id}'"))
    for pack_id in sorted(actual.packs.keys() - expected.packs.keys()):
        problems.append(
            _problem(
                locator.of_environment("packs"), f"{reading} holds unexpected pack '{pack_id}'"
            )
        )
    for pack_id in sorted(expected.packs.keys() & actual.packs.keys()):
        want_version, want_values = expected.packs[pack_id]
        got_version, got_values = actual.packs[pack_id]
        if want_version != got_version:
            differ(
                locator.of_pack(pack_id),
                f"the version of pack '{pack_id}'",
                repr(want_version),
                repr(got_version),
            )
        for path in sorted(want_values.keys() | got_values.keys()):
            want_value, got_value = want_values.get(path), got_values.get(path)
            if want_value != got_value:
                differ(
                    locator.of_setting(pack_id, path),
                    f"{path} of pack '{pack_id}'",
                    "no override" if want_value is None else _shown(want_value),
                    "no override" if got_value is None else _shown(got_value),
                )
    if expected.tenant_map != actual.tenant_map:  # one comparison when they agree, the rule
        for tenant in sorted(expected.tenant_map.keys() | actual.tenant_map.keys()):
            want_pack, got_pack = expected.tenant_map.get(tenant), actual.tenant_map.get(tenant)
            if want_pack != got_pack:
                differ(
                    locator.of_tenant(tenant),
                    f"the pack of tenant '{tenant}'",
                    _id(want_pack),
                    _id(got_pack),
                )
    for item in actual.dropped:
        problems.append(
            _problem(
                locator.of_environment(),
                f"{reading}: the engine would drop or reinterpret {item}",
            )
        )
    return problems


def _id(value: str | None) -> str:
    return "none" if value is None else f"'{value}'"


def _switch(spec: SwitchSpec, value: object) -> str:
    text = switch_text(spec, value)
    return text if spec.kind == "flag" and text is not None else _id(text)


def bounds_problems(view: View, locator: Locator) -> list[Problem]:
    """Values outside the engine's ``EngineOptions`` bounds (contract section 3)."""
    problems: list[Problem] = []
    low_weight, high_weight = GROUP_MAX_WEIGHT
    for pack_id, (_, values) in sorted(view.packs.items()):
        for path, (kind, body) in values.items():
            spec = FIELDS_BY_PATH.get(path)
            where = locator.of_setting(pack_id, path)
            if spec is None:
                problems.append(_problem(where, f"pack '{pack_id}' holds unknown field {path}"))
                continue
            if kind in ("decimal", "int"):
                number = Decimal(str(body))
                if (spec.minimum is not None and number < spec.minimum) or (
                    spec.maximum is not None and number > spec.maximum
                ):
                    problems.append(
                        _problem(
                            where,
                            f"{path} of pack '{pack_id}' is {body}, outside the engine's bounds "
                            f"{spec.minimum}..{spec.maximum if spec.maximum is not None else ''}",
                        )
                    )
            elif kind == "groups":
                assert isinstance(body, tuple)
                for key, weight in body:
                    attribute, _, tag = key.partition(":")
                    if key.count(":") != 1 or not attribute.strip() or not tag.strip():
                        problems.append(
                            _problem(
                                where,
                                f"group key '{key}' of pack '{pack_id}' is not "
                                "'attribute:value'; the engine's solver would fail",
                            )
                        )
                    if not low_weight <= Decimal(weight) <= high_weight:
                        problems.append(
                            _problem(
                                where,
                                f"group '{key}' of pack '{pack_id}' has max_weight "
                                f"{weight}, outside {low_weight}..{high_weight}",
                            )
                        )
    return problems


def _configmap_data(path: Path) -> dict[str, str]:
    # A safe load, with libyaml where PyYAML has it: as fast as kubectl's own parse matters
    # little, but the pure-Python loader takes seconds on a large catalog.
    document = libyaml.load(path.read_text(encoding="utf-8"))
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError("configmap.yaml has no data mapping of strings")
    return data


def _raw_variables(directory: Path) -> dict[str, dict[str, str]]:
    return {
        "env.json": read_variables(directory / "env.json", strict=True),
        "dpm-policy.env": read_variables(directory / "dpm-policy.env", strict=True),
        "configmap.yaml": _configmap_data(directory / "configmap.yaml"),
    }


def _variables_problem(
    file_name: str, found: Mapping[str, str], wanted: Mapping[str, str], locator: Locator
) -> Problem | None:
    """A problem naming every variable that differs, is missing or is extra; None if equal."""
    if dict(found) == dict(wanted):
        return None
    differing = sorted(
        name for name in set(found) | set(wanted) if found.get(name) != wanted.get(name)
    )
    return _problem(
        locator.of_environment(),
        f"{file_name} does not hold the compiled variables exactly "
        f"(differs in: {', '.join(differing)})",
    )


def _read_back(
    reading: str,
    variables: Mapping[str, str],
    strict: bool,
    expected: View,
    locator: Locator,
    shared: SharedPacks | None = None,
) -> tuple[list[Problem], PolicyRuntime | None]:
    """One reading of the variables through the runtime, compared with the source (the packs
    ``shared`` has verified as they are read here, left out of the comparison); with the
    runtime it read, unless it refused them."""
    try:
        runtime = PolicyRuntime.from_mapping(variables, strict=strict)
    except PolicyConfigError as error:
        return [
            _problem(locator.of_environment(), f"{reading} refuses {item}")
            for item in error.problems
        ], None
    except ValueError as error:
        return [_problem(locator.of_environment(), f"{reading} fails: {error}")], None
    done = shared.verified(strict, runtime, expected) if shared is not None else set()
    view = view_of_runtime(runtime, leave_out=done)
    rest = expected
    if done:
        packs = {pack_id: pack for pack_id, pack in expected.packs.items() if pack_id not in done}
        rest = dataclasses.replace(expected, packs=packs)
    problems = compare_views(rest, view, locator, reading)
    if strict:
        problems.extend(bounds_problems(view, locator))
    if shared is not None and not problems:
        shared.add(strict, runtime, view.packs.keys(), expected)
    return problems, runtime


def strict_reading(
    label: str,
    variables: Mapping[str, str],
    expected: View,
    locator: Locator,
    shared: SharedPacks | None = None,
) -> Verified:
    """``variables`` read strictly through the runtime and compared with the source, in
    bounds, with the runtime it gave when it found nothing: half of verifying an output, and
    the one reading of a configuration that is compared but not shipped (a review's base)."""
    problems, runtime = _read_back(
        f"{label} (strict read)", variables, True, expected, locator, shared
    )
    return Verified(problems) if problems else Verified([], runtime)


def _read_both(
    label: str,
    variables: Mapping[str, str],
    expected: View,
    locator: Locator,
    shared: SharedPacks | None = None,
) -> Verified:
    """The strict reading and the engine's own, compared with the source."""
    strict = strict_reading(label, variables, expected, locator, shared)
    engine, _ = _read_back(f"{label} (engine read)", variables, False, expected, locator, shared)
    return Verified([*strict.problems, *engine]) if engine else strict


@dataclass(frozen=True)
class Verified:
    """What reading an output folder back found, and, when it found nothing, the runtime
    the strict reading of its ``env.json`` gave: what the engine's resolver holds, for a
    caller that goes on to read the output (the review), without reading it a third time."""

    problems: list[Problem]
    runtime: PolicyRuntime | None = None


def verify_outputs(
    directory: Path,
    *,
    expected: View,
    variables: Mapping[str, str],
    delivered: Mapping[str, str],
    catalog: Mapping[str, object],
    locator: Locator,
    label: str,
    bundled: bool = False,
    shared: SharedPacks | None = None,
    snapshot: bool = True,
) -> Verified:
    """Read the files in ``directory`` back: every problem found (none when all agree), and
    the strict reading of ``env.json`` when there is none.

    With ``bundled``, the Kustomize bundle is read back too (:mod:`.verify_bundle`), with
    ``env.json`` mounted or, with ``snapshot`` false, not. With ``shared``, the packs verified
    for another environment of the same compile, read back the same here, are not compared
    again.

    ``variables`` are all the compiled ones (``env.json``); ``delivered`` those that
    ``dpm-policy.env`` and ``configmap.yaml`` hold. ``label`` names the output in messages (the
    environment; the folder is a temporary one).
    """
    problems: list[Problem] = []
    # The text of every variable, byte for byte, in every container.
    try:
        raw = _raw_variables(directory)
    except (OSError, ValueError) as error:
        return Verified(
            [_problem(locator.of_environment(), f"cannot read back the output: {error}")]
        )
    wanted = {"env.json": variables, "dpm-policy.env": delivered, "configmap.yaml": delivered}
    for file_name, found in raw.items():
        mismatch = _variables_problem(file_name, found, wanted[file_name], locator)
        if mismatch is not None:
            problems.append(mismatch)
            if CATALOG_JSON in found and TENANT_MAP_JSON in found:
                # Say which pack, tenant or switch differs, at its source line.
                problems.extend(
                    _read_both(f"{label}/{file_name}", found, expected, locator).problems
                )
    try:
        pretty = json.loads((directory / "catalog.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        problems.append(_problem(locator.of_environment(), f"catalog.json: {error}"))
    else:
        if pretty != catalog:
            problems.append(
                _problem(locator.of_environment(), "catalog.json differs from the catalog variable")
            )
    if bundled:
        problems.extend(
            _problem(locator.of_environment("kubernetes"), f"{label}: {message}")
            for message in verify_bundle(
                directory, environment=label, delivered=delivered, snapshot=snapshot
            )
        )
    if problems:
        return Verified(problems)
    # Every file now holds, byte for byte, the same variables as env.json (less the catalog
    # where it goes through Postgres), as read by the runtime's own file readers; the
    # runtime's parse is a function of those strings alone, so reading env.json's
    # through it, strictly and as the engine would, reads every file.
    return _read_both(f"{label}/env.json", raw["env.json"], expected, locator, shared)
