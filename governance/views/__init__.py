"""The browser door onto governance: meetings, motions, requisitions, the rules, ballots,
results and proxies, a module each.

Members and staff read everything here; a logged-in person who is not a member finds nothing
(the selectors answer 404). Staff-only pages answer 403 to members.
"""
