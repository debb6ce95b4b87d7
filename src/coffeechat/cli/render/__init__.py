"""How coffeechat shows things: every styled line, every JSON shape, every message.

The command modules parse options and call the App and the core; what they print is made
here, one module per kind of screen. The package itself holds nothing, so that a command
imports only the screens it shows.
"""
