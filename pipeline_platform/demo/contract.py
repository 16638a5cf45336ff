"""Column lists and keys of the shop's raw tables, as ``docs/data-contract.md`` fixes them.

The CSV headers and the API's JSON keys are both written from these lists, so the two sources and
the contract cannot drift apart one column at a time.
"""

COLUMNS = {
    "customers": ["customer_id", "name", "email", "country", "signup_date", "updated_at"],
    "products": ["product_id", "name", "category", "unit_price", "updated_at"],
    "orders": ["order_id", "customer_id", "product_id", "quantity", "amount", "status", "ordered_at",
               "updated_at", "deleted_at"],
    "payments": ["payment_id", "order_id", "amount", "method", "paid_at", "updated_at"],
    "nps_responses": ["response_id", "customer_id", "score", "comment", "responded_at", "updated_at"],
}
PRIMARY_KEYS = {name: columns[0] for name, columns in COLUMNS.items()}
API_ENTITIES = ("orders", "payments", "nps_responses")
CSV_ENTITIES = ("customers", "products")
