"""coffeechat running alongside you: the watcher, the mail it follows, the feed served over HTTP."""
