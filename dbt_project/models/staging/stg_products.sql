-- Products as the marts use them: typed, with the current unit price.
select
    product_id::bigint           as product_id,
    trim(name)                   as name,
    trim(category)               as category,
    unit_price::numeric(12, 2)   as unit_price,
    updated_at::timestamptz      as updated_at,
    _loaded_at                   as loaded_at
from {{ source('raw', 'products') }}
