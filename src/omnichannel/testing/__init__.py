"""Tools for testing code built on omnichannel (needs the ``test`` extra).

``omnichannel.testing.strategies`` holds hypothesis strategies for every domain
type and for whole consistent scenarios.
"""
