"""CalDAV: the follow-ups pushed into a calendar or task list on a server, ticks taken back."""
