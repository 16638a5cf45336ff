"""The field-service team's visit trends: a plain Streamlit script reading its own mart."""

import os

import pandas as pd
import psycopg
import streamlit as st

st.title("Visits per day")
with psycopg.connect(os.environ["PIPELINE_DATABASE_URL"]) as conn:
    rows = conn.execute("SELECT visit_day, visits, minutes FROM analytics.visits_per_day ORDER BY 1").fetchall()
st.line_chart(pd.DataFrame(rows, columns=["day", "visits", "minutes"]).set_index("day"))
