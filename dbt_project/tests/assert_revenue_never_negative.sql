-- Revenue is a sum of order amounts; a negative day means a broken amount upstream (a refund
-- booked as an order, a sign error in the extract). Fails with the offending days.
select order_date, revenue
from {{ ref('mart_daily_revenue') }}
where revenue < 0
