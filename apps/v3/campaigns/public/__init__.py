"""Public pages mailed copies link to (no token): open pixel, click redirect, forward, unsubscribe, permalink."""
