"""GatePolicy: the defaults, its strictness, and loading it from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from microfolio.data import GateAction, GatePolicy, IssueKind, load_policy
from microfolio.errors import InvariantError


def test_defaults_block_what_can_feed_a_bad_trade_and_repair_gaps() -> None:
    policy = GatePolicy()

    actions = {kind: policy.action(kind) for kind in IssueKind}

    assert actions == {
        IssueKind.NON_POSITIVE: GateAction.BLOCK,
        IssueKind.MISSING: GateAction.BLOCK,
        IssueKind.DUPLICATE: GateAction.BLOCK,
        IssueKind.OHLC_INCONSISTENT: GateAction.BLOCK,
        IssueKind.STALE: GateAction.BLOCK,
        IssueKind.GAP: GateAction.REPAIR,
        IssueKind.OFF_CALENDAR: GateAction.WARN,
        IssueKind.OUTLIER: GateAction.BLOCK,
        IssueKind.SPLIT_LIKE: GateAction.BLOCK,
    }
    assert (policy.stale_min_sessions, policy.stale_long_sessions) == (5, 10)


def test_policy_is_frozen_and_refuses_unknown_fields() -> None:
    policy = GatePolicy()

    with pytest.raises(ValidationError):
        policy.gap = GateAction.BLOCK  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        GatePolicy(spike="block")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"stale": "repair"}, "stale: repair is not available"),
        ({"split_like": "repair"}, "split_like: repair is not available"),
        ({"duplicate": "warn"}, "duplicate: warn would leave two bars"),
        ({"stale_min_sessions": 8, "stale_long_sessions": 6}, "must be >= stale_min_sessions"),
        ({"split_ratios": (0.5,)}, "split_ratios must all be > 1"),
        ({"gap": "fix"}, "Input should be"),
    ],
)
def test_policy_refuses_inconsistent_settings(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GatePolicy.model_validate(fields)


def test_load_policy_reads_json_and_toml(tmp_path: Path) -> None:
    json_file = tmp_path / "policy.json"
    json_file.write_text('{"outlier": "warn", "stale_long_sessions": 20}')
    toml_file = tmp_path / "policy.toml"
    toml_file.write_text('gap = "block"\noutlier_mads = 10.0\n')

    from_json, from_toml = load_policy(json_file), load_policy(toml_file)

    assert from_json == GatePolicy(outlier=GateAction.WARN, stale_long_sessions=20)
    assert from_toml == GatePolicy(gap=GateAction.BLOCK, outlier_mads=10.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"^p\.json: not valid json"),
        ("[1, 2]", r"^p\.json: a policy must be an object"),
        ('{"gap": "maybe"}', r"^p\.json: gap: Input should be"),
        ('{"nonsense": 1}', r"^p\.json: nonsense: Extra inputs are not permitted"),
    ],
)
def test_load_policy_errors_are_one_line_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "p.json"
    path.write_text(text)

    with pytest.raises(InvariantError, match=message) as caught:
        load_policy(path)

    assert "\n" not in str(caught.value)
