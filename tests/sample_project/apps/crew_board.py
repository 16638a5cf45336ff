"""The field-service team's crew board: a plain Streamlit script reading its own mart."""

import os

import pandas as pd
import psycopg
import streamlit as st

st.title("Crew board")
with psycopg.connect(os.environ["PIPELINE_DATABASE_URL"]) as conn:
    rows = conn.execute("SELECT full_name, region, visits, minutes FROM analytics.crew_workload ORDER BY 1").fetchall()
st.dataframe(pd.DataFrame(rows, columns=["technician", "region", "visits", "minutes"]))
