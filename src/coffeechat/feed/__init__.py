"""The iCalendar feed: the follow-ups as events or tasks, and their RFC 5545 bytes."""
