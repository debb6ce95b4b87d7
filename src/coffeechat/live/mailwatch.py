"""`watch` following a Maildir: mail that arrives is logged in the contacts' notes at once.

``[mail] maildir = "~/Mail/INBOX"`` names the folder a mail client or mbsync delivers into.
It is outside the vault, and only ever read: the folder and its messages are never written,
created or moved. On start the whole folder is caught up with (as ``import mail`` would:
lines the notes already hold are not written again), then each message delivered into
``new/`` or ``cur/`` is read once, and its line written through the same safe edit as
``log`` — which the vault's watcher then sees as any other save, so a chase answered by mail
leaves the feed by itself.
"""

from __future__ import annotations

import mailbox
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coffeechat.config import CONFIG_NAME
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError, ConfigError

__all__ = ["MaildirFollower", "follow_maildir", "maildir_path"]

#: Wait this long after the last event in the Maildir before reading it (a burst is one read).
SETTLE = 0.2
#: After a note was refused (saved in an editor meanwhile), try again this soon.
RETRY = 2.0


def maildir_path(root: Path, value: str) -> Path:
    """``[mail] maildir`` as a path. Only ``~`` and ``~/...`` are expanded (to your home
    folder); ``~name`` and ``$VARIABLES`` are not, so a synced coffeechat.toml cannot point
    at another account's home. A relative path is taken from the vault's folder."""
    text = value.strip()
    if text.startswith("~"):
        head, _, rest = text.partition("/")
        if head != "~":
            raise ConfigError(
                CONFIG_NAME,
                None,
                f"mail.maildir {value!r}: only ~/ (your own home folder) is expanded, not ~name",
            )
        try:
            home = Path.home()
        except (RuntimeError, KeyError):
            raise ConfigError(
                CONFIG_NAME,
                None,
                f"mail.maildir {value!r}: the home folder is not known (HOME is not set)",
            ) from None
        return home / rest if rest else home
    path = Path(text)
    return path if path.is_absolute() else root / path


class MaildirFollower:
    """Reads new messages of one Maildir into the vault's contacts' logs, in its own thread."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        folder: Path,
        report: Callable[[str], None],
        poll: bool = False,
    ) -> None:
        self.root, self.settings, self.folder = root, settings, folder
        self.report = report
        self.poll = poll
        self.seen: set[str] = set()
        self.passes = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Any = None

    def start(self) -> None:
        from coffeechat.transfer.mail import open_mailbox

        open_mailbox(self.folder, str(self.folder))  # not a Maildir: one clear error
        if not (self.folder / "cur").is_dir():
            raise CoffeechatError(f"{self.folder} is not a Maildir folder")
        self._observer = self._start_observer()
        self._thread = threading.Thread(target=self._run, name="maildir", daemon=True)
        self._thread.start()
        self._wake.set()  # catch up with what is there

    def _start_observer(self) -> Any:
        from watchdog.events import FileSystemEventHandler

        follower = self

        class Delivered(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type not in ("opened", "closed_no_write"):
                    follower._wake.set()

        if self.poll:
            from watchdog.observers.polling import PollingObserver

            observer: Any = PollingObserver(timeout=self.settings.watch_poll_seconds)
        else:
            from watchdog.observers import Observer

            observer = Observer()
        for sub in ("new", "cur"):
            observer.schedule(Delivered(), str(self.folder / sub), recursive=False)
        observer.start()
        return observer

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=10)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            while self._wake.wait(SETTLE):  # let a burst of deliveries finish
                self._wake.clear()
                if self._stop.is_set():
                    return
            try:
                if not self.read_new():
                    self._stop.wait(RETRY)
                    self._wake.set()
            except CoffeechatError as exc:
                self.report(f"error: mail in {self.folder}: {exc}")
            except Exception as exc:  # noqa: BLE001 - the watcher never dies
                self.report(f"error: mail in {self.folder}: unexpected {type(exc).__name__}: {exc}")

    def read_new(self) -> bool:
        """Log the messages not read yet; False when a note was refused (to try again)."""
        from coffeechat.storage.cache.index import Index
        from coffeechat.storage.lock import write_lock
        from coffeechat.storage.writer import edit_note
        from coffeechat.transfer.mail import log_mail, read_mail

        box = mailbox.Maildir(self.folder, factory=None, create=False)
        mails = list(read_mail(box, self.seen))
        self.passes += 1
        if not mails:
            return True
        with write_lock(self.root):
            vault = Index(self.root, self.settings).vault()

            def edit(rel: str, change: Callable[[bytes], bytes]) -> bool:
                note = vault.notes.get(rel)
                return edit_note(
                    self.root,
                    rel,
                    change,
                    expected_mtime_ns=note.mtime_ns if note is not None else None,
                )

            _, written, problems = log_mail(
                vault, self.settings.mail_addresses, self.settings.tz, mails, None, edit
            )
        for path, line in written:
            self.report(f"mail: logged `{line}` in {path}")
        for problem in problems:
            self.report(f"warning: mail: {problem} (trying again)")
        if problems:
            return False
        self.seen.update(m.key for m in mails)
        return True


def follow_maildir(
    root: Path, settings: Settings, report: Callable[[str], None], poll: bool = False
) -> MaildirFollower | None:
    """The follower of ``[mail] maildir``, started; None when none is set or it cannot be
    followed (said in one line; the watcher carries on without it)."""
    if not settings.mail_maildir:
        return None
    try:
        folder = maildir_path(root, settings.mail_maildir)
        follower = MaildirFollower(root, settings, folder, report, poll)
        follower.start()
    except CoffeechatError as exc:
        report(f"error: not following mail: {exc}")
        return None
    except OSError as exc:
        report(f"error: not following mail in {settings.mail_maildir}: {exc.strerror or exc}")
        return None
    report(f"following mail in {folder}")
    return follower
