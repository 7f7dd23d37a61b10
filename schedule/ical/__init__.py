"""iCalendar in and out, without Django: `read` turns untrusted calendars into busy time,
`write` writes the feeds and the invitations.

Nothing under this package imports Django (a test checks it), so the reader can run in a
small separate process with CPU and memory limits, and be fuzzed without a database.
"""
