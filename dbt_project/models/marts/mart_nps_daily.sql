{#
    Net promoter score per UTC response day: % promoters (9-10) - % detractors (0-6), 2 decimals.
    Read by the dashboard on every page view, so the aggregate is stored.

    Incremental, delete+insert on response_date: a run recomputes only the days of the responses
    its window touched (answered or changed in it), from all of those days' responses; other days
    cannot have changed. The first build, or --full-refresh, selects every day.
#}
{{
    config(
        materialized='incremental',
        unique_key='response_date',
        indexes=[{'columns': ['response_date'], 'unique': True}],
    )
}}

with counts as (
    select
        response_date,
        count(*)                                      as responses,
        count(*) filter (where category = 'promoter')  as promoters,
        count(*) filter (where category = 'passive')   as passives,
        count(*) filter (where category = 'detractor') as detractors
    from {{ ref('stg_nps_responses') }}
    {%- if is_incremental() %}
    where response_date in (
        select response_date from {{ ref('stg_nps_responses') }} where {{ in_window('updated_at') }}
    )
    {%- endif %}
    group by response_date
)

select
    response_date,
    responses::bigint  as responses,
    promoters::bigint  as promoters,
    passives::bigint   as passives,
    detractors::bigint as detractors,
    round(100.0 * (promoters - detractors) / responses, 2)::numeric(6, 2) as nps
from counts
