"""One fixed colour per violation type, the same in every chart.

The colours are Paul Tol's 14-colour "discrete rainbow" set, chosen to stay
distinguishable with the common colour-vision deficiencies. Each type keeps
its colour whatever the filter shows, so an analyst learns "red = terms of
service" once. Neighbours in the stacking order (VIOLATIONS order) were
given contrasting hues. Lifecycle steps are told apart by marker shape, not
colour, and roles use the Okabe-Ito set.
"""
from __future__ import annotations

VIOLATION_COLORS: dict[str, str] = {
    "tos_violation": "#DC050C",
    "copyright": "#1965B0",
    "privacy": "#4EB265",
    "data_scraping": "#F6C141",
    "antitrust": "#882E72",
    "export_control": "#7BAFDE",
    "security_breach": "#E8601C",
    "trade_secret": "#AE76A3",
    "safety_harm": "#F1932D",
    "bias_discrimination": "#90C987",
    "misinformation": "#5289C7",
    "deception_fraud": "#D1BBD7",
    "deepfake_impersonation": "#F7F056",
    "labor": "#CAE0AB",
}
UNKNOWN_COLOR = "#777777"  # a type outside the taxonomy (should not happen)

VIOLATION_LABELS: dict[str, str] = {
    "tos_violation": "Terms of service / API misuse",
    "copyright": "Copyright",
    "privacy": "Privacy",
    "data_scraping": "Data scraping",
    "antitrust": "Antitrust",
    "export_control": "Export control",
    "security_breach": "Security breach",
    "trade_secret": "Trade secret",
    "safety_harm": "Safety harm",
    "bias_discrimination": "Bias / discrimination",
    "misinformation": "Misinformation",
    "deception_fraud": "Deception / fraud",
    "deepfake_impersonation": "Deepfake / impersonation",
    "labor": "Labor",
}

ACTION_LABELS: dict[str, str] = {
    "report": "Report",
    "response": "Response",
    "investigation": "Investigation",
    "lawsuit": "Lawsuit",
    "ruling": "Ruling",
    "penalty": "Penalty",
    "restriction": "Restriction",
}

# Plotly marker symbols: shape carries the lifecycle step, colour the type.
ACTION_SYMBOLS: dict[str, str] = {
    "report": "circle",
    "response": "circle-open",
    "investigation": "square",
    "lawsuit": "triangle-up",
    "ruling": "star",
    "penalty": "diamond",
    "restriction": "x",
}

ROLE_COLORS: dict[str, str] = {  # Okabe-Ito
    "accused": "#D55E00",
    "accuser": "#0072B2",
    "affected": "#E69F00",
    "party": "#999999",
}

# Sequential scale for counts (heatmaps): perceptually even and colour-blind safe.
COUNT_SCALE = "Cividis"

def violation_color(violation: str) -> str:
    return VIOLATION_COLORS.get(violation, UNKNOWN_COLOR)


def violation_label(violation: str) -> str:
    return VIOLATION_LABELS.get(violation, violation.replace("_", " ").capitalize())


def action_label(action: str | None) -> str:
    if not action:
        return "Report"
    return ACTION_LABELS.get(action, action.capitalize())


def action_symbol(action: str | None) -> str:
    return ACTION_SYMBOLS.get(action or "report", "circle")
