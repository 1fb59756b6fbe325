"""Response bodies of the V3 service, built explicitly from models: one module per spec tag."""
