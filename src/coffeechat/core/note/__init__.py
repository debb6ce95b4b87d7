"""One note: its bytes read into a ParsedNote (front matter, log, tasks, sections), and surgical
edits of those bytes that leave every other byte as it was."""
