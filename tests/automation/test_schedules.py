"""Schedules: cron/timezone come from the environment at build time; each tick asks for yesterday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from pipeline_platform.automation.definitions import automation_defs
from pipeline_platform.automation.schedules import build_ingest_schedule, build_marts_schedule


def tick(schedule, when: datetime, instance):
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=when)
    result = schedule(context)
    return [result] if isinstance(result, dg.RunRequest) else []


def test_ingest_schedule_reads_env_when_built_and_requests_previous_day(monkeypatch, instance):
    monkeypatch.setenv("PIPELINE_INGEST_CRON", "30 4 * * *")
    monkeypatch.setenv("PIPELINE_TIMEZONE", "Europe/Berlin")
    schedule = build_ingest_schedule()
    assert schedule.cron_schedule == "30 4 * * *" and schedule.execution_timezone == "Europe/Berlin"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # 00:30 Berlin on Oct 5 is still Oct 4 in UTC: the previous *Berlin* day is Oct 4.
    [request] = tick(schedule, datetime(2026, 10, 5, 4, 30, tzinfo=ZoneInfo("Europe/Berlin")), instance)
    assert request.partition_key == "2026-10-04"
    assert request.run_key == "ingest:2026-10-04"


def test_defaults_apply_without_env(monkeypatch, instance):
    for name in ("PIPELINE_INGEST_CRON", "PIPELINE_TIMEZONE", "PIPELINE_MARTS_CRON"):
        monkeypatch.delenv(name, raising=False)
    schedule = build_ingest_schedule()
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("15 1 * * *", "UTC")
    [request] = tick(schedule, datetime(2026, 11, 2, 1, 15, tzinfo=ZoneInfo("UTC")), instance)
    assert request.partition_key == "2026-11-01"


def test_day_before_first_partition_is_skipped_with_a_reason(instance):
    schedule = build_ingest_schedule("15 1 * * *", "UTC")
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 9, 1, 1, 15, tzinfo=ZoneInfo("UTC")))
    result = schedule(context)
    assert isinstance(result, dg.SkipReason) and "2026-08-31" in result.skip_message


def test_marts_schedule_targets_marts_group_and_is_off_by_default(instance):
    schedule = build_marts_schedule("0 3 * * *", "UTC")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == "build_marts"
    [request] = tick(schedule, datetime(2026, 10, 10, 3, 0, tzinfo=ZoneInfo("UTC")), instance)
    assert request.partition_key == "2026-10-09"


def test_every_schedule_and_sensor_declares_its_default_status():
    defs = automation_defs()
    statuses = {s.name: s.default_status for s in [*defs.schedules, *defs.sensors]}
    assert statuses == {
        "ingest_raw_schedule": dg.DefaultScheduleStatus.RUNNING,
        "build_marts_schedule": dg.DefaultScheduleStatus.STOPPED,
        "landing_sensor": dg.DefaultSensorStatus.RUNNING,
        "automation_condition_sensor": dg.DefaultSensorStatus.RUNNING,
        "slack_run_failure_alerts": dg.DefaultSensorStatus.RUNNING,
        "slack_check_failure_alerts": dg.DefaultSensorStatus.RUNNING,
        "slack_run_progress": dg.DefaultSensorStatus.RUNNING,
        "slack_health_alerts": dg.DefaultSensorStatus.RUNNING,
        "slack_daily_digest": dg.DefaultSensorStatus.STOPPED,
    }
    assert isinstance(defs.resources["slack"].token, dg.EnvVar)
