"""Identity resolution: the same person or company recognised within and across systems.

Normalisation (:mod:`~hub.identity.normalise`, :mod:`~hub.identity.contact_points`) → features and
comparisons per stream (:mod:`~hub.identity.profiles`) → deterministic rules and a Fellegi–Sunter
score in three bands (:mod:`~hub.identity.rules`, :mod:`~hub.identity.scoring`) → blocking
(:mod:`~hub.identity.blocking`) → clusters that do not chain strangers (:mod:`~hub.identity.clusters`).
:class:`BatchMatcher` runs the whole chain over a system or a migration; the engine matches sync
batches incrementally (:mod:`hub.engine.identity`).

Submodules are imported where they are used (``from hub.identity.matcher import BatchMatcher``): the
configuration imports :mod:`hub.identity.settings` only, and loading a configuration must stay cheap.
"""
