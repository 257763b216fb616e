"""The study on disk: an offline HTML report with its figures and tables, and the JSON."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import plotly.offline

from microfolio.reports.research import render_research_report
from microfolio.services.research import ResearchResult, write_outputs
from microfolio.services.research.report import research_page

FIGURE = re.compile(
    r'<script type="application/json" class="plotly-figure" data-target="([^"]+)">(.*?)</script>',
    re.DOTALL,
)


def test_the_report_is_offline_and_shows_the_verdict_tables_and_figures(
    research_result: ResearchResult, tmp_path: Path
) -> None:
    files = write_outputs(research_result, tmp_path / "out")

    html = files.report.read_text()
    figures = {target: json.loads(body) for target, body in FIGURE.findall(html)}
    assert html.count(plotly.offline.get_plotlyjs()) == 1  # inlined once
    assert '<script src="http' not in html
    assert escape(research_result.verdict.sentence) in html
    for title in (
        "Which period was used for what",
        "Return forecasts (out of sample)",
        "Strategies (out of sample, net)",
        "Volatility forecasts (out of sample)",
    ):
        assert f"<h2>{title}</h2>" in html
    assert set(figures) == {"fig-cumulative", "fig-drawdowns", "fig-ic"}
    strategies = [s.name for s in research_result.strategies]
    assert [t["name"] for t in figures["fig-cumulative"]["data"]] == strategies
    assert [t["name"] for t in figures["fig-drawdowns"]["data"]] == strategies
    assert [t["name"] for t in figures["fig-ic"]["data"]] == [
        m.model for m in research_result.models
    ]
    dashed = {t["name"] for t in figures["fig-cumulative"]["data"] if t["line"]["dash"] == "dash"}
    assert dashed == {"equal_weight", "inverse_vol", "sixty_forty", "min_variance"}
    assert research_result.config_hash in html


def test_the_json_is_the_result_as_measured_and_the_page_repeats_exactly(
    research_result: ResearchResult, tmp_path: Path
) -> None:
    files = write_outputs(research_result, tmp_path)

    assert json.loads(files.json.read_text()) == json.loads(json.dumps(research_result.to_dict()))
    page = research_page(research_result)
    assert render_research_report(page) == render_research_report(page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "research.json"]
