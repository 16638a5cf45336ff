-- The raw tables exactly as docs/data-contract.md specifies them (loader columns included).
CREATE SCHEMA raw;
CREATE TABLE raw.customers (customer_id bigint PRIMARY KEY, name text, email text, country text,
  signup_date date, updated_at timestamptz, _load_id bigint, _loaded_at timestamptz);
CREATE TABLE raw.products (product_id bigint PRIMARY KEY, name text, category text,
  unit_price numeric(12,2), updated_at timestamptz, _load_id bigint, _loaded_at timestamptz);
CREATE TABLE raw.orders (order_id bigint PRIMARY KEY, customer_id bigint, product_id bigint,
  quantity int, amount numeric(12,2), status text, ordered_at timestamptz, updated_at timestamptz,
  deleted_at timestamptz, _load_id bigint, _loaded_at timestamptz);
CREATE TABLE raw.payments (payment_id bigint PRIMARY KEY, order_id bigint, amount numeric(12,2),
  method text, paid_at timestamptz, updated_at timestamptz, _load_id bigint, _loaded_at timestamptz);
-- nps_responses is copied from a database with `deletes: detect`: the load adds _deleted_at last.
CREATE TABLE raw.nps_responses (response_id bigint PRIMARY KEY, customer_id bigint, score int,
  comment text, responded_at timestamptz, updated_at timestamptz, deleted_at timestamptz,
  _load_id bigint, _loaded_at timestamptz, _deleted_at timestamptz);
CREATE TABLE raw._loads (load_id bigserial PRIMARY KEY, asset text NOT NULL, run_id text,
  partition_key text, rows_read bigint, inserted bigint, updated bigint, deleted bigint,
  status text NOT NULL DEFAULT 'running', error text,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz);
