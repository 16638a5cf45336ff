-- Every order row, live or soft-deleted, with when it last changed: what the incremental marts
-- key their windows on. stg_orders hides soft-deleted orders, so a deletion would be invisible there.
select
    order_id::bigint                 as order_id,
    customer_id::bigint              as customer_id,
    {{ utc_date('ordered_at') }}     as order_date,
    deleted_at is not null           as deleted,
    updated_at::timestamptz          as updated_at
from {{ source('raw', 'orders') }}
