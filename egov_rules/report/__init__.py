"""Reports of results for people: a self-contained HTML page (`--format html`)."""

from egov_rules.report.html import render_evaluation_html, render_ranking_html

__all__ = ["render_evaluation_html", "render_ranking_html"]
