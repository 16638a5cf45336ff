"""The dbt CLI resource reports the same version as the executable it runs, without asking it."""

import re
import subprocess

from pipeline_platform.dbt.cli_resource import PlatformDbtCliResource, dbt_resource


def test_version_from_metadata_matches_the_executable():
    resource = dbt_resource()
    assert isinstance(resource, PlatformDbtCliResource)
    printed = subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True, check=True).stdout
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", printed).group(1)
