"""The etiquette check of a letter: its text (and, for a thank-you, the meeting's date) in,
findings out — each with the line it is about and the rule it breaks. One idea: the rules, the
phrases each one looks for, and the check that applies them (most of its length is those
phrases). Reading the letter is `coffeechat.core.coaching.letter_text`; telling its kind,
`coffeechat.core.coaching.kinds`.

The rules are the ones the informational-interview method depends on. An approach says how you
got their name, asks for 20–30 minutes (10–15 by phone) of advice — not a job — offers to meet
in person, by phone or by video, and says that *you* will follow up. No letter attaches or sends
a résumé or asks about openings, and every letter is short. A thank-you goes out within three
days of the meeting and names something specific from it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coffeechat.core.coaching.kinds import detect_kind
from coffeechat.core.coaching.letter_text import (
    DURATION,
    WORD,
    minutes,
    negated,
    parse_date,
    read_letter,
    rx,
    sentence_of,
)
from coffeechat.core.model import THANK_YOU_DAYS

__all__ = ["RULES", "WORD_LIMITS", "LintFinding", "LintResult", "lint_letter"]

#: rule id -> what it checks (for --help and the README)
RULES: dict[str, str] = {
    "how-you-got-their-name": "an approach says who gave you their name, or where you came across them",
    "time-ask": "an approach asks for 20–30 minutes (10–15 by phone), not an hour or 'some time'",
    "advice-not-job": "an approach says you want their advice, and that you are not asking for a job",
    "meeting-mode": "an approach offers to meet in person, by phone or by video",
    "you-follow-up": "an approach says that you will follow up, rather than waiting for a reply",
    "no-resume": "no letter attaches, sends or offers a résumé",
    "no-job-ask": "no letter asks about openings, hiring or being considered for a job",
    "too-long": "a letter is short: 200 words for an approach, follow-up or thank-you, 250 otherwise",
    "thank-you-late": "a thank-you goes out within three days of the meeting",
    "thank-you-specific": "a thank-you names something specific from the meeting",
}
_CHECKS = {
    "approach": (
        "how-you-got-their-name",
        "time-ask",
        "advice-not-job",
        "meeting-mode",
        "you-follow-up",
        "no-resume",
        "no-job-ask",
        "too-long",
    ),
    "follow_up": ("no-resume", "no-job-ask", "too-long"),
    "thank_you": ("thank-you-late", "thank-you-specific", "no-resume", "no-job-ask", "too-long"),
    "report_back": ("no-resume", "no-job-ask", "too-long"),
    "update": ("no-resume", "no-job-ask", "too-long"),
    "landed": ("no-resume", "too-long"),
}
WORD_LIMITS = {
    "approach": 200,
    "follow_up": 200,
    "thank_you": 200,
    "report_back": 250,
    "update": 250,
    "landed": 250,
}


@dataclass(frozen=True, slots=True)
class LintFinding:
    line: int
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class LintResult:
    kind: str
    words: int
    findings: tuple[LintFinding, ...]


# --- what each rule looks for ---------------------------------------------------------------

_POSSESSIVE = re.compile(r"\b(your|his|her|their|my|our)\s+$", re.IGNORECASE)  # "your current role"

_HOW = rx(
    r"\b(suggested|recommended|thought|said|mentioned)\b[^.?!\n]{0,60}\b(I|me)\b[^.?!\n]{0,40}"
    r"\b(contact|reach|write|get in touch|talk|speak|connect|e-?mail|call|meet|ask)",
    r"\b(suggested|recommended) (that )?(I|we)\b",
    r"\b(gave|passed|shared|sent|forwarded|offered) me your (name|details|contact|e-?mail|number|info)",
    r"\byour name (came up|was mentioned|from)\b",
    r"\b(referred|introduced|pointed|directed|sent) me\b",
    r"\b(at|on) (the )?(suggestion|recommendation|urging) of\b",
    r"\bat [\w.\- ]{1,30}(?:'s|’s) (suggestion|recommendation|urging)\b",
    r"\b(thanks|thank you)\b[^.?!\n]{0,40}\b(intro|introduction|introducing|connecting)\b",
    r"\b(introduc(ed|ing)|connect(ed|ing)|put) us( in touch)?\b",
    r"\b(speaks|spoke|spoken) (so |very )?(highly|well|warmly) of you\b",
    r"\b[A-Z][a-z]+ (said|says|told me|mentioned|thinks|thought) (that )?you\b",
    r"\b(we|I) met\b",
    r"\b(great|good|nice|lovely|a pleasure|wonderful|fun) (to )?(meet|meeting|talk|talking|chat|chatting|"
    r"speak|speaking|see|seeing|run into|running into)( to| with)? you\b",
    r"\b(saw|watched|heard|read|came across|found|enjoyed|loved|listened to|attended|followed)\b"
    r"[^.?!\n]{0,50}\byour ([\w'’&-]+ ){0,3}(talk|post|article|blog|presentation|panel|podcast|profile|paper|"
    r"interview|session|piece|essay|thread|newsletter|book|keynote|webinar|episode|comment|answer|"
    r"write-?up|case study|research|work|question|video)",
    r"\b(came across|found|got|have|received|saw) your (name|details|profile|e-?mail)",
    r"\b(alumni|alumnae|alumnus|alumna|alum|fellow graduate|class of '?\d{2,4})\b",
    r"\b(both|also) (went to|studied at|graduated from|worked at|taught at|attended|belong to)\b",
    r"\bfellow (member|alum|graduate|teacher|parent|volunteer|[A-Z]\w+)\b",
    r"\b(through|via|on|in|from) (the |our |a )?[\w'’&\- ]{0,40}(directory|group|network|association|"
    r"slack|forum|community|channel|meetup|mailing list|newsletter|conference|linkedin)\b",
    r"\b(your|my) (former |old )?(colleague|friend|neighbou?r|cousin|manager|professor|classmate|"
    r"roommate|room-mate|sister|brother|mentor|teammate|boss|coworker|co-worker)\b",
    r"\bmy (former |old )?(student|pupil)\b|\byour (son|daughter|child|kid)\b",
    r"\bremember me\b|\bremind you\b",
)
_PHONE = re.compile(r"\b(phone|telephone)\b", re.IGNORECASE)
_IN_PERSON = re.compile(
    r"\b(coffee|in person|in-person|video|zoom|teams|meet(ing)? (up|in person)|"
    r"lunch|your office|face to face|google meet)\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(a few minutes|some (of your )?time|a (quick|short|brief) (chat|call|"
    r"conversation|coffee)|a coffee|pick your brain)\b",
    re.IGNORECASE,
)
_ASK = re.compile(
    r"\b(could|would|might|may I|wonder|wondering|ask|grateful|love to|happy to|"
    r"glad to|appreciate|possible|willing)\b",
    re.IGNORECASE,
)

_ADVICE = rx(
    r"\b(advice|advise|insights?|perspectives?|guidance|counsel|wisdom|pointers|input)\b",
    r"\binformational (interview|conversation|chat|meeting)\b",
    r"\b(learn|hear) (from you|about your|more about your|how you)\b",
    r"\byour (story|experience|path|journey|take|thoughts|views?|career)\b",
)
_NOT_JOB = rx(
    r"\bnot\b[^.?!\n]{0,40}\b(asking|looking|after|seeking|hoping|expecting|here|writing|reaching out)"
    r"\b[^.?!\n]{0,40}\b(jobs?|roles?|positions?|openings?|employment|work|opportunit\w*|hired?|"
    r"referrals?|vacanc\w*|interviews?)\b",
    r"\b(isn['’]t|is not|wasn['’]t|won['’]t be|not)\b[^.?!\n]{0,30}\b(a )?(job|employment)[- ]"
    r"(request|application|inquiry|enquiry|hunt|search|ask|pitch)\b",
    r"\bnot (a|an) (job|interview|application|request for (a )?(job|role|position))\b",
    r"\bno (job|jobs|openings|hiring|strings|agenda|ask)\b",
    r"\b(I['’]m|I am) not (job[- ]hunting|applying|asking you (for|about))\b",
    r"\b(don['’]t|do not|won['’]t|will not|never) (ask|expect|need|want)\b[^.?!\n]{0,40}\b(jobs?|roles?|"
    r"positions?|openings?|hire|hiring|referrals?)\b",
    r"\b(only|just|simply|purely|solely|strictly)\b[^.?!\n]{0,20}\b(advice|perspective|insights?|"
    r"information|guidance|learning|your story|to learn|input)\b",
    r"\b(about|for) (advice|information|learning)[^.?!\n]{0,20}\b(rather than|not|instead of)\b",
)
_MODE = rx(
    r"\b(coffee|tea|lunch|breakfast|in person|in-person|face to face|face-to-face|phone|call|"
    r"video|zoom|teams|google meet|skype|facetime|whatsapp|virtually|online)\b",
    r"\bmeet (up|in person|near|at|for|you)\b",
    r"\b(your office|drop by|stop by|come to you|come by|walk|wherever (suits|works|is easiest))\b",
)
_FOLLOW = rx(
    r"\b(I['’]ll|I will|I['’]d like to|let me|I plan to|I intend to|I['’]m going to|I am going to|"
    r"I shall|I['’]d be glad to|I can)\s+(\w+\s+){0,4}?(follow up|follow-up|call|phone|telephone|ring|e-?mail|"
    r"write|reach out|get in touch|be in touch|check (back|in)|try (you|again|your)|"
    r"give you a (call|ring|buzz)|drop you a (line|note)|contact you|send you a note|circle back|"
    r"touch base|text|message)\b",
    r"\bI['’]ll (\w+\s+){0,2}(next week|on (monday|tuesday|wednesday|thursday|friday))",
)
_WAITING = rx(
    r"\b(I['’]m |I am |I )?look(ing)? forward to (hearing( back)?( from you)?|your (reply|response))",
    r"\b(hope|hoping) to hear\b",
    r"\bawait(ing)? your\b",
    r"\b(please )?let me know\b",
    r"\bif you (are|'re|’re) (interested|willing|available|open to)\b",
    r"\bget back to me\b",
    r"\bwhen you (get|have) a (chance|moment)\b",
)
_RESUME_WORD = r"(r[ée]sum[ée]s?|\bCVs?\b|\bC\.V\.|curriculum vitae)"
_RESUME = rx(
    rf"\b(attach\w*|enclos\w*|includ\w*|send\w*|sent|forward\w*|shar\w*|pass\w* (along|on)|"
    rf"upload\w*|link\w*|add\w*)\b[^.?!\n]{{0,40}}{_RESUME_WORD}",
    rf"{_RESUME_WORD}[^.?!\n]{{0,25}}\b(attached|enclosed|included|below|linked|here)\b",
    rf"\bhere(['’]s| is) my {_RESUME_WORD}",
    rf"\b(look|glance|check) (at|over|through) my {_RESUME_WORD}",
    rf"\b(my|a|the) {_RESUME_WORD}[^.?!\n]{{0,40}}\b(in case|for (your )?reference|if (it|that) helps|"
    rf"for context|so you can)\b",
)
_JOB_NOUN = r"(jobs?|roles?|positions?|openings?|vacanc(?:y|ies)|internships?)"
_JOB_ASK = rx(
    rf"\b(any|open|current|available|upcoming)\s+([\w'’-]+\s+){{0,3}}?{_JOB_NOUN}\b",
    rf"\b{_JOB_NOUN}\s+(available|open|opening up|coming up|on your team|at your company|"
    rf"in your (team|department|group|organi[sz]ation))\b",
    r"\b(any|open)\s+([\w'’-]+\s+){0,2}?opportunit(y|ies)\s+(at|on|with|in|for)\b",
    r"\b(job|career|employment|available|current)\s+opportunit(y|ies)\b",
    r"\b(is|are)\s+([\w'’]+\s+){0,3}?hiring\b",
    r"\bhiring (now|right now|at the moment|currently|soon|this year)\b",
    r"\b(consider|keep) me (for|in mind)\b",
    r"\bput (in )?a (good )?word\b",
    r"\b(refer|recommend) me (for|to) (a|an|the|any|your)\b",
    r"\bpass (along|on) my (name|details|application)\b",
    r"\b(apply|applying|applied|application) (for|to)\b",
    r"\b(job|career) (postings?|listings?|ads?|adverts?)\b",
    r"\bhelp me (get|land|find|secure) (a |an |the )?(job|role|position|foot in the door|interview)\b",
    r"\b(get|land|secure) (a|an) (job|role|position|interview) (at|with|on)\b",
    r"\bget my foot in the door\b",
)
_SPECIFIC = rx(
    r"[“\"][^”\"\n]{6,}[”\"]",
    r"\byou (said|mentioned|suggested|told me|explained|pointed out|described|recommended|showed|"
    r"shared|walked me through|talked about|made|gave me|offered|asked|drew)\b",
    r"\b(your|the) (advice|point|suggestion|idea|tips?|comment|story|example|description|explanation|"
    r"take|insight|recommendation|warning|line|question|framing|distinction|reminder) (about|on|to|"
    r"that|of|regarding|for)\b",
    r"\bwhen you (said|mentioned|told|explained|described|talked|showed)\b",
    r"\b(especially|particularly|in particular|most of all|stuck with me|struck me|stayed with me|"
    r"hit home|eye-opening|i keep thinking|i['’]ve been thinking)\b",
    r"\b(I['’]ve|I have|I['’]ll|I will|I['’]m going to|I already)\s+(already |just )?(read|ordered|started|"
    r"signed up|joined|looked|reached|written|rewritten|followed|taken|begun|updated|tried|downloaded|"
    r"bought|booked|e-?mailed|cut|sent|put|changed)\b",
)

# --- the check ---------------------------------------------------------------------------------


def lint_letter(
    text: str,
    *,
    kind: str | None = None,
    meeting_date: dt.date | None = None,
    sent: dt.date | None = None,
    referrer: str | None = None,
) -> LintResult:
    """Check ``text`` against the etiquette for its ``kind`` (detected when not given).

    ``meeting_date`` and ``sent`` (else the letter's ``Date:`` line) let a thank-you be checked
    for timeliness; ``referrer`` is a name an approach should mention."""
    letter = read_letter(text)
    kind = kind or detect_kind(text)
    if kind not in _CHECKS:
        raise ValueError(f"unknown kind of letter {kind!r}")
    body = letter.text
    words = sum(len(WORD.findall(letter.lines[n - 1])) for n in letter.body)
    findings: list[LintFinding] = []

    def add(line: int, rule: str, message: str) -> None:
        findings.append(LintFinding(line, rule, message))

    checks = _CHECKS[kind]
    ask_line = letter.opening
    for m in _ASK.finditer(body):
        ask_line = letter.line_at(m.start())
        break

    if "how-you-got-their-name" in checks:
        named = True
        if referrer:
            parts = [p for p in re.split(r"\s+", referrer.strip()) if len(p) > 1]
            named = any(
                re.search(rf"(?<!\w){re.escape(p)}(?!\w)", body, re.IGNORECASE) for p in parts
            )
            if not named:
                add(
                    letter.opening,
                    "how-you-got-their-name",
                    f"does not mention {referrer}, who gave you the name: say so in the first line",
                )
        if named and _HOW.search(body) is None:
            add(
                letter.opening,
                "how-you-got-their-name",
                "does not say how you got their name: open with who referred you, or where you came"
                " across them",
            )

    if "time-ask" in checks:
        durations = [(m, minutes(m)) for m in DURATION.finditer(body)]
        if not durations:
            vague = _VAGUE.search(body)
            line = letter.line_at(vague.start()) if vague else ask_line
            add(
                line,
                "time-ask",
                "does not ask for a set amount of time: ask for 20–30 minutes (10–15 by phone)",
            )
        for m, values in durations:
            longest = max(values or [0])
            sentence = sentence_of(body, m.start())
            phone_only = _PHONE.search(sentence) and not _IN_PERSON.search(sentence)
            if longest > 30:
                add(
                    letter.line_at(m.start()),
                    "time-ask",
                    f"asks for {m[0].strip()}: ask for 20–30 minutes (10–15 by phone); a short ask"
                    " gets a yes",
                )
            elif phone_only and longest > 15:
                add(
                    letter.line_at(m.start()),
                    "time-ask",
                    f"asks for {m[0].strip()} by phone: keep a phone call to 10–15 minutes",
                )

    if "advice-not-job" in checks:
        advice = _ADVICE.search(body)
        disclaimer = _NOT_JOB.search(body)
        if advice is None and disclaimer is None:
            add(
                ask_line,
                "advice-not-job",
                "does not say what you are asking for: their advice, not a job — say both",
            )
        elif disclaimer is None:
            add(
                ask_line,
                "advice-not-job",
                "does not say that you are not asking for a job: say so"
                " plainly, it is what makes a busy person say yes",
            )
        elif advice is None:
            add(ask_line, "advice-not-job", "does not say that it is their advice you are after")

    if "meeting-mode" in checks and _MODE.search(body) is None:
        add(
            ask_line,
            "meeting-mode",
            "does not offer a way to meet: in person, by phone or by video, whichever suits them",
        )

    if "you-follow-up" in checks and _FOLLOW.search(body) is None:
        waiting = _WAITING.search(body)
        if waiting:
            add(
                letter.line_at(waiting.start()),
                "you-follow-up",
                f"leaves the next step to them (“{waiting[0].strip()}”): say when you will follow up,"
                " e.g. “I'll call you on Tuesday”",
            )
        else:
            add(
                letter.closing,
                "you-follow-up",
                "does not say that you will follow up: say when, e.g. “I'll call you on Tuesday”",
            )

    if "no-resume" in checks:
        seen: set[int] = set()
        for m in _RESUME.finditer(body):
            line = letter.line_at(m.start())
            if line in seen or negated(body, m.start()):
                continue
            seen.add(line)
            add(
                line,
                "no-resume",
                "attaches or offers a résumé: this is a request for advice, and a"
                " résumé turns it into a job application",
            )

    if "no-job-ask" in checks:
        seen = set()
        for m in _JOB_ASK.finditer(body):
            line = letter.line_at(m.start())
            if line in seen or negated(body, m.start()) or _POSSESSIVE.search(body[: m.start()]):
                continue
            seen.add(line)
            add(
                line,
                "no-job-ask",
                f"asks about a job (“{m[0].strip()}”): ask for advice and"
                " information only — the jobs come from the referrals",
            )

    if "too-long" in checks:
        limit = WORD_LIMITS[kind]
        if words > limit:
            count = 0
            line = letter.body[-1] if letter.body else 1
            for n in letter.body:
                count += len(WORD.findall(letter.lines[n - 1]))
                if count > limit:
                    line = n
                    break
            add(
                line,
                "too-long",
                f"is {words} words long: keep a{'n' if kind[0] in 'aeiou' else ''}"
                f" {kind.replace('_', '-')} letter under {limit}; they are busy",
            )

    if "thank-you-late" in checks:
        when = sent
        if when is None and letter.date_line is not None:
            when = parse_date(letter.date_line[1])
        if meeting_date is not None and when is not None:
            days = (when - meeting_date).days
            if days > THANK_YOU_DAYS:
                line = letter.date_line[0] if letter.date_line else letter.opening
                add(
                    line,
                    "thank-you-late",
                    f"sent {days} days after the meeting on {meeting_date.isoformat()}: a thank-you"
                    f" goes out within a day or two ({THANK_YOU_DAYS} at most)",
                )

    if "thank-you-specific" in checks and _SPECIFIC.search(body) is None:
        add(
            letter.opening,
            "thank-you-specific",
            "thanks them without naming anything specific from"
            " the meeting: say one thing they told you and what"
            " you will do with it",
        )

    findings.sort(key=lambda f: (f.line, list(RULES).index(f.rule)))
    return LintResult(kind, words, tuple(findings))
