"""Named actions of the partners domain: each checks a request against the partner, then writes.

Layers: ``sync`` > ``provisioning | plans | cancellation | users | unsubscribe | webhooks`` > ``clients`` > ``checks``.
"""
