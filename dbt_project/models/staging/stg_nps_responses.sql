-- Live NPS answers with the UTC day they were given and their NPS category: answers withdrawn in
-- the source (deleted_at) or erased from it (_deleted_at, set by the load's `deletes: detect`)
-- do not count.
select
    response_id::bigint              as response_id,
    customer_id::bigint              as customer_id,
    score::integer                   as score,
    case
        when score >= 9 then 'promoter'
        when score >= 7 then 'passive'
        else 'detractor'
    end                              as category,
    nullif(trim(comment), '')        as comment,
    responded_at::timestamptz        as responded_at,
    {{ utc_date('responded_at') }}   as response_date,
    updated_at::timestamptz          as updated_at,
    _loaded_at                       as loaded_at
from {{ source('raw', 'nps_responses') }}
where deleted_at is null and _deleted_at is null
