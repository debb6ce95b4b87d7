"""Commands that publish the follow-ups as a calendar: feed, watch, serve."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.messages import say, say_bytes, warn
from coffeechat.cli.render.publishing import (
    feed_written,
    public_warning,
    serve_lines,
    stamped,
    watching,
)
from coffeechat.errors import UsageError

if TYPE_CHECKING:
    import threading


def feed_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that shape the feed, shared by feed, watch and serve."""
    for option in reversed(
        [
            click.option(
                "-o",
                "--output",
                metavar="PATH",
                help="Write the feed here (default: feed.path, .coffeechat/followups.ics).",
            ),
            click.option(
                "--redact/--no-redact",
                default=None,
                help="Initials only: no names, e-mail, phone, places or note paths.",
            ),
            click.option(
                "--digest/--no-digest",
                default=None,
                help="One all-day event a day listing its follow-ups, not one each.",
            ),
            click.option(
                "--overdue",
                type=click.Choice(["today", "due"]),
                default=None,
                help="Show overdue items on today (default) or on their due date.",
            ),
        ]
    ):
        command = option(command)
    return command


def _overrides(redact: bool | None, digest: bool | None, overdue: str | None) -> dict[str, Any]:
    return {"redact": redact, "digest": digest, "overdue": overdue}


@cli.command()
@feed_options
@pass_app
def feed(
    app: App, output: str | None, redact: bool | None, digest: bool | None, overdue: str | None
) -> None:
    """Write the iCalendar feed of your follow-ups and scheduled meetings.

    Every open follow-up is an all-day event (overdue ones on today), every scheduled meeting
    a timed one. The same vault and date always give the same bytes, and the file is only
    rewritten when they change. `-o -` prints the feed instead.
    """
    from coffeechat.collector import no_cycle_collection
    from coffeechat.feed.events import FeedOptions
    from coffeechat.feed.render import feed_again, render_feed
    from coffeechat.storage.outputs import feed_path, vault_name, write_if_changed

    settings = app.settings
    path = None if output == "-" else feed_path(app.root, settings, output)
    options = FeedOptions.from_settings(
        settings, vault_name(app.root, settings), **_overrides(redact, digest, overdue)
    )
    from coffeechat.storage.cache.index import Index

    with no_cycle_collection():
        agenda = app.agenda
        stored = Index(app.root, settings).events()
        result = (
            feed_again(stored, agenda.stamp, app.today, options)
            if stored is not None and agenda.stamp is not None
            else None
        )
        if result is None:  # (not the agenda, day and options of a feed made before)
            result = render_feed(
                agenda.result.items,
                agenda.meetings(),
                app.today,
                options,
                agenda.contacts(),
                stored=stored,
                state=agenda.stamp,
            )
    if path is None:
        say_bytes(result.data)
        return
    wrote = write_if_changed(path, result.data)
    say(feed_written(click.format_filename(str(path)), wrote, result.items, result.meetings))


class _Stopper:
    """Ctrl-C and SIGTERM stop the loop cleanly; a second Ctrl-C stops at once."""

    def __init__(self, wake: Callable[[], None]) -> None:
        import threading

        self.event = threading.Event()
        self.wake = wake
        self.previous: dict[int, Any] = {}
        self.interrupt: int | None = None

    def __enter__(self) -> threading.Event:
        import signal

        self.interrupt = signal.SIGINT
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self._handle)
        return self.event

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.event.is_set() and signum == self.interrupt:
            raise KeyboardInterrupt
        self.event.set()
        self.wake()


def _watcher(
    app: App,
    output: str | None,
    overrides: dict[str, Any],
    poll: bool,
    on_feed: Callable[[bytes, int | None], None] | None = None,
    after_pass: Callable[[Any], None] | None = None,
    report: Callable[[str], None] | None = None,
) -> Any:
    from coffeechat.live.watch import Watcher

    return Watcher(
        app.root,
        app.settings,
        today=app.today_arg,
        output=output,
        overrides=overrides,
        report=report or stamped,
        poll=poll,
        on_feed=on_feed,
        after_pass=after_pass,
    )


def _pusher(app: App, overrides: dict[str, Any]) -> Any:
    """`watch --push`: a CalDAV push after each change, rate-limited, off the watcher's thread."""
    import datetime as dt

    from coffeechat.caldav.account import password, target
    from coffeechat.caldav.pusher import Pusher
    from coffeechat.caldav.sync import push

    settings = app.settings
    target(settings)  # a missing [caldav] url or password is an error now, not in a thread
    secret = password(settings)

    def run() -> Any:
        today = app.today_arg or dt.datetime.now(settings.tz).date()
        return push(app.root, settings, today, overrides=overrides, secret=lambda: secret)

    return Pusher(
        run,
        stamped,
        interval=settings.caldav_push_interval,
        check_seconds=settings.caldav_check_minutes * 60,
    )


def _run(watcher: Any, stop: threading.Event) -> None:
    try:
        watcher.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()


@cli.command()
@feed_options
@click.option(
    "--poll",
    is_flag=True,
    help="Poll for changes (network shares, WSL /mnt, some containers); chosen by"
    " itself when change events are not available.",
)
@click.option(
    "--push",
    "push_",
    is_flag=True,
    help="Also push to the CalDAV server of [caldav] after each change (at most once"
    " every caldav.push_interval seconds; retried while the server is down).",
)
@pass_app
def watch(
    app: App,
    output: str | None,
    redact: bool | None,
    digest: bool | None,
    overdue: str | None,
    poll: bool,
    push_: bool = False,
) -> None:
    """Keep the index and the feed current while you edit (Ctrl-C stops).

    Waits for a quiet moment after a change, then re-reads what changed; pauses while git
    is busy; rescans every watch.rescan_seconds anyway. Writes the feed — and the
    watch.dashboard note, if set — only when its bytes change, and never touches your notes.
    """
    overrides = _overrides(redact, digest, overdue)
    pusher = _pusher(app, overrides) if push_ else None
    watcher = _watcher(
        app, output, overrides, poll, after_pass=pusher.changed if pusher is not None else None
    )
    if pusher is not None:
        pusher.start()
    try:
        with _Stopper(watcher.wake) as stop:
            try:
                watcher.start()
            except BaseException:
                watcher.stop()
                raise
            stamped(watching(watcher.mode, click.format_filename(str(app.root))))
            _run(watcher, stop)
    finally:
        if pusher is not None:
            pusher.stop()
    stamped("stopped")


@cli.command()
@click.option(
    "--host", metavar="HOST", help="Address to listen on (default: serve.host, 127.0.0.1)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="PORT",
    help="Port to listen on (default: serve.port, 8765; 0 = any free port).",
)
@click.option(
    "--rotate-token", is_flag=True, help="Make a new secret URL; the old one stops working."
)
@feed_options
@click.option("--poll", is_flag=True, help="Poll for changes instead of waiting for events.")
@pass_app
def serve(
    app: App,
    host: str | None,
    port: int | None,
    rotate_token: bool,
    output: str | None,
    redact: bool | None,
    digest: bool | None,
    overdue: str | None,
    poll: bool,
) -> None:
    """Serve the feed over HTTP for a calendar app to subscribe to (Ctrl-C stops).

    The feed lives at a secret URL, /<token>/followups.ics, printed on start: treat it as a
    password. The watcher runs inside, so the served feed is always current.
    """
    import threading

    from coffeechat.live.serve import (
        FeedServer,
        FeedState,
        feed_urls,
        is_loopback,
        watcher_report,
    )
    from coffeechat.storage.serve_token import load_token

    settings = app.settings
    host = host if host is not None else settings.serve_host
    port = port if port is not None else settings.serve_port
    state = FeedState()
    watcher = _watcher(
        app,
        output,
        _overrides(redact, digest, overdue),
        poll,
        on_feed=state.update,
        report=watcher_report(state, stamped),
    )
    try:
        server = FeedServer(host, port, "", state, log=stamped)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            + (" (pass another --port)" if "in use" in str(exc.strerror) else "")
        ) from None
    try:
        token, new = load_token(app.root, rotate=rotate_token)
    except BaseException:
        server.server_close()
        raise
    server.set_token(token)
    if not is_loopback(host):
        warn(public_warning(host))
    with _Stopper(watcher.wake) as stop:
        try:
            watcher.start()
            http_url, webcal_url = feed_urls(host, server.port, token)
            for line in serve_lines(rotate_token, new, http_url, webcal_url):
                say(line)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.2},
                name="coffeechat-serve",
                daemon=True,
            )
            thread.start()
            stamped(watching(watcher.mode, ""))
            try:
                _run(watcher, stop)
            finally:
                server.shutdown()
                thread.join(timeout=10)
        finally:
            server.server_close()
            watcher.stop()
    stamped("stopped")
