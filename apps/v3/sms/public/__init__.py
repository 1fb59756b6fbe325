"""The SMS pages outside ``/v3/``: short links, the STOP reply webhook and the staff page of campaigns."""
