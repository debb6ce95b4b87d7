"""Rule 10 of the method, for every kind of note: the ``follow_up:`` date you set on a contact
or a meeting, and the open tasks with a due date of contacts, meetings and companies."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from coffeechat.core.ids import item_id
from coffeechat.core.links import fold
from coffeechat.core.model import Company, Contact, DueItem, Meeting, Person, Task
from coffeechat.core.rules.shared import audience
from coffeechat.core.vault.vault import VaultView

__all__ = ["follow_up_company", "follow_up_contact", "follow_up_meeting"]


def follow_up_contact(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    """The ``follow_up:`` date and the open tasks of a contact note."""
    if contact.status == "do_not_contact":
        return
    if contact.follow_up is not None:
        yield DueItem(
            id=item_id("follow_up", contact.path, "follow_up"),
            rule="follow_up",
            contact=contact.name,
            contact_path=contact.path,
            due=contact.follow_up,
            title=f"Follow up with {contact.name}",
            why="You set follow_up: on this contact — when told “call me Tuesday”, call on"
            " Tuesday. Clear the field once done.",
            source=contact.path,
            line=contact.follow_up_line,
            subject=contact.path,
        )
    yield from _tasks(contact.path, contact.tasks, contact.person)


def follow_up_meeting(vault: VaultView, meeting: Meeting, today: dt.date) -> Iterator[DueItem]:
    """The ``follow_up:`` date and the open tasks of a meeting note."""
    people = audience(vault, meeting)
    if people is None:
        return
    first = people[0]
    if meeting.follow_up is not None:
        yield DueItem(
            id=item_id("follow_up", meeting.path, "follow_up"),
            rule="follow_up",
            contact=first.name,
            contact_path=first.path,
            due=meeting.follow_up,
            title=f"Follow up on {meeting.title}",
            why="You set follow_up: on this meeting. Clear the field once done.",
            source=meeting.path,
            line=meeting.follow_up_line,
            meeting=meeting.path,
            subject=meeting.path,
        )
    yield from _tasks(meeting.path, meeting.tasks, first, meeting.path)


def follow_up_company(vault: VaultView, company: Company, today: dt.date) -> Iterator[DueItem]:
    """The open tasks of a company note."""
    yield from _tasks(company.path, company.tasks, Person(company.name))


def _tasks(
    path: str, tasks: tuple[Task, ...], person: Person, meeting: str | None = None
) -> Iterator[DueItem]:
    # A task's id is its text and due date (and, for repeats of both, which repeat it is):
    # never its place among tasks of the same text, or swapping two lines would swap their ids
    # and a `done ID` read off a calendar hours ago would tick the other one.
    seen: Counter[tuple[str, dt.date]] = Counter()
    for task in tasks:
        key = fold(" ".join(task.text.split()))
        seen[key, task.due] += 1
        if task.done:
            continue
        nth = seen[key, task.due]
        anchor = f"{key}\x1f{task.due.isoformat()}" + (f"\x1f{nth}" if nth > 1 else "")
        yield DueItem(
            id=item_id("follow_up", path, "task", anchor),
            rule="follow_up",
            contact=person.name,
            contact_path=person.path,
            due=task.due,
            title=task.text or "(task)",
            why="An open task with a due date in your notes. Tick it when it is done.",
            source=path,
            line=task.line,
            meeting=meeting,
            subject=path,
        )
