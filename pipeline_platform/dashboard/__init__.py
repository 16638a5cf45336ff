"""Dashboard deploy: the pipeline itself (re)deploys each Streamlit app its dbt exposures name."""
