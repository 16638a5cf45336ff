-- mart_build_info is the dashboard's "data version" banner: exactly one row, always.
select count(*) as row_count
from {{ ref('mart_build_info') }}
having count(*) <> 1
