"""Dashboard deploy: the pipeline itself (re)deploys the Streamlit app over the marts it just built."""
