"""iCalendar in and out, without Django: read.py parses busy time, write.py writes feeds and invitations."""
