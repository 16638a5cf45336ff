select (started_at at time zone 'UTC')::date as visit_day, count(*) as visits, sum(minutes) as minutes
from {{ ref('visit_minutes') }}
group by 1
