"""The KPIs the page must show, recomputed from the rows a test wrote, independently of ``pp_kpis``.

Exact decimals, the previous period of the same length, NPS from summed counts rounded half away
from zero (Postgres' ``round``): a wrong window or an averaged NPS gives a different string.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def expected(rows, start: date, end: date) -> dict[str, tuple[str, str | None]]:
    length = (end - start).days + 1
    prev = (start - timedelta(days=length), start - timedelta(days=1))

    def sums(lo, hi):
        rev = [r for r in rows["revenue"] if lo <= r[0] <= hi]
        nps = [r for r in rows["nps"] if lo <= r[0] <= hi]
        responses = sum(r[1] for r in nps)
        score = (Decimal(100 * (sum(r[2] for r in nps) - sum(r[4] for r in nps))) / responses).quantize(
            Decimal("0.01"), ROUND_HALF_UP) if responses else None
        return (sum(r[2] for r in rev) if rev else None), (sum(r[1] for r in rev) if rev else None), score

    (rev, orders, nps), (p_rev, p_orders, p_nps) = sums(start, end), sums(*prev)
    return {
        "Revenue": (f"{rev:,.2f}", None if p_rev is None else f"{rev - p_rev:+,.2f}"),
        "Orders": (f"{orders:,d}", None if p_orders is None else f"{orders - p_orders:+,d}"),
        "NPS": (f"{nps:.2f}", None if p_nps is None else f"{nps - p_nps:+.2f}"),
    }
