"""Data-subject rights: erasure (GDPR Art. 17), access and portability (Art. 15/20), restriction (Art. 18).

The requests reach every connected system through the identity map and are tracked with their legal
deadline (GDPR one month, KVKK 30 days) in the state store; see ``crmhub gdpr --help``.
"""
