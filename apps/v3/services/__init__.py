"""Named actions of the V3 service: the writes and cross-object logic endpoints call."""
