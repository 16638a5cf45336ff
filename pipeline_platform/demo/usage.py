"""Whether the configured sources use the demo shop, so ``make dev``/``make run`` start it only then.

The demo is an example: a team that replaced the sources file must get no demo API process and no
demo file in its landing folder. A source uses the demo when it reads the demo API's URL variable
(API), the shop database's URL variable (postgres), or lands where the demo writes (CSV
``landing_glob`` under ``customers/`` or ``products/``).
"""

from __future__ import annotations

from pipeline_platform.demo.landing import ENTITIES

from pipeline_platform.services import DEMO_API_URL_ENV


def uses_demo_api(specs) -> bool:
    return any(s.kind == "api" and s.options.base_url_env == DEMO_API_URL_ENV for s in specs)


def uses_demo_database(specs) -> bool:
    """Whether a database source reads the shop's production database (``demo/production.py``)."""
    from pipeline_platform.demo.production import URL_ENV

    return any(s.kind == "postgres" and s.options.url_env == URL_ENV for s in specs)


def demo_csv_entities(specs) -> tuple[str, ...]:
    """The demo entities whose landing files a CSV source of ``specs`` reads."""
    globs = [s.options.landing_glob for s in specs if s.kind == "csv"]
    return tuple(e for e in ENTITIES if any(g.startswith(f"{e}/{e}_") for g in globs))
