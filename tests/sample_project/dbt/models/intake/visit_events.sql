select visit_id, tech_id, started_at, ended_at, updated_at from {{ source('field_intake', 'visits') }}
