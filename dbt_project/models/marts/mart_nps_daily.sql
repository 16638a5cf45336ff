{#
    Materialized view: read by the dashboard on every page view, small, and recomputed from all
    responses on each refresh. NPS = % promoters (9-10) - % detractors (0-6), 2 decimals.
#}
{{ config(materialized='materialized_view') }}

with counts as (
    select
        response_date,
        count(*)                                      as responses,
        count(*) filter (where category = 'promoter')  as promoters,
        count(*) filter (where category = 'passive')   as passives,
        count(*) filter (where category = 'detractor') as detractors
    from {{ ref('stg_nps_responses') }}
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
