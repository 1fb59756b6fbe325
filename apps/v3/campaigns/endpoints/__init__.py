"""HTTP handlers of the Email Campaigns, Email Campaigns AB Tests and Email Scheduling tags, one module per tag."""
