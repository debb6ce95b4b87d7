"""The cache under .coffeechat/: an SQLite file of what the notes say (each note parsed, keyed
by path, size and mtime) and of the agenda worked out from them, per subject. `index.Index`
is its one entry point; the cache is never the source of truth."""
