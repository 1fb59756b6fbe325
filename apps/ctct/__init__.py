"""The project's Python client for the Constant Contact V3 API. It imports no Django."""
