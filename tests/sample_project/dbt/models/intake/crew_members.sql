select tech_id, full_name, region from {{ source('field_intake', 'crew') }}
