"""What recipients do with their copies: signed per-recipient URLs, recording events, devices, bounces."""
