"""Governance forms: meetings, motions, requisitions and the rules; ballots, votes and proxies."""
