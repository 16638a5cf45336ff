select c.tech_id, c.full_name, c.region, count(v.visit_id) as visits, coalesce(sum(v.minutes), 0) as minutes
from {{ ref('crew_members') }} c
left join {{ ref('visit_minutes') }} v on v.tech_id = c.tech_id
group by 1, 2, 3
