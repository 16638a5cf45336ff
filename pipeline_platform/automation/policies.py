"""Alert policies: one YAML file saying what triggers a Slack message, where it goes, how loud.

Teams leaving Dagster+ keep its alert policies as YAML; this is the self-hosted equivalent. The
file is read when the code location loads (and by the watchdog), never at import, and a bad file
fails right there with its path, line and cause, because an alert set-up that is silently ignored
is worse than none. ``PIPELINE_ALERT_POLICIES`` names the file; the default ships in this folder
and defines a policy for every trigger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline_platform.automation.settings import setting

DEFAULT_FILE = Path(__file__).with_name("alert_policies.yaml")
POLICIES_ENV = "PIPELINE_ALERT_POLICIES"
SEVERITIES = {"info": ":large_blue_circle:", "warning": ":large_yellow_circle:", "critical": ":red_circle:"}
ROUTES = ("channel", "owners")
COMMON = {"name": str, "trigger": str, "severity": str, "route": str, "channel": str, "enabled": bool}
# trigger -> its own options and their defaults
TRIGGERS: dict[str, dict[str, object]] = {
    "run_failure": {},
    "run_success": {"jobs": []},
    "run_start": {"jobs": []},
    "check_failure": {"check_severities": ["ERROR"]},
    "freshness": {"levels": ["warn", "fail"]},
    "long_run": {"threshold_minutes": 1440},
    "tick_failure": {},
    "code_location_error": {},
    "daemon_down": {"heartbeat_timeout_seconds": 300},
}
CHOICES = {"check_severities": {"ERROR", "WARN"}, "levels": {"warn", "fail"}}


class AlertPolicyError(ValueError):
    """The policy file cannot be used; the message names the file, the line and the cause."""


@dataclass(frozen=True)
class Policy:
    name: str
    trigger: str
    severity: str = "critical"
    route: str = "channel"
    channel: str = ""  # empty: the Slack resource's channel (PIPELINE_SLACK_CHANNEL)
    enabled: bool = True
    options: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def icon(self) -> str:
        return SEVERITIES[self.severity]

    def channels(self, owners: list[str] | tuple[str, ...], owner_channels: dict[str, str]) -> list[str]:
        """Where a message about assets with these owners goes: the owners' channels when the
        policy routes by owner and any owner is mapped, else the policy's channel."""
        if self.route == "owners":
            mapped = sorted({owner_channels[o] for o in owners if o in owner_channels})
            if mapped:
                return mapped
        return [self.channel]


@dataclass(frozen=True)
class Policies:
    path: str
    policies: tuple[Policy, ...]
    owner_channels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def for_trigger(self, trigger: str) -> list[Policy]:
        return [p for p in self.policies if p.trigger == trigger and p.enabled]


def policies_path() -> Path:
    configured = setting(POLICIES_ENV)
    return Path(configured) if configured else DEFAULT_FILE


def load_policies(path: str | Path | None = None) -> Policies:
    path = Path(path) if path else policies_path()
    try:
        text = path.read_text()
    except OSError as exc:
        source = f" (from {POLICIES_ENV})" if setting(POLICIES_ENV) and path == policies_path() else ""
        raise AlertPolicyError(f"{path}{source}: cannot read the alert policy file: {exc.strerror or exc}") from None
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise AlertPolicyError(f"{path}{line}: not valid YAML: {exc.problem or exc}") from None
    return _Reader(str(path)).policies(root)


class _Reader:
    """Walks the composed YAML nodes (which know their line) instead of plain data (which does not)."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, node, cause: str):
        raise AlertPolicyError(f"{self.path}, line {node.start_mark.line + 1}: {cause}")

    def mapping(self, node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in out:
                self.fail(key, f"{what}: '{key.value}' appears twice")
            out[key.value] = value
        return out

    def scalar(self, node, kind, what: str):
        if kind is list:
            if not isinstance(node, yaml.SequenceNode):
                self.fail(node, f"{what} must be a list")
            return [self.scalar(item, str, what + " item") for item in node.value]
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value")
        value = yaml.safe_load(yaml.serialize(node))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is str and value is None:
            value = ""
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(node, f"{what} must be {kind.__name__}, got {value!r}")
        return value

    def policies(self, root) -> Policies:
        if root is None:
            raise AlertPolicyError(f"{self.path}, line 1: the file is empty; it needs a 'policies' list")
        top = self.mapping(root, "the file")
        for key in top:
            if key not in ("owners", "policies"):
                self.fail(root, f"unknown top-level key '{key}' (expected 'owners' and 'policies')")
        owners = {}
        if "owners" in top and not (isinstance(top["owners"], yaml.ScalarNode) and top["owners"].value in ("", "null", "~")):
            for owner, channel in self.mapping(top["owners"], "owners").items():
                owners[owner] = self.scalar(channel, str, f"owners: '{owner}'")
                if not owners[owner]:
                    self.fail(channel, f"owners: '{owner}' maps to an empty channel")
        if "policies" not in top or not isinstance(top["policies"], yaml.SequenceNode):
            self.fail(top.get("policies", root), "'policies' must be a list of policies")
        policies, names = [], set()
        for node in top["policies"].value:
            policy = self.policy(node)
            if policy.name in names:
                self.fail(node, f"policy name '{policy.name}' is used twice")
            names.add(policy.name)
            policies.append(policy)
        return Policies(self.path, tuple(policies), owners)

    def policy(self, node) -> Policy:
        fields = self.mapping(node, "a policy")
        if "trigger" not in fields:
            self.fail(node, "a policy needs a 'trigger' (one of " + ", ".join(TRIGGERS) + ")")
        trigger = self.scalar(fields["trigger"], str, "trigger")
        if trigger not in TRIGGERS:
            self.fail(fields["trigger"], f"unknown trigger '{trigger}' (expected one of {', '.join(TRIGGERS)})")
        name = self.scalar(fields["name"], str, "name") if "name" in fields else trigger
        values, options = {"name": name, "trigger": trigger}, dict(TRIGGERS[trigger])
        for key, value_node in fields.items():
            where = f"policy '{name}': {key}"
            if key in ("name", "trigger"):
                continue
            if key in COMMON:
                values[key] = self.scalar(value_node, COMMON[key], where)
            elif key in options:
                default = TRIGGERS[trigger][key]
                kind = list if isinstance(default, list) else float if isinstance(default, (int, float)) else str
                value = self.scalar(value_node, kind, where)
                bad = [v for v in value if v not in CHOICES[key]] if key in CHOICES else []
                if bad:
                    self.fail(value_node, f"{where}: unknown value(s) {bad} (expected {sorted(CHOICES[key])})")
                if kind is float and value <= 0:
                    self.fail(value_node, f"{where} must be above 0")
                options[key] = value
            else:
                allowed = [*COMMON, *TRIGGERS[trigger]]
                self.fail(value_node, f"policy '{name}': unknown key '{key}' for trigger {trigger} (allowed: {', '.join(allowed)})")
        if values.get("severity", "critical") not in SEVERITIES:
            self.fail(fields["severity"], f"policy '{name}': severity must be one of {', '.join(SEVERITIES)}")
        if values.get("route", "channel") not in ROUTES:
            self.fail(fields["route"], f"policy '{name}': route must be 'channel' or 'owners'")
        return Policy(**values, options=options)
