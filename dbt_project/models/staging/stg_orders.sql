-- Live orders only: soft-deleted rows (deleted_at set) never reach the marts.
-- Cancelled orders stay, with their status: dropping them is a business rule of each mart.
select
    order_id::bigint                 as order_id,
    customer_id::bigint              as customer_id,
    product_id::bigint               as product_id,
    quantity::integer                as quantity,
    amount::numeric(12, 2)           as amount,
    lower(trim(status))              as status,
    ordered_at::timestamptz          as ordered_at,
    {{ utc_date('ordered_at') }}     as order_date,
    updated_at::timestamptz          as updated_at,
    _loaded_at                       as loaded_at
from {{ source('raw', 'orders') }}
where deleted_at is null
