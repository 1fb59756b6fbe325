"""Dashboard email campaigns: the campaigns list (and, step by step, writing, previewing and sending one)."""
