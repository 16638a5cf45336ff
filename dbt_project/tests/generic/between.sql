{#
    Fails on rows where the column is outside [min_value, max_value] (nulls pass; pair with
    not_null). A range reads better than accepted_values over 0..10 and also fits decimals (NPS).
#}
{% test between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
