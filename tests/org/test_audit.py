"""The audit log names every action the code records, in the reader's language."""

import re
from pathlib import Path

import savings_groups
from savings_groups.org.audit import ACTION_LABELS


def test_every_recorded_action_has_a_label():
    source = "\n".join(p.read_text() for p in Path(savings_groups.__file__).parent.rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\(\s*[\w. ]+,\s*"([a-z_.]+)"', source))
    recorded |= set(re.findall(r'"(user\.(?:activate|deactivate))"', source))
    assert recorded, "no audit.record call found"
    assert recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)
