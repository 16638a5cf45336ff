-- Customers as the marts use them: typed, trimmed, e-mail lower-cased.
select
    customer_id::bigint          as customer_id,
    trim(name)                   as name,
    lower(trim(email))           as email,
    upper(trim(country))         as country,
    signup_date::date            as signup_date,
    updated_at::timestamptz      as updated_at,
    _loaded_at                   as loaded_at
from {{ source('raw', 'customers') }}
