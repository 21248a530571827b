"""docs/diagnostics.md lists exactly the codes of `codes.ALL_CODES`, in order, and each
snippet in it reports its section's code, and only that, as shown.

Conventions of the page: one section per code, headed `## E101 unknown-name`; its first
paragraph starts with the severity (`**error**` or `**warning**`); a ```egr-diagnostic block
is a complete file (compiled as `example.egr`) followed by a ```text block with the first line
of each diagnostic it reports, English then Vietnamese; the section ends with a `**Fix:**`.
Codes about data rather than the rule file show the data or call instead, with the same kind
of ```text block. (```egr blocks elsewhere in docs/ must compile; these must not, hence the
tag.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

import egov_rules
from egov_rules import codes
from egov_rules.render import render_all, render_text
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "diagnostics.md"
# Codes a rule file's text cannot trigger: shown with data or a Python call instead.
NOT_FROM_RULE_TEXT = {"E008", "E206", "E207", "E208", "W520", "W525", "W526", "W527", "W528", "W529",
                      "E701", "E702", "E703", "E704", "E802"}


@dataclass(frozen=True)
class Section:
    code: str
    name: str
    line: int
    text: str

    def fences(self) -> list[tuple[str, str]]:
        """(tag, text) of each fenced block, in order."""
        return [(m.group(1), m.group(2))
                for m in re.finditer(r"^```(\S*)\n(.*?)^```$", self.text, re.S | re.M)]


def sections() -> list[Section]:
    text = PAGE.read_text("utf-8")
    found: list[Section] = []
    starts = [m for m in re.finditer(r"^## (.*)$", text, re.M)]
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        code, _, name = match.group(1).partition(" ")
        line = text.count("\n", 0, match.start()) + 1
        found.append(Section(code, name, line, text[match.end():end]))
    return found


SECTIONS = sections()


def test_headings_are_all_codes_in_order() -> None:
    assert [(s.code, s.name) for s in SECTIONS] == [(c.code, c.name) for c in codes.ALL_CODES]


@pytest.mark.parametrize("section", SECTIONS, ids=[s.code for s in SECTIONS])
def test_section(section: Section) -> None:
    code = codes.BY_CODE[section.code]
    body = section.text.strip()
    assert body.startswith(f"**{code.severity}** — "), f"line {section.line}: severity first"
    assert "\n**Fix:** " in section.text, f"line {section.line}: no **Fix:**"
    fences = section.fences()
    snippets = [i for i, (tag, _) in enumerate(fences) if tag == "egr-diagnostic"]
    assert not any(tag == "egr" for tag, _ in fences), "```egr blocks must compile (test_docs)"
    if section.code in NOT_FROM_RULE_TEXT:
        assert not snippets
        shown = [text for tag, text in fences if tag == "text"]
        words = {"error": "lỗi", "warning": "cảnh báo"}
        assert shown and f": {code.severity}[{code.code}]: " in shown[-1]
        assert f": {words[code.severity]}[{code.code}]: " in shown[-1]
        return
    assert snippets, f"line {section.line}: no ```egr-diagnostic snippet"
    for i in snippets:
        snippet = fences[i][1]
        diagnostics = egov_rules.check(snippet, "example.egr")
        reported = render_all(diagnostics, "en")
        assert {d.code.code for d in diagnostics} == {code.code}, reported
        assert i + 1 < len(fences) and fences[i + 1][0] == "text", "show what it reports"
        expected = [render_text(d, lang).split("\n")[0] for d in diagnostics for lang in ("en", "vi")]
        assert fences[i + 1][1].rstrip("\n").split("\n") == expected, reported


def test_page_is_linked_from_the_readme() -> None:
    assert "docs/diagnostics.md" in (ROOT / "README.md").read_text("utf-8")
