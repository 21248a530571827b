"""The evaluation graph is a DAG in topological order with the dependencies the rules state."""

from __future__ import annotations

import egov_rules


def test_every_step_comes_after_what_it_reads(quickstart: egov_rules.Methodology) -> None:
    graph = quickstart.graph
    position = {step: i for i, step in enumerate(graph.order)}
    assert set(position) == set(graph.steps)
    for step in graph.steps.values():
        for dependency in step.depends_on:
            assert position[dependency] < position[step.id], (dependency, step.id)


def test_inputs_of_follow_lets_and_children(quickstart: egov_rules.Methodology) -> None:
    graph = quickstart.graph
    # computers: proportional pc_share, and pc_share = staff_with_pc / staff.
    assert graph.inputs_of("computers") == {"staff", "staff_with_pc"}
    # wan: `when units > 0` plus wan_share = units_on_wan / units.
    assert graph.inputs_of("wan") == {"units", "units_on_wan"}
    # people_index reads only the people category: it_staff (via min) and trained_share.
    assert graph.inputs_of("people_index") == {"it_staff", "trained_share"}


def test_dependents_of_an_indicator(quickstart: egov_rules.Methodology) -> None:
    # meetings feeds only the province-only `steering` criterion and what sums it.
    assert quickstart.graph.dependents_of("meetings") == {
        "steering", "services", "services_index", "overall", "points_share", "plain_mean",
    }
