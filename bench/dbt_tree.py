"""Code-location trees for location-load: the package next to the demo dbt project or a big one.

``settings.dbt_project_dir`` defaults to ``dbt_project/`` beside the package, so swapping projects
needs no product change: each tree holds a copy of ``pipeline_platform`` (small) and its own
``dbt_project``. The big
one is the demo plus generated models that ref staging models and each other (a layered DAG with
descriptions and a test on every tenth), so Dagster loads the real translator, exposure and checks
over ~1,000 nodes. Manifests are prepared with ``dbt parse`` here, outside any measurement.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGING = ["stg_customers", "stg_orders", "stg_products", "stg_payments", "stg_nps_responses"]
IGNORE = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__", ".user.yml", "dbt_project_packaged")


def demo_model_count() -> int:
    return sum(1 for _ in (REPO / "dbt_project" / "models").rglob("*.sql"))


def generate(models_dir: Path, count: int, seed: int = 7) -> None:
    """``count`` models in layers of 50; each refs one to three models of earlier layers."""
    rng, names, yml = random.Random(seed), [], ["version: 2", "models:"]
    models_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        name = f"gen_{i:04d}"
        pool = names[: (i // 50) * 50] or STAGING
        refs = rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))
        first, *rest = refs
        sql = [f"-- generated model {i}: joins {', '.join(refs)}", f"select a.*, {i} as gen_layer",
               f"from {{{{ ref('{first}') }}}} as a"]
        sql += [f"cross join (select count(*) as n_{j} from {{{{ ref('{r}') }}}}) as r{j}" for j, r in enumerate(rest)]
        (models_dir / f"{name}.sql").write_text("\n".join(sql) + "\n")
        yml += [f"  - name: {name}", f"    description: Generated model {i} (bench location-load)."]
        if i % 10 == 0:
            yml += ["    columns:", "      - name: gen_layer", "        data_tests: [not_null]"]
        names.append(name)
    (models_dir / "_generated.yml").write_text("\n".join(yml) + "\n")


def parse(*project_dirs: Path) -> None:
    """``dbt parse`` of each project, all at once (they are independent; parsing is untimed)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("DAGSTER_IS_DEV_CLI", None)
    from pipeline_platform.dbt.project import profile_args

    procs = [subprocess.Popen([str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--project-dir", str(d),
                               *profile_args()], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for d in project_dirs]
    for d, proc in zip(project_dirs, procs):
        out = proc.communicate()[0]
        if proc.returncode:
            raise RuntimeError(f"dbt parse of {d} failed: {out.decode(errors='replace')[-2000:]}")


def build(root: Path, generated: int) -> Path:
    """A tree with the package and a dbt project of the demo's models plus ``generated`` more (unparsed)."""
    shutil.copytree(REPO / "pipeline_platform", root / "pipeline_platform", ignore=IGNORE)
    shutil.copytree(REPO / "dbt_project", root / "dbt_project", ignore=IGNORE)
    if generated:
        generate(root / "dbt_project" / "models" / "generated", generated)
    return root
