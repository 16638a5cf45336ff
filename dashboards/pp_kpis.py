"""Headline numbers from the daily marts, kept free of Streamlit so the arithmetic is plain to test.

A range's NPS is recomputed from summed promoters, detractors and responses: averaging the daily NPS
would weight a ten-response day like a thousand-response one. Each KPI is compared with the
previous period of the same length; a previous period with no data has no delta (not a delta
against zero).
"""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

DEFAULT_DAYS = 30


def default_range(revenue: pd.DataFrame, nps: pd.DataFrame, days: int = DEFAULT_DAYS) -> tuple[date, date] | None:
    """The last ``days`` days that have data in either mart, or None when both are empty."""
    all_days = [*revenue["day"], *nps["day"]]
    if not all_days:
        return None
    end = max(all_days)
    return max(min(all_days), end - timedelta(days=days - 1)), end


def previous_period(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _window(df: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return df[(df["day"] >= start) & (df["day"] <= end)]


def nps_score(promoters: int, detractors: int, responses: int) -> float | None:
    """Rounded half away from zero, like Postgres' ``round(numeric, 2)`` in ``mart_nps_daily``."""
    if not responses:
        return None
    exact = Decimal(100 * (promoters - detractors)) / Decimal(responses)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def period_kpis(revenue: pd.DataFrame, nps: pd.DataFrame, start: date, end: date) -> dict:
    """``revenue``/``orders``/``nps`` for [start, end]; a value is None when the mart has no rows there."""
    rev, resp = _window(revenue, start, end), _window(nps, start, end)
    return {
        "revenue": float(rev["revenue"].sum()) if len(rev) else None,
        "orders": int(rev["orders"].sum()) if len(rev) else None,
        "nps": nps_score(int(resp["promoters"].sum()), int(resp["detractors"].sum()), int(resp["responses"].sum())),
    }


def headline(revenue: pd.DataFrame, nps: pd.DataFrame, start: date, end: date) -> dict:
    """``{kpi: (current, previous)}`` for the range and the same-length period just before it."""
    current = period_kpis(revenue, nps, start, end)
    previous = period_kpis(revenue, nps, *previous_period(start, end))
    return {name: (current[name], previous[name]) for name in current}


_FORMATS = {"revenue": "{:,.2f}", "orders": "{:,d}", "nps": "{:.2f}"}
_DELTA_FORMATS = {"revenue": "{:+,.2f}", "orders": "{:+,d}", "nps": "{:+.2f}"}


def display(name: str, current, previous) -> tuple[str, str | None]:
    """Metric value and delta strings, e.g. ``("1,234.50", "+34.50")``; "–" when there is no value."""
    value = "–" if current is None else _FORMATS[name].format(current)
    if current is None or previous is None:
        return value, None
    diff = current - previous
    return value, _DELTA_FORMATS[name].format(round(diff, 2) if isinstance(diff, float) else diff)


def as_of_line(info: dict) -> str:
    as_of = info["data_as_of"]
    when = as_of.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if as_of else "unknown"
    return f"Data as of {when} · data version `{info['data_version']}`"
