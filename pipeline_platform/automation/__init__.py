"""Automation and alerts: what makes the graph run by itself, and who hears when it breaks."""
