"""SMS campaigns: a text sent to the SMS-permitted contacts of some lists, its short links and STOP replies.

Layers, top to bottom (pyproject.toml holds this order as an exhaustive contract):

- ``public``: the pages outside ``/v3/`` (short link redirect, the STOP reply webhook, the staff page)
- ``engine``: sends a campaign through the configured backend (``manage.py send_sms_campaign``)
- ``services``: named actions: create a campaign, record a click, record an opt-out
- ``backends``: where a message goes (the outbox of files under ``var/sms-outbox/``, memory for tests)
- ``models``: campaigns, sends, links, clicks, opt-outs, and the counters reports read
"""
