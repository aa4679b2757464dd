"""Dashboards and exports; reads only."""
