"""Plotly figures from aggregated rows. Each violation type keeps its colour everywhere
(tracker.palette); every label from the data is HTML-escaped, since Plotly reads a
subset of HTML in text; every axis has a title with its unit."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import plotly.graph_objects as go

from tracker.aggregates import Timeline
from tracker.models import ACTIONS, VIOLATIONS
from tracker.palette import (
    ACTION_SYMBOLS,
    COUNT_SCALE,
    ROLE_COLORS,
    action_label,
    action_symbol,
    violation_color,
    violation_label,
)
from tracker.safe_text import html_text

FONT = {"size": 13}
ROLES = ("accused", "accuser", "affected", "party")


def _layout(fig: go.Figure, *, x: str, y: str, height: int = 380, **extra) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font=FONT,
                      legend={"title": {"text": extra.pop("legend", "")}},
                      xaxis_title=x, yaxis_title=y, **extra)
    return fig


def _ordered_types(present: set[str]) -> list[str]:
    return [v for v in VIOLATIONS if v in present] + sorted(present - set(VIOLATIONS))


def stacked_by_type(rows: list[tuple[str, str, int]], *, y: str = "Incidents (count)",
                    x: str = "Month of first report") -> go.Figure:
    """(month, violation, count) → monthly bars stacked by type."""
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for month, violation, count in rows:
        series[violation][f"{month}-01"] = count
    fig = go.Figure()
    for violation in _ordered_types(set(series)):
        points = sorted(series[violation].items())
        fig.add_bar(x=[p[0] for p in points], y=[p[1] for p in points],
                    name=violation_label(violation),
                    marker={"color": violation_color(violation),
                            "line": {"color": "white", "width": 0.5}},
                    hovertemplate="%{x|%b %Y}: %{y} incident(s)<extra>%{fullData.name}</extra>")
    return _layout(fig, x=x, y=y, barmode="stack", legend="Violation type", bargap=0.1)


def company_type_heatmap(rows: list[tuple[str, str, int]]) -> go.Figure:
    """(company, violation, count) → companies × types, counts as a colour-blind-safe scale."""
    totals: dict[str, int] = defaultdict(int)
    for company, _, count in rows:
        totals[company] += count
    companies = sorted(totals, key=lambda c: (-totals[c], c))
    types = _ordered_types({r[1] for r in rows})
    cells = {(c, v): n for c, v, n in rows}
    fig = go.Figure(go.Heatmap(
        z=[[cells.get((c, v), 0) for v in types] for c in companies],
        x=[violation_label(v) for v in types], y=[html_text(c) for c in companies],
        colorscale=COUNT_SCALE, colorbar={"title": {"text": "Incidents"}},
        hovertemplate="%{y} · %{x}: %{z} incident(s)<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, x="Violation type", y="Company", height=140 + 26 * len(companies))


def companies_by_role(rows: list[tuple[str, str, int]]) -> go.Figure:
    """(company, role, count) → horizontal bars stacked by the company's role."""
    totals: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, str], int] = {}
    for company, role, count in rows:
        totals[company] += count
        cells[(company, role)] = count
    companies = sorted(totals, key=lambda c: (totals[c], c))  # largest at the top
    fig = go.Figure()
    for role in ROLES:
        fig.add_bar(y=[html_text(c) for c in companies],
                    x=[cells.get((c, role), 0) for c in companies], orientation="h",
                    name=role.capitalize(), marker={"color": ROLE_COLORS[role]},
                    hovertemplate="%{y}: %{x} incident(s)<extra>%{fullData.name}</extra>")
    return _layout(fig, x="Incidents (count)", y="Company", barmode="stack", legend="Role",
                   height=140 + 26 * len(companies))


def roles_by_year(rows: list[tuple[str, str, int]]) -> go.Figure:
    """(year, role, count) → grouped bars: how often the company was accused, accuser…"""
    fig = go.Figure()
    for role in ROLES:
        points = [(y, n) for y, r, n in rows if r == role]
        if points:
            fig.add_bar(x=[p[0] for p in points], y=[p[1] for p in points],
                        name=role.capitalize(), marker={"color": ROLE_COLORS[role]})
    # years as categories, sorted: plotly would otherwise order them by first appearance
    fig.update_xaxes(type="category", categoryorder="category ascending")
    return _layout(fig, x="Year of first report", y="Incidents (count)", barmode="group",
                   legend="Role", height=320)


def linked_companies(rows: list[tuple[str, int]]) -> go.Figure:
    ordered = sorted(rows, key=lambda r: (r[1], r[0]))
    fig = go.Figure(go.Bar(y=[html_text(r[0]) for r in ordered], x=[r[1] for r in ordered],
                           orientation="h", marker={"color": "#0072B2"},
                           hovertemplate="%{y}: %{x} shared incident(s)<extra></extra>"))
    return _layout(fig, x="Shared incidents (count)", y="Company",
                   height=120 + 26 * max(1, len(rows)))


def timeline(t: Timeline, by: str) -> go.Figure:
    """One marker per lifecycle step: row = company or type, colour = type, shape = step."""
    fig = go.Figure()
    _incident_lines(fig, t, by)
    by_type: dict[str, list] = defaultdict(list)
    for p in t.points:
        by_type[p.violation].append(p)
    for violation in _ordered_types(set(by_type)):
        _type_markers(fig, violation, by_type[violation], by)
        fig.add_scatter(x=[None], y=[None], mode="markers", name=violation_label(violation),
                        legendgroup="types", legendgrouptitle={"text": "Violation type"},
                        marker={"symbol": "square", "color": violation_color(violation),
                                "size": 11})
    for action in ACTIONS:  # a legend for the shapes
        fig.add_scatter(x=[None], y=[None], mode="markers", name=action_label(action),
                        legendgroup="steps", legendgrouptitle={"text": "Lifecycle step"},
                        marker={"symbol": ACTION_SYMBOLS[action], "color": "#555555",
                                "size": 10})
    labels = [html_text(violation_label(r) if by == "violation" else r) for r in t.rows]
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], type="category")
    fig.update_xaxes(type="date", range=_padded_range([p.date for p in t.points]))
    return _layout(fig, x="Date of report", y="Type" if by == "violation" else "Company",
                   height=160 + 34 * max(8, len(t.rows)), legend="",
                   hovermode="closest", clickmode="event+select")


def _padded_range(dates: list[str]) -> list[str] | None:
    """At least a month either side, so a short case is not drawn in hours."""
    if not dates:
        return None
    first, last = date.fromisoformat(min(dates)[:10]), date.fromisoformat(max(dates)[:10])
    pad = max(timedelta(days=30), (last - first) * 0.04)
    return [(first - pad).isoformat(), (last + pad).isoformat()]


def _row_label(row: str, by: str) -> str:
    return html_text(violation_label(row) if by == "violation" else row)


def _incident_lines(fig: go.Figure, t: Timeline, by: str) -> None:
    """A thin line from each incident's first to last step, on each of its rows."""
    spans: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in t.points:
        spans[(p.incident, p.row)].append(p.date)
    xs, ys = [], []
    for (_, row), dates in spans.items():
        if len(dates) > 1:
            xs += [min(dates), max(dates), None]
            ys += [_row_label(row, by), _row_label(row, by), None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#BBBBBB", "width": 1},
                    hoverinfo="skip", showlegend=False)


def _type_markers(fig: go.Figure, violation: str, points: list, by: str) -> None:
    # Arrays go in as numpy arrays and the hover text pre-formatted: Plotly validates
    # nested Python lists element by element, which dominated this chart's cost.
    fig.add_scatter(
        x=np.array([p.date for p in points]),
        y=np.array([_row_label(p.row, by) for p in points]),
        mode="markers", name=violation_label(violation), showlegend=False,
        marker={"color": violation_color(violation), "size": 11,
                "symbol": np.array([action_symbol(p.action) for p in points]),
                "line": {"color": "#333333", "width": 0.6}},
        customdata=np.array([p.incident for p in points]),
        hovertext=np.array([_hover(p) for p in points]),
        hovertemplate="%{hovertext}<extra></extra>")


def _hover(p) -> str:
    return (f"<b>{html_text(p.incident_title)}</b><br>{action_label(p.action)} · "
            f"{html_text(p.outlet)} · {p.date}")


def lifecycle(reports: list, violation: str) -> go.Figure:
    """An incident's reports along time, one row per kind of step."""
    fig = go.Figure(go.Scatter(
        x=[r.published[:10] for r in reports],
        y=[action_label(r.action) for r in reports], mode="markers",
        marker={"size": 13, "color": violation_color(violation),
                "symbol": [action_symbol(r.action) for r in reports],
                "line": {"color": "#333333", "width": 0.6}},
        customdata=[[html_text(r.source), html_text(r.title)] for r in reports],
        hovertemplate="%{x|%Y-%m-%d} · %{customdata[0]}<br>%{customdata[1]}<extra></extra>"))
    steps = [action_label(a) for a in ACTIONS]
    fig.update_yaxes(categoryorder="array", categoryarray=steps[::-1], type="category")
    fig.update_xaxes(type="date", range=_padded_range([r.published[:10] for r in reports]))
    return _layout(fig, x="Date of report", y="Lifecycle step", height=300)
