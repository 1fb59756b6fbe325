"""Tests of the dashboard contacts pages."""
