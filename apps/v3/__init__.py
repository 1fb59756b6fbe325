"""The built-in Constant Contact V3 service: its models, endpoints and authorization server."""
