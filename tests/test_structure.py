"""Structural equality: what a methodology says, not where or how it was written."""

from __future__ import annotations

from pathlib import Path

import egov_rules

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "examples" / "quickstart.egr").read_text(encoding="utf-8")


def _relaid(text: str) -> str:
    """The same rules with a comment before every declaration and wider spacing inside lines."""
    out = []
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped and not stripped.startswith("#"):
            out.append(f"{indent}# a comment the meaning does not depend on")
        out.append(line.replace(":  ", ":     ") if '"' not in line else line)
    return "\n".join(out) + "\n"


def test_layout_and_comments_do_not_change_the_structure() -> None:
    original = egov_rules.compile(TEXT, "a.egr")
    relaid = egov_rules.compile(_relaid(TEXT), "b.egr")
    assert original.model.content_hash != relaid.model.content_hash  # the texts differ
    assert original.model.tree == relaid.model.tree  # spans differ, meaning does not
    assert original.structure_hash == relaid.structure_hash


def test_a_changed_figure_changes_the_structure() -> None:
    original = egov_rules.compile(TEXT, "a.egr")
    assert TEXT.count("at least 4: 20") == 1
    changed = egov_rules.compile(TEXT.replace("at least 4: 20", "at least 5: 20"), "c.egr")
    assert original.model.tree != changed.model.tree
    assert original.structure_hash != changed.structure_hash
    # The changed criterion differs, and so does its category, which holds it; no other.
    differing = {node_id for node_id, node in original.model.nodes.items()
                 if node != changed.model.nodes[node_id]}
    parent = original.model.parents["steering"]
    assert parent is not None
    assert differing == {"steering", parent.id}
