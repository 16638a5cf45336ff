-- The load audit trail, typed; marts decide which statuses count.
select
    load_id::bigint                  as load_id,
    asset,
    run_id,
    partition_key,
    rows_read,
    inserted,
    updated,
    deleted,
    status,
    error,
    started_at,
    finished_at
from {{ source('raw', '_loads') }}
