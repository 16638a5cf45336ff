{{ config(materialized='incremental', unique_key='visit_id', incremental_strategy='delete+insert') }}

select
    visit_id,
    tech_id,
    started_at,
    {{ visit_math.minutes_between('started_at', 'ended_at') }} as minutes
from {{ ref('visit_events') }}
where {{ visit_window('started_at') }}
