{#
    Net promoter score per UTC response day over live answers (stg_nps_responses drops withdrawn
    and erased ones): % promoters (9-10) - % detractors (0-6), 2 decimals. Read by the dashboard
    on every page view, so the aggregate is stored.

    Incremental, delete+insert on response_date: a run recomputes only the days of the answers its
    window touched (answered, revised, withdrawn or erased: macros/touched.sql) from all of those
    days' live answers; other days cannot have changed. A touched day left without live answers is
    selected with responses = 0 and removed by the post-hook in the same transaction, as a full
    rebuild (which has no row for it) would. The first build, or --full-refresh, selects every day.
#}
{{
    config(
        materialized='incremental',
        unique_key='response_date',
        indexes=[{'columns': ['response_date'], 'unique': True}],
        post_hook=["delete from {{ this }} where responses = 0"],
    )
}}

-- depends_on: {{ source('raw', 'nps_responses') }}
with

days as (
    {%- if is_incremental() %}
    select response_date from ({{ touched_response_days() }}) as touched_response_days
    {%- else %}
    select distinct response_date from {{ ref('stg_nps_responses') }}
    {%- endif %}
),

counts as (
    select
        d.response_date,
        count(s.response_id)                             as responses,
        count(*) filter (where s.category = 'promoter')  as promoters,
        count(*) filter (where s.category = 'passive')   as passives,
        count(*) filter (where s.category = 'detractor') as detractors
    from days as d
    left join {{ ref('stg_nps_responses') }} as s on s.response_date = d.response_date
    group by d.response_date
)

select
    response_date,
    responses::bigint  as responses,
    promoters::bigint  as promoters,
    passives::bigint   as passives,
    detractors::bigint as detractors,
    round(100.0 * (promoters - detractors) / nullif(responses, 0), 2)::numeric(6, 2) as nps
from counts
