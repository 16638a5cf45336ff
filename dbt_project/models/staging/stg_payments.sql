-- Payments, typed; several may settle one order.
select
    payment_id::bigint               as payment_id,
    order_id::bigint                 as order_id,
    amount::numeric(12, 2)           as amount,
    lower(trim(method))              as method,
    paid_at::timestamptz             as paid_at,
    updated_at::timestamptz          as updated_at,
    _loaded_at                       as loaded_at
from {{ source('raw', 'payments') }}
