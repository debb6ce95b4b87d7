#!/usr/bin/env python3
"""Generate a realistic synthetic coffeechat vault, the same bytes every time.

Usage::

    python bench/make_vault.py OUT_DIR --contacts N [--seed S] [--today YYYY-MM-DD]
                               [--clean] [--manifest FILE] [--quiet]

or, in-process (the benchmark does this)::

    from make_vault import make_vault
    manifest = make_vault(Path("/tmp/vault"), 30_000, seed=1, today=date(2026, 6, 1))

For N contacts the vault holds about 4.1 * N notes in the folders of the vault format:

* ``companies/`` -- N/10 notes (``type: company``: name, aliases, website, industry,
  tags, sometimes research; a body listing the people who work there);
* ``contacts/`` -- N notes, 8% of them in sub-folders (``contacts/alumni/``, ...)
  (``type: contact``: name, aliases, company link, role, email, phone, linkedin, field,
  tags, referred_by for about 40%, how_met, cadence, status for about 8%, follow_up for
  5%, added), with a ``## Log`` of dated touches (``- 2026-03-02 approach: ...``);
* ``meetings/`` -- 3 * N notes (``type: meeting``: date, 30% with a time, a ``with`` list
  of links, kind, duration, location, status, referrals for about a third of the held
  meetings, thank_you for about 70%, follow_up for 15%, and ``outcome``, a key
  coffeechat does not know), about 7% of them scheduled in the 45 days after --today;

beside ``coffeechat.toml``, ``.gitignore``, ``.obsidian/``, ``templates/`` (with
``{{title}}`` placeholders), ``.trash/``, ``attachments/`` and a ``Dashboard.md`` without
front matter, none of which may be indexed as a note.  Bodies run from 200 B to 4 KB
(median about 0.9 KB): goals, questions about the job and about the industry, notes,
referrals, next steps with Obsidian Tasks (``📅 2026-07-01``) and Dataview
(``[due:: 2026-07-01]``) due dates, and wiki-links in every form Obsidian resolves (by
name, ``[[Name|Shown]]``, by path, in another case, by a full-name alias), a few of them
to people or companies without a note.  Names come from many languages and scripts;
2% of the non-ASCII contact file names are stored decomposed (NFD), as macOS does.
About 5.3 MB of notes per 1,000 contacts.

Unless --clean is given, a fixed share of the notes is messy the way real vaults are
(per note): invalid_yaml 0.5%, impossible_date 0.05%, unquoted_link 0.3%,
no_front_matter 1%, unclosed_front_matter 0.1%, front_matter_not_first 0.1%,
conflict_markers_in_body 0.1%, not_utf8 0.05% (Windows-1252), crlf 2%, bom 0.3%;
odd_date for 1% of the date values (``2026-3-4``, ``"March 4, 2026"``, ``4 March 2026``,
``3/4/2026``, ``4/3/2026``, ``04.03.2026``); nfd_file_name for 2% of the non-ASCII contact
names; duplicate_person for 0.3% of the contacts (a second note with the same e-mail and
LinkedIn URL; the manifest names the one ``check`` reports, the later path).  Meeting
kinds are written loosely in 2% of the meetings and some properties are left empty.
--manifest FILE writes JSON listing every such file by category (vault-relative, NFC),
so a test can check that ``coffeechat check`` names each one.

The same arguments give the same bytes on any machine, whatever PYTHONHASHSEED is
(string-seeded ``random.Random`` streams, lists rather than hashed-set iteration); a
different --contacts gives a different vault, not a superset.  OUT_DIR must not exist
or be empty: nothing is ever overwritten or deleted (exit status 2 otherwise).  Run
coffeechat with the same --today to get the same follow-ups everywhere.

Standard library only; Python 3.11 or newer.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import struct
import sys
import time
import unicodedata
import zlib
from bisect import bisect_left
from datetime import date, timedelta
from pathlib import Path
from random import Random

__all__ = ["CATEGORIES", "DEFAULT_TODAY", "generate", "main", "make_vault"]

DEFAULT_TODAY = date(2026, 6, 1)

# Share of notes per messy category; one draw per note decides among these, in order.
NOTE_MESS: tuple[tuple[str, float], ...] = (
    ("invalid_yaml", 0.005),
    ("impossible_date", 0.0005),
    ("unquoted_link", 0.003),
    ("no_front_matter", 0.01),
    ("unclosed_front_matter", 0.001),
    ("front_matter_not_first", 0.001),
    ("conflict_markers_in_body", 0.001),
    ("not_utf8", 0.0005),
)
CRLF_SHARE, BOM_SHARE, ODD_DATE_SHARE, NFD_SHARE = 0.02, 0.003, 0.01, 0.02
DUPLICATE_SHARE, ODD_KIND_SHARE = 0.003, 0.02
CATEGORIES = tuple(sorted([c for c, _ in NOTE_MESS]
                          + ["crlf", "bom", "odd_date", "nfd_file_name", "duplicate_person"]))

# ----------------------------------------------------------------------------------------
# Word data (invented for this script; people and firms are fictional, domains .example)
# ----------------------------------------------------------------------------------------

GIVEN = [
    "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Ivy", "Arthur",
    "Freya", "Oscar", "Florence", "Archie", "Willow", "Theo", "Evie", "Finley", "Poppy", "Henry",
    "Daisy", "Jack", "Rosie", "Alfie", "Millie", "Charlie", "Phoebe", "Freddie", "Matilda",
    "Edward", "Imogen", "Harvey", "Eleanor", "Toby", "Lucy", "Rory", "Harriet", "Felix", "Esme",
    "Hugo", "Beatrice", "Stanley", "Clara", "Albert", "Nora", "Reggie", "Ruby", "Ezra", "Hazel",
    "Miles", "Violet", "Caleb", "Stella", "Owen", "Aurora", "Wyatt", "Paisley", "Hudson",
    "Penelope", "Asher", "Naomi", "Silas", "Eliza", "Jasper", "Iris", "Milo", "Jade", "Rowan",
    "Sadie", "Grant", "Tessa", "Dean", "Brooke", "Troy", "Megan", "Colin", "Wendy", "Russell",
    "Gwen", "Curtis", "Joy", "Dale", "Faith", "Neil", "Holly", "Glenn", "Dawn", "Gordon", "Lorna",
    "Barry", "Shirley", "Craig", "Tracy", "Derek", "Vicky", "Howard", "Bonnie", "Marcus", "Yvonne",
    "Lewis", "Carla", "Martin", "Erin", "Victor", "Paula", "Louis", "Jenna", "Simon", "Maxine",
    "Ian", "Kara", "Adrian", "Tara", "Luke", "Ellen", "Ross", "Monica", "Shane", "Heidi", "Philip",
    "Gail", "Roland", "Irene", "Warren", "Sylvia", "Nathaniel", "Abby", "Zachary", "Jocelyn",
    "Elliot", "Kendra", "Spencer", "Lydia", "Bridget", "Cameron", "Danny", "Delia", "Emmett",
    "Fiona", "Garrett", "Hollis", "Ingrid", "Joel", "Kirsten", "Lionel", "Marion", "Nolan", "Opal",
    "Preston", "Quentin", "Rhoda", "Seth", "Trudy", "Ulysses", "Vera", "Wallace", "Aarav", "Diya",
    "Rohan", "Kavya", "Ishaan", "Meera", "Nikhil", "Pooja", "Aditya", "Sneha", "Karthik", "Lakshmi",
    "Varun", "Shreya", "Siddharth", "Nandini", "Jian", "Xiu", "Lei", "Ying", "Qiang", "Fang",
    "Daiki", "Hana", "Ren", "Emi", "Sora", "Yuna", "Jisoo", "Taeyang", "Eunji", "Donghyun", "Anh",
    "Bao", "Quang", "Thu", "Arif", "Siti", "Rizal", "Putri", "Chiamaka", "Emeka", "Adaeze", "Kofi",
    "Akosua", "Yaw", "Thandiwe", "Sipho", "Zanele", "Amina", "Baraka", "Wanjiru", "Kagiso", "Karim",
    "Leila", "Samir", "Nadia", "Tariq", "Yasmin", "Rami", "Dalia", "Khalid", "Noor", "Eoin", "Orla",
    "Padraig", "Grainne", "Fionn", "Caoimhe", "Ruairi", "Eilidh", "Erik", "Maja", "Anders", "Liv",
    "Henrik", "Saga", "Magnus", "Elin", "Jonas", "Tove", "Pavel", "Irina", "Andrei", "Svetlana",
    "Mikhail", "Tatiana", "Boris", "Ludmila", "Rafael", "Ana", "Fernando", "Isabel", "Gabriela",
    "Andrés", "Lorenzo", "Alessia", "Tommaso", "Beatriz", "João", "Conceição", "Étienne", "Margaux",
    "Benoît", "Céline", "Grégoire", "Maëlle", "Jérôme", "Mélanie", "Jörg", "Käthe", "Uwe", "Birgit",
    "Günter", "Anke", "Paweł", "Zofia", "Grzegorz", "Agnieszka", "Wojciech", "Jiří", "Tereza",
    "Emre", "Elif", "Burak", "Zeynep", "Çağrı", "Gülşen", "Ágnes", "Bence", "Þóra", "Guðrún",
    "Renata", "Marisol", "Ximena", "Mateus", "Bruna", "Nuno", "Inês", "Leandro", "Valeria",
    "Esteban", "Gustavo", "Paloma", "Ignacio", "Rocío", "Hernán", "Dolores",
]

SURNAMES = [
    "Abbott", "Ashford", "Barker", "Bishop", "Blake", "Booth", "Bradshaw", "Brennan", "Carr",
    "Chandler", "Chapman", "Clarke", "Cobb", "Conway", "Dawson", "Dunn", "Elliott", "Fleming",
    "Fletcher", "Fox", "Franklin", "Fuller", "Garner", "Gibbs", "Goodwin", "Griffith", "Hale",
    "Hammond", "Hardy", "Harper", "Hart", "Hawkins", "Hayward", "Hodges", "Holt", "Hopkins",
    "Horton", "Ingram", "Jennings", "Keller", "Kemp", "Knight", "Lamb", "Lambert", "Lane", "Lawson",
    "Lloyd", "Lowe", "Lucas", "Mann", "Marsh", "Maxwell", "Mills", "Moss", "Newman", "Norris",
    "Norton", "Osborne", "Page", "Parsons", "Payne", "Pearce", "Pearson", "Potter", "Quinn",
    "Rhodes", "Riley", "Rowe", "Sharp", "Shepherd", "Slater", "Sutton", "Swift", "Thornton", "Todd",
    "Vaughn", "Wade", "Walsh", "Warner", "Watts", "Webster", "Wheeler", "Whitaker", "Wolfe", "York",
    "Bradley", "Chambers", "Fowler", "Nash", "Pratt", "Reeves", "Stone", "Summers", "Tate",
    "Barton", "Benson", "Carver", "Dalton", "Emerson", "Farley", "Gallo", "Hendricks", "Irwin",
    "Jarvis", "Kirby", "Langley", "Mercer", "Nolan", "Oakley", "Pritchard", "Ramsey", "Sawyer",
    "Talbot", "Underwood", "Vance", "Whitfield", "Yates", "Ziegler", "Acosta", "Aguirre", "Benítez",
    "Cabrera", "Calderón", "Cortés", "Delgado", "Domínguez", "Espinoza", "Fuentes", "Guerrero",
    "Ibarra", "Lozano", "Maldonado", "Navarro", "Ochoa", "Pacheco", "Quiroga", "Salazar", "Serrano",
    "Valencia", "Vega", "Zamora", "Cardoso", "Pereira", "Teixeira", "Moura", "Carvalho", "Ribeiro",
    "Chan", "Cheng", "Deng", "Feng", "Jiang", "Liang", "Pan", "Peng", "Shen", "Song", "Tang", "Wei",
    "Xie", "Yu", "Zeng", "Ho", "Lau", "Leung", "Agarwal", "Bhatt", "Chopra", "Dutta", "Ghosh",
    "Joshi", "Kapoor", "Krishnan", "Malhotra", "Mukherjee", "Pillai", "Saxena", "Venkatesh", "Bose",
    "Naidu", "Kulkarni", "Fujita", "Hayashi", "Inoue", "Kimura", "Matsumoto", "Mori", "Ogawa",
    "Saito", "Shimizu", "Yoshida", "Han", "Lim", "Seo", "Yoon", "Ahn", "Dương", "Lý", "Trịnh",
    "Huỳnh", "Phan", "Adebayo", "Afolabi", "Asante", "Banda", "Chukwu", "Dlamini", "Kamau",
    "Mwangi", "Ndlovu", "Obi", "Owusu", "Oyelaran", "Achebe", "Okoro", "Mutua", "O'Donnell",
    "O'Keefe", "O'Hara", "McGrath", "McLaughlin", "Gilmore", "Mahoney", "Böhm", "Fuchs", "Hofmann",
    "Jäger", "Köhler", "Lange", "Lehmann", "Neumann", "Schröder", "Schulz", "Vogel", "Zimmermann",
    "Weiß", "Groß", "Berg", "Dahl", "Holm", "Lindqvist", "Lund", "Nyström", "Åberg", "Strøm",
    "Hägglund", "Ødegaard", "Dąbrowski", "Jankowski", "Kozłowski", "Mazur", "Szymański", "Dvořák",
    "Novotný", "Procházka", "Beaumont", "Chevalier", "Fontaine", "Gauthier", "Lemaire", "Mercier",
    "Roux", "Lefebvre", "Brunet", "Faure", "Hébert", "Lévesque", "Barbieri", "Conti", "Fabbri",
    "Galli", "Greco", "Lombardi", "Mancini", "Marino", "Rinaldi", "Vitale", "Aydın", "Doğan",
    "Güneş", "Koç", "Özdemir", "Polat", "Morozov", "Orlov", "Pavlov", "Sokolov", "Fedorov",
    "Haddad", "Khoury", "Nasser", "Saleh", "Mansour", "Farouk",
    # family names of more than one word
    "van den Broek", "de Wit", "ter Horst", "Da Silva", "dos Santos", "Al-Amin", "Lloyd-Davies",
    "St. Clair", "Le Roux", "Mac Lochlainn", "Ní Dhomhnaill", "Ortiz-Reyes", "von Arnim",
]

# Names in other scripts, with the romanised e-mail local part people actually use.
SCRIPT_PEOPLE = [
    ("郑浩", "zheng.hao"), ("谢芳", "xie.fang"), ("宋佳", "song.jia"), ("韩雪", "han.xue"),
    ("冯磊", "feng.lei"), ("唐静", "tang.jing"), ("许晨", "xu.chen"), ("邓超", "deng.chao"),
    ("曹阳", "cao.yang"), ("彭丽", "peng.li"), ("陈晓明", "chen.xiaoming"),
    ("林美玲", "lin.meiling"),
    ("黄志强", "huang.zhiqiang"), ("山田 太郎", "yamada.taro"), ("中村 美咲", "nakamura.misaki"),
    ("小林 翔", "kobayashi.sho"), ("伊藤 由紀", "ito.yuki"), ("최수진", "choi.sujin"),
    ("정민호", "jung.minho"), ("윤서준", "yoon.seojun"), ("강하은", "kang.haeun"),
    ("أحمد منصور", "ahmed.mansour"), ("ليلى خوري", "layla.khoury"), ("يوسف حداد", "yousef.haddad"),
    ("נועה לוי", "noa.levi"), ("Ольга Морозова", "olga.morozova"),
    ("Игорь Соколов", "igor.sokolov"),
    ("Νίκος Παπαδόπουλος", "nikos.papadopoulos"), ("สมชาย ใจดี", "somchai.jaidee"),
    ("प्रिया शर्मा", "priya.sharma"),
]

CREDENTIALS = ["PhD", "MBA", "CFA", "PMP", "Jr.", "MD", "Esq.", "II"]

FIRM_HEAD = [
    "Amber", "Arc", "Azure", "Basalt", "Bay", "Bluebird", "Boreal", "Brook", "Canopy", "Canyon",
    "Cardinal", "Cinder", "Clover", "Coral", "Crest", "Dune", "Echo", "Ember", "Fern", "Fjord",
    "Flint", "Glacier", "Grove", "Halcyon", "Hearth", "Helix", "Indigo", "Jasper", "Kelp",
    "Kestrel", "Lantern", "Larch", "Ledger", "Lighthouse", "Lodestar", "Magnolia", "Marble",
    "Meadow", "Mosaic", "Northstar", "Onyx", "Opal", "Orchard", "Pebble", "Pepper", "Quarry",
    "Quill", "Raven", "Ridge", "Saffron", "Sage", "Shoreline", "Slate", "Sorrel", "Spruce",
    "Tandem", "Thistle", "Timber", "Topaz", "Trellis", "Tundra", "Umber", "Valley", "Verdant",
    "Wander", "Wren", "Yarrow", "Zephyr",
]
FIRM_TAIL = [
    "Analytics", "Bank", "Bio", "Biosciences", "Capital", "Care", "Cloud", "Collective", "Commerce",
    "Compute", "Data", "Devices", "Dynamics", "Education", "Energy", "Freight", "Games", "Genomics",
    "Grid", "Health", "Insights", "Interactive", "Labs", "Learning", "Logistics", "Maps", "Markets",
    "Media", "Mobility", "Networks", "Pay", "Power", "Press", "Robotics", "Security", "Software",
    "Studio", "Systems", "Therapeutics", "Ventures", "Works",
]
FIRM_LEGAL = ["", "", "", "", " Inc.", " Corp.", " LLC", " Ltd", " & Co", " AG", " SA", " BV"]
FIRM_SPECIAL = [
    "Brandt, Hollis & Partners", "Café Lumière Roasters", "Bäckerei Vogel KG",
    "Ålesund Marine Data AS", "上海云图科技", "Éditions Papillon", "O'Malley & Sons",
    "R&D Collective West", "Genève Risk Advisors", "Málaga Fintech Hub", "Wrocław Game Works",
    "Kōbe Robotics", "Office of Digital Services", "Town of Maplewood",
    "Founders Guild Alumni Network", "東京データラボ",
]
LEGAL_WORDS = {"Inc.", "Corp.", "LLC", "Ltd", "AG", "SA", "BV", "KG", "AS", "&", "Co"}

INDUSTRIES = [
    "payments", "digital health", "online learning", "clean energy", "supply chain",
    "e-commerce", "publishing", "video games", "government", "philanthropy", "life sciences",
    "information security", "management consulting", "developer platforms", "insurtech",
    "advanced manufacturing", "urban mobility", "proptech",
]
FIELD_ROLES: dict[str, list[str]] = {
    "product management": ["Product Manager", "Senior PM", "Lead Product Manager",
                           "Head of Product", "Director of Product"],
    "data analytics": ["Data Analyst", "Senior Data Analyst", "Analytics Lead",
                       "Head of Analytics"],
    "user research": ["User Researcher", "Senior Researcher", "ResearchOps Manager",
                      "Head of Research"],
    "backend engineering": ["Backend Engineer", "Senior Engineer", "Staff Engineer",
                            "Engineering Lead", "VP Engineering"],
    "interaction design": ["Interaction Designer", "Senior Product Designer", "Design Lead",
                           "Design Director"],
    "program management": ["Program Manager", "Senior TPM", "Chief of Staff"],
    "brand marketing": ["Brand Manager", "Marketing Lead", "Content Marketer", "VP Marketing"],
    "solutions engineering": ["Solutions Engineer", "Solutions Architect", "Pre-sales Lead"],
    "customer success": ["Customer Success Lead", "Account Manager", "Head of Support"],
    "developer advocacy": ["Developer Advocate", "Community Manager", "DevRel Lead"],
    "public policy": ["Policy Advisor", "Senior Policy Analyst", "Director, Public Affairs"],
    "business operations": ["Operations Lead", "BizOps Manager", "Head of Operations"],
    "corporate finance": ["Finance Analyst", "FP&A Lead", "Finance Director", "CFO"],
    "talent acquisition": ["Recruiter", "Senior Recruiter", "Talent Partner", "Head of Talent"],
    "technical writing": ["Technical Writer", "Docs Lead"],
    "machine learning": ["ML Engineer", "Applied Scientist", "Research Engineer", "ML Manager"],
    "information security": ["Security Analyst", "Security Engineer", "Head of Security"],
}
FIELDS = list(FIELD_ROLES)
PERSON_TAGS = ["contact", "alum", "intro", "conf", "coding-school", "recruiting", "manager",
               "mentor", "meetup", "ex-colleague", "cold-outreach", "referred", "top",
               "remote", "boston", "seattle", "dublin", "munich", "vancouver"]
COMPANY_TAGS = ["target", "hiring", "shortlist", "mission-driven", "remote-ok", "scaleup"]
GATHERINGS = ["Data Council", "Product Camp", "Design Week Drinks", "Open Source Summit",
              "Hack Night", "Alumni Breakfast", "Policy Forum", "Growth Meetup",
              "Security BSides", "Women Who Code", "Founders Dinner"]
CAFES = ["Corner Roasters", "the library café", "Bean There, 5th Ave", "Verve, Pearl St",
         "Kaffeehaus Mitte", "Flat White Co.", "Tea & Toast", "the lobby coffee bar",
         "Grind on Elm St", "Café Olé", "Cup of Joy", "Press House"]
HOW_MET = ["introduced by {ref}", "alumni network", "cold LinkedIn note", "met at {event}",
           "worked together before", "{ref} suggested I reach out", "community Slack",
           "job fair booth", "meetup Q&A", "read their blog post"]
CADENCES = ["90d", "180d", "365d", "6w", "6m", "1y", "30d", "120d"]
CADENCE_WEIGHTS = [25, 25, 25, 5, 8, 8, 2, 2]
KINDS = ["informational", "coffee", "call", "video", "event"]
KIND_WEIGHTS = [30, 25, 20, 20, 5]
TITLE_FOR = {"informational": "Informational interview with", "coffee": "Coffee with",
             "call": "Call with", "video": "Video call with"}
LOOSE_KINDS = ["lunch", "zoom", "Informational Interview", "Coffee", "phone call", "teams"]
OUTCOMES = ["very helpful", "named three people", "not hiring now", "will review my CV",
            "encouraged me to apply", "moved to next month", "check back in autumn",
            "made an email intro"]
TOUCH_TEXT: dict[str, list[str]] = {
    "approach": ["wrote to them, said {ref} suggested it", "LinkedIn note asking for 20 minutes",
                 "sent the approach email, promised to follow up",
                 "emailed through the alumni site"],
    "follow_up": ["short nudge by email", "second, polite follow-up", "friendly check-in"],
    "voicemail": ["left a message, will call back Thursday", "voicemail with my number"],
    "call": ["called to confirm the time", "rang back as promised"],
    "email": ["sent the link we discussed", "shared my case study deck"],
    "reply": ["glad to help, proposed Thursday", "swamped until the 15th, ping later",
              "yes to a 25-minute video call"],
    "thank_you": ["sent a thank-you email", "posted a thank-you card", "thanked them on LinkedIn"],
    "update": ["progress update: final round next week", "sent a season's greetings card",
               "forwarded an article they'd like"],
    "report_back": ["told them how it went with {other}", "reported back after the intro"],
    "note": ["watched their conference talk", "they moved to a new team",
             "saw their company raised"],
    "declined": ["no bandwidth this quarter"],
}
JOB_Q = [
    "What does a normal working day actually look like for you?",
    "Which skills did you have to pick up only after you started?",
    "How did you end up working in {field} in the first place?",
    "What surprised you most in your first months at {company}?",
    "What is the hardest problem your team has right now?",
    "How do you know when you have done a genuinely good job?",
    "What kind of person does well on your team, and why?",
    "Which parts of your work give you energy, and which drain it?",
    "How is your week split between meetings and focused work?",
    "What would you want from someone switching into {field}?",
]
INDUSTRY_Q = [
    "How will {industry} change over the next few years?",
    "Which teams in {industry} are doing the best work?",
    "Which communities or newsletters are worth following closely?",
    "How does hiring in {industry} look this year?",
    "What worries you about where {industry} is going?",
    "Who else do you think I should speak with?",
    "Is there a side door into {industry} that outsiders miss?",
]
SENTENCES = [
    "{first} worked in {industry} for years before moving to {company}.",
    "The team is about {n} people and they release something every week.",
    "Suggested reading the {company} blog, the onboarding series in particular.",
    "Thinks a portfolio of real work beats any certificate for {field} jobs.",
    "Budgets reset in January, so hiring tends to restart in spring.",
    "Their manager also changed careers, so they are open to newcomers.",
    "Was honest that the support rotation is tiring at the moment.",
    "Recommended helping run a local meetup to meet more {field} people.",
    "{company} is hybrid: two office days a week, the rest remote.",
    "Asked me for a short written pitch they can forward internally.",
    "Kept to exactly 25 minutes and wrapped up on time; do the same.",
    "Spent ten minutes on how they measure success; good question to reuse.",
    "No opening for me, but a great guide to the {industry} landscape.",
    "Offered two introductions on the {field} side of the company.",
    "Reminder to self: ask for names earlier, not in the last minute.",
    "Résumé tip: start every bullet with the result, drop the summary.",
    "The place was noisy; propose a phone call next time instead.",
    "Mid-level {field} pay there is roughly {n}k a year, they said.",
    "A conference in October came up twice → I should go this year.",
    "To do: send the piece on {industry} rules we talked about.",
]
PITCHES = [
    "After {n} years running a classroom I'm moving into {field}; I want advice, not a job.",
    "I'm coming from {industry} and would value 20–30 minutes of your view on {field}.",
]
CHORES = ["send the article", "share my case study", "ask about the meetup",
          "mail a thank-you card",
          "check in after the conference", "connect on LinkedIn", "send a holiday card",
          "read their latest post", "follow up on the intro"]
REFERRAL_NOTES = ["mention my name", "leads the analytics group", "my old manager",
                  "organises the meetup"]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
IMPOSSIBLE_DATES = ["2026-02-30", "2025-02-29", "2026-04-31", "2025-13-05", "2026-00-12",
                    "2026-06-31", "2025-09-31"]

# ----------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------

_FORBIDDEN_IN_FILE_NAME = str.maketrans(dict.fromkeys('/\\:*?"<>|#^[]', "-"))
_PLAIN_START_BAD = set("-?:,[]{}#&*!|>'\"%@` +.0123456789(")
_PLAIN_BAD = set(":#[]{},\"\\\t\n")
_YAML_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def safe_name(text: str) -> str:
    """A file-name component: drop the characters Obsidian refuses in names."""
    return text.translate(_FORBIDDEN_IN_FILE_NAME)


def scalar(text: str) -> str:
    """A YAML scalar as a person (or Obsidian) writes it: plain unless that misreads."""
    if (text and text[0] not in _PLAIN_START_BAD and text[-1] != " "
            and text.lower() not in _YAML_RESERVED and not (_PLAIN_BAD & set(text))):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ascii_slug(text: str, sep: str = ".") -> str:
    """José Núñez -> jose.nunez (for e-mail addresses, URLs)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        elif ch in " -'." and out and out[-1] != sep:
            out.append(sep)
    return "".join(out).strip(sep) or "someone"


def _firm_base(name: str) -> str:
    words = [w.rstrip(",") for w in name.split()]
    while len(words) > 1 and words[-1] in LEGAL_WORDS:
        words.pop()
    return " ".join(words)


def _tiny_png() -> bytes:
    """A valid 2x2 PNG, made here rather than stored as a blob."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    raw = b"\x00\xff\xcc\x00\x33\x66\x99" + b"\x00\x33\x66\x99\xff\xcc\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


# ----------------------------------------------------------------------------------------
# The model: who exists, who met whom and when (built first, written afterwards)
# ----------------------------------------------------------------------------------------

class Firm:
    __slots__ = ("aliases", "domain", "industry", "name", "real", "site", "staff", "stem", "tags")

    def __init__(self, name: str, industry: str, real: bool = True) -> None:
        self.name = name
        self.stem = safe_name(name)
        self.aliases: list[str] = []
        self.industry = industry
        base = _firm_base(name)
        self.domain = ascii_slug(base, "-") + ".example.com"
        self.site = f"https://{self.domain}" if real else ""
        self.tags: list[str] = []
        self.staff: list[Person] = []
        self.real = real


class Person:
    __slots__ = (
        "added",
        "aliases",
        "cadence",
        "field",
        "firm",
        "folder",
        "follow_up",
        "given",
        "how_met",
        "idx",
        "introduced",
        "linkedin",
        "mail",
        "meets",
        "name",
        "phone",
        "protected",
        "referrer",
        "role",
        "shown",
        "status",
        "stem",
        "tags",
        "twin_of",
    )
    name: str
    stem: str
    shown: str
    given: str
    mail: str
    firm: Firm
    role: str
    field: str
    tags: list[str]
    how_met: str
    cadence: str
    added: date
    phone: str
    linkedin: str
    folder: str

    def __init__(self, idx: int) -> None:
        self.idx = idx
        self.aliases: list[str] = []
        self.referrer: Person | None = None
        self.introduced: list[Person] = []
        self.status = ""
        self.follow_up: date | None = None
        self.meets: list[Meet] = []
        self.twin_of: Person | None = None
        self.protected = False


class Meet:
    __slots__ = (
        "clock",
        "day",
        "follow_up",
        "kind",
        "minutes",
        "outcome",
        "people",
        "place",
        "referrals",
        "status",
        "stem",
        "thanked",
    )
    day: date
    clock: str | None
    people: list[Person]
    kind: str
    minutes: int
    place: str
    status: str
    referrals: list[str]
    thanked: date | None
    follow_up: date | None
    outcome: str
    stem: str


class World:
    """Every fact of the vault, drawn from one seeded stream."""

    def __init__(self, n: int, seed: int, today: date, clean: bool) -> None:
        self.n = n
        self.today = today
        self.clean = clean
        self.rng = Random(f"coffeechat/make_vault/world/{seed}/{n}")
        self.firms: list[Firm] = []
        self.ghost_firms: list[Firm] = []
        self.people: list[Person] = []
        self.meets: list[Meet] = []
        self.absent: list[str] = []
        self._firms()
        self._people()
        self._meets()

    def past_day(self) -> date:
        """A day in the last three years, more likely recent (triangular density)."""
        return self.today - timedelta(days=int((1.0 - self.rng.random() ** 0.5) * 1095))

    # -- companies -----------------------------------------------------------------------
    def _firms(self) -> None:
        rng = self.rng
        count = max(1, round(self.n / 10))
        names_lower: set[str] = set()
        specials = list(FIRM_SPECIAL)
        rng.shuffle(specials)
        for i in range(count):
            if specials and i % 89 == 7:
                name = specials.pop()
            else:
                for _ in range(40):
                    name = (f"{rng.choice(FIRM_HEAD)} {rng.choice(FIRM_TAIL)}"
                            f"{rng.choice(FIRM_LEGAL)}")
                    if name.lower() not in names_lower:
                        break
                else:
                    name = f"{rng.choice(FIRM_HEAD)} {rng.choice(FIRM_TAIL)} {i + 1}"
            if name.lower() in names_lower:
                name = f"{name} {i + 1}"
            names_lower.add(name.lower())
            firm = Firm(name, rng.choice(INDUSTRIES))
            head = name.split()[0].rstrip(",")
            if head != name and head.lower() not in names_lower and rng.random() < 0.35:
                firm.aliases.append(head)
            firm.tags = ["company", *rng.sample(COMPANY_TAGS, rng.randrange(3))]
            self.firms.append(firm)
        # Employers people mention that never got a note of their own.
        for _ in range(max(1, count // 30)):
            name = f"{rng.choice(FIRM_HEAD)} {rng.choice(FIRM_TAIL)} Group"
            self.ghost_firms.append(Firm(name, rng.choice(INDUSTRIES), real=False))

    # -- people --------------------------------------------------------------------------
    def _name(self, taken: set[str], firm: Firm) -> tuple[str, str, str, str]:
        """(name, unique file stem, given name, e-mail local part)."""
        rng = self.rng
        latin = rng.random() >= 0.02
        if latin:
            given, family = rng.choice(GIVEN), rng.choice(SURNAMES)
            name = f"{given} {family}"
            local = ascii_slug(name)
        else:
            name, local = rng.choice(SCRIPT_PEOPLE)
            given = name.split()[0]
        if latin and name.lower() in taken:  # a middle initial tells them apart
            first, rest = name.split(" ", 1)
            name = f"{first} {chr(65 + rng.randrange(26))}. {rest}"
        stem = safe_name(name)
        if stem.lower() in taken:
            stem = safe_name(f"{name} ({_firm_base(firm.name).split()[0]})")
        base, k = stem, 2
        while stem.lower() in taken:
            stem = f"{base} {k}"
            k += 1
        taken.add(stem.lower())
        return name, stem, given, local

    def _phone(self) -> str:
        rng = self.rng
        a, b, c = rng.randrange(201, 990), rng.randrange(100, 1000), rng.randrange(10000)
        form = rng.randrange(6)
        if form == 0:
            return f"+1 {a} 555 {c:04d}"
        if form == 1:
            return f"({a}) 555-{c:04d}"
        if form == 2:
            return f"{a}-555-{c:04d}"
        if form == 3:
            return f"+44 161 496 {c % 1000:04d}"
        if form == 4:
            return f"+49 89 {b} {c:04d}"
        return f"+353 1 {b} {c:04d}"

    def _people(self) -> None:
        rng = self.rng
        taken: set[str] = set()
        mails: set[str] = set()
        links: set[str] = set()
        firms = self.firms
        # A few large employers and a long tail (Zipf-like weights).
        cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(firms))))
        total = cum[-1]
        for i in range(self.n):
            p = Person(i)
            if rng.random() < 0.03:
                firm = rng.choice(self.ghost_firms)
            else:
                firm = firms[min(len(firms) - 1, bisect_left(cum, rng.random() * total))]
            p.name, p.stem, p.given, local = self._name(taken, firm)
            p.firm = firm
            p.field = rng.choice(FIELDS)
            p.role = rng.choice(FIELD_ROLES[p.field])
            if " " in p.name and rng.random() < 0.3:
                p.aliases.append(p.given)
            p.shown = p.name
            if rng.random() < 0.02:
                p.shown = f"{p.name}, {rng.choice(CREDENTIALS)}"
                p.aliases.append(p.shown)
            if " " in p.name and rng.random() < 0.05:
                first, rest = p.name.split(" ", 1)
                p.aliases.append(f"{rest}, {first}")
            p.tags = ["contact", *rng.sample(PERSON_TAGS[1:], rng.randrange(4))]
            p.cadence = rng.choices(CADENCES, CADENCE_WEIGHTS)[0]
            r = rng.random()
            p.status = ("dormant" if r < 0.06 else "paused" if r < 0.075
                        else "do_not_contact" if r < 0.082 else "")
            p.added = self.past_day()
            p.phone = self._phone()
            mail = f"{local}@{firm.domain}"
            k = 2
            while mail in mails:
                mail = f"{local}{k}@{firm.domain}"
                k += 1
            mails.add(mail)
            p.mail = mail
            while True:
                url = (f"https://www.linkedin.com/in/{ascii_slug(p.name, '-')}"
                       f"-{rng.getrandbits(28):07x}")
                if url not in links:
                    break
            links.add(url)
            p.linkedin = url
            p.folder = "contacts"
            if rng.random() < 0.08:
                p.folder = rng.choice(["contacts/alumni", "contacts/recruiters",
                                       "contacts/met-2024", "contacts/events/conferences"])
            if i and rng.random() < 0.4:
                lo = max(0, i - 2000) if rng.random() < 0.7 else 0
                ref = self.people[rng.randrange(lo, i)]
                p.referrer = ref
                ref.introduced.append(p)
                if ref.added > p.added:  # the referrer was in the vault first
                    p.added, ref.added = ref.added, p.added
            p.how_met = rng.choice(HOW_MET).format(
                ref=p.referrer.name if p.referrer else "a friend", event=rng.choice(GATHERINGS))
            if rng.random() < 0.05:
                p.follow_up = self.today + timedelta(days=rng.randrange(-60, 60))
            # Now and then the same person twice (an import beside a hand-made note).
            if i > 10 and rng.random() < DUPLICATE_SHARE and not self.clean:
                twin = self.people[rng.randrange(i)]
                if twin.twin_of is None:
                    p.twin_of = twin
                    p.mail, p.linkedin, p.firm = twin.mail, twin.linkedin, twin.firm
                    p.protected = twin.protected = True
            p.firm.staff.append(p)
            self.people.append(p)
        # Names given as referrals who never got a note.
        absent = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
                  for _ in range(max(3, self.n // 50))]
        self.absent = [a for a in absent if safe_name(a).lower() not in taken]

    # -- meetings ------------------------------------------------------------------------
    def _meets(self) -> None:
        rng = self.rng
        people = self.people
        today = self.today
        horizon = today + timedelta(days=45)
        # Heavy-tailed: some people are met a dozen times, most once or never.
        cum = list(itertools.accumulate(min(15.0, rng.paretovariate(1.5)) for _ in people))
        total = cum[-1]
        last = len(people) - 1
        last_met: dict[int, date] = {}
        stems: set[str] = set()
        for _ in range(3 * self.n):
            m = Meet()
            m.kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            prev: date | None = None
            for _try in range(20):
                who = people[min(last, bisect_left(cum, rng.random() * total))]
                prev = last_met.get(who.idx)
                if prev is None:
                    day = who.added + timedelta(days=rng.randrange(3, 40))
                else:
                    day = prev + timedelta(days=rng.randrange(20, 240))
                if day <= today or (day <= horizon and rng.random() < 0.3):
                    break
            else:
                day = who.added + timedelta(days=rng.randrange((today - who.added).days + 1))
            last_met[who.idx] = day if prev is None else max(day, prev)
            m.day = day
            group = [who]
            if m.kind == "event" or rng.random() < 0.03:
                for _ in range(rng.randrange(1, 3)):
                    other = rng.choice(people)
                    if other not in group and other.added <= day:
                        group.append(other)
            m.people = group
            m.clock = None
            if rng.random() < 0.3:
                m.clock = f"{rng.randrange(8, 18):02d}:{rng.choice(('00', '15', '30', '45'))}"
            if m.kind == "call":
                m.minutes = rng.choice((15, 20, 30))
            elif m.kind == "event":
                m.minutes = rng.choice((60, 90, 120))
            else:
                m.minutes = rng.choice((20, 25, 30, 30, 30, 45, 60))
            if m.kind == "coffee":
                m.place = rng.choice(CAFES)
            elif m.kind == "call":
                m.place = "phone"
            elif m.kind == "video":
                m.place = rng.choice(("Zoom", "Google Meet", "Microsoft Teams"))
            elif m.kind == "event":
                m.place = rng.choice(GATHERINGS)
            else:
                m.place = rng.choice([*CAFES, "Zoom", "their office"])
            held = day <= today
            r = rng.random()
            m.status = "cancelled" if held and r < 0.03 else "no_show" if held and r < 0.04 else ""
            m.referrals = []
            if held and not m.status and rng.random() < 0.35:
                pool = who.introduced
                for _ in range(rng.randrange(1, 4)):
                    if pool and rng.random() < 0.6:
                        target = rng.choice(pool).stem
                    elif self.absent and rng.random() < 0.1:
                        target = rng.choice(self.absent)
                    else:
                        target = rng.choice(people).stem
                    if target != who.stem and target not in m.referrals:
                        m.referrals.append(target)
            m.thanked = None
            if held and not m.status and rng.random() < 0.7:
                m.thanked = min(today, day + timedelta(days=rng.choice((0, 1, 1, 1, 2, 3, 5))))
            m.follow_up = None
            if rng.random() < 0.15:
                m.follow_up = day + timedelta(days=rng.randrange(7, 60))
            m.outcome = rng.choice(OUTCOMES) if held and rng.random() < 0.5 else ""
            if m.kind == "event":
                title = f"{m.place} - {who.stem}"
            else:
                title = f"{TITLE_FOR[m.kind]} {who.stem}"
            if rng.random() < 0.1:
                title = who.stem  # "2026-11-20 Jane Doe", as in the specification
            stem = safe_name(f"{day.isoformat()} {title}")
            base, k = stem, 2
            while stem.lower() in stems:
                stem = f"{base} ({k})"
                k += 1
            stems.add(stem.lower())
            m.stem = stem
            for p in group:
                p.meets.append(m)
            self.meets.append(m)
        for p in people:
            p.meets.sort(key=lambda m: m.stem)


# ----------------------------------------------------------------------------------------
# Writing notes
# ----------------------------------------------------------------------------------------

class Writer:
    """Turns the model into file bytes, and breaks a fixed share of them (unless clean)."""

    def __init__(self, world: World, seed: int, clean: bool) -> None:
        self.w = world
        self.today = world.today
        self.clean = clean
        self.rng = Random(f"coffeechat/make_vault/text/{seed}/{world.n}")
        self.manifest: dict[str, list[str]] = {c: [] for c in CATEGORIES}

    # -- links ---------------------------------------------------------------------------
    def link(self, target: str, folder: str, aliases: list[str] | tuple[str, ...] = ()) -> str:
        """A wiki-link, now and then in another form Obsidian (or coffeechat) resolves."""
        r = self.rng.random()
        if r < 0.02:
            return f"[[{target}|{target.split()[0]}]]"
        if r < 0.035:
            return f"[[{folder}/{target}]]"
        if r < 0.05:
            return f"[[{target.lower()}]]"
        if r < 0.07 and aliases:
            return f"[[{self.rng.choice(aliases)}]]"
        return f"[[{target}]]"

    def person_link(self, p: Person) -> str:
        # Only full-name aliases: a bare given name would match half the vault.
        return self.link(p.stem, p.folder, [a for a in p.aliases if " " in a])

    def firm_link(self, f: Firm) -> str:
        return self.link(f.stem, "companies", f.aliases)

    # -- values --------------------------------------------------------------------------
    def day_value(self, d: date, clock: str | None = None,
                  loose_ok: bool = True) -> tuple[str, bool]:
        """(text, written loosely?) for a date property."""
        rng = self.rng
        if loose_ok and not self.clean and rng.random() < ODD_DATE_SHARE:
            return self.loose_day(d), True
        if clock:
            return f"{d.isoformat()}{'T' if rng.random() < 0.8 else ' '}{clock}", False
        return d.isoformat(), False

    def loose_day(self, d: date) -> str:
        """A date as people type it in raw YAML; never the ISO form itself."""
        forms = ["month_day_year", "day_month_year", "us_slashes", "eu_slashes", "dots"]
        if d.month < 10 or d.day < 10:
            forms.append("unpadded")
        form = self.rng.choice(forms)
        if form == "unpadded":
            return f"{d.year}-{d.month}-{d.day}"
        if form == "month_day_year":
            return f'"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"'
        if form == "day_month_year":
            return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"
        if form == "us_slashes":
            return f"{d.month}/{d.day}/{d.year}"
        if form == "eu_slashes":
            return f"{d.day}/{d.month}/{d.year}"
        return f"{d.day:02d}.{d.month:02d}.{d.year}"

    def list_prop(self, key: str, items: list[str], flow_ok: bool = True) -> list[str]:
        rng = self.rng
        if not items:
            return [f"{key}: []"] if rng.random() < 0.3 else []
        if flow_ok and rng.random() < 0.15 and not any("[" in i or "," in i for i in items):
            return [f"{key}: [{', '.join(items)}]"]
        return [f"{key}:"] + [f"  - {scalar(i)}" for i in items]

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        return template.format(n=self.rng.randrange(5, 150), **ctx)

    # -- bodies --------------------------------------------------------------------------
    def target_size(self) -> int:
        """Body bytes: log-normal around 900 B, kept within 200 B .. 4 KiB."""
        return int(min(4096.0, max(200.0, self.rng.lognormvariate(6.8, 0.65))))

    def compose(self, sections: list[tuple[str, list[str]]], ctx: dict[str, str]) -> str:
        """Headed sections up to a drawn size; short notes grow a 'More notes' section;
        long ones are cut at a line end."""
        rng = self.rng
        target = self.target_size()
        parts: list[bytes] = []
        size = 0
        for heading, lines in sections:
            block = (f"\n## {heading}\n" + "".join(line + "\n" for line in lines)).encode()
            parts.append(block)
            size += len(block)
            if size >= target:
                break
        if size < target:
            parts.append(b"\n## More notes\n")
            while size < target:
                para = " ".join(self.fill(rng.choice(SENTENCES), ctx)
                                for _ in range(rng.randrange(2, 5))).encode() + b"\n\n"
                parts.append(para)
                size += len(para)
        raw = b"".join(parts)
        if len(raw) > target:
            cut = raw.rfind(b"\n", 0, target)
            if cut < 200:
                cut = raw.find(b"\n", 200)
            raw = raw[:cut + 1]
        return raw.decode("utf-8")

    def tasks(self) -> list[str]:
        rng = self.rng
        out = []
        for _ in range(rng.randrange(3)):
            due = (self.today + timedelta(days=rng.randrange(-30, 60))).isoformat()
            box = "x" if rng.random() < 0.4 else " "
            if rng.random() < 0.6:
                out.append(f"- [{box}] {rng.choice(CHORES)} 📅 {due}")
            else:
                out.append(f"- [{box}] {rng.choice(CHORES)} [due:: {due}]")
        out.append(f"- [ ] {rng.choice(CHORES)}")
        return out

    # -- companies -----------------------------------------------------------------------
    def company(self, f: Firm) -> tuple[list[str], str, bool]:
        rng = self.rng
        fm = ["type: company", f"name: {scalar(f.name)}"]
        fm += self.list_prop("aliases", f.aliases, flow_ok=False)
        fm += [f"website: {f.site}", f"industry: {scalar(f.industry)}"]
        fm += self.list_prop("tags", f.tags)
        if rng.random() < 0.3:
            fm.append("research: " + scalar(
                f"rated {rng.randrange(28, 48) / 10:.1f}/5 by staff; {rng.choice('ABCDE')} round; "
                f"about {rng.randrange(20, 5000)} employees"))
        ctx = {"first": "The founder", "industry": f.industry, "company": f.name,
               "field": rng.choice(FIELDS)}
        sections = [
            ("Why this company", [self.fill(rng.choice(SENTENCES), ctx) for _ in range(2)]),
            ("People", [f"- {self.person_link(p)} — {p.role}" for p in f.staff[:25]]
             or ["- nobody yet"]),
            ("Research", [f"- {self.fill(rng.choice(SENTENCES), ctx)}"
                          for _ in range(rng.randrange(2, 8))]),
            ("Roles posted", [f"- {rng.choice(FIELD_ROLES[rng.choice(FIELDS)])}"
                              f" ({rng.choice(('remote', 'hybrid', 'on-site'))})"
                              for _ in range(rng.randrange(1, 6))]),
        ]
        return fm, f"# {f.name}\n" + self.compose(sections, ctx), False

    # -- contacts ------------------------------------------------------------------------
    def contact(self, p: Person, loose_ok: bool) -> tuple[list[str], str, bool]:
        rng = self.rng
        loose = False
        fm = ["type: contact", f"name: {scalar(p.shown)}"]
        fm += self.list_prop("aliases", p.aliases, flow_ok=False)
        fm.append(f'company: "{self.firm_link(p.firm)}"')
        fm.append(f"role: {scalar(p.role)}" if rng.random() >= 0.03 else "role:")
        fm.append(f"email: {p.mail}" if rng.random() < 0.9 else "email:")
        if rng.random() < 0.7:
            fm.append(f"phone: {scalar(p.phone)}")
        fm.append(f"linkedin: {p.linkedin}")
        fm.append(f"field: {scalar(p.field)}")
        fm += self.list_prop("tags", p.tags)
        if p.referrer is not None:
            fm.append(f'referred_by: "{self.person_link(p.referrer)}"')
        fm.append(f"how_met: {scalar(p.how_met)}")
        fm.append(f"cadence: {p.cadence}")
        if p.status:
            fm.append(f"status: {p.status}")
        if p.follow_up is not None:
            text, odd = self.day_value(p.follow_up, loose_ok=loose_ok)
            fm.append(f"follow_up: {text}")
            loose |= odd
        text, odd = self.day_value(p.added, loose_ok=loose_ok)
        fm.append(f"added: {text}")
        loose |= odd

        ctx = {"first": p.given, "industry": p.firm.industry, "company": p.firm.name,
               "field": p.field}
        intro = f"{p.role} at {self.link(p.firm.stem, 'companies')}."
        if p.referrer is not None:
            intro += f" Introduced by {self.person_link(p.referrer)}."
        sections = [
            ("Background", [intro, "", self.fill(rng.choice(SENTENCES), ctx)]),
            ("Log", self.log(p)),
            ("Questions", [f"- {self.fill(q, ctx)}" for q in rng.sample(JOB_Q, 3)]
             + [f"- {self.fill(q, ctx)}" for q in rng.sample(INDUSTRY_Q, 2)]),
            ("Notes", [f"- {self.fill(s, ctx)}"
                       for s in rng.sample(SENTENCES, rng.randrange(2, 9))]),
            ("To do", self.tasks()),
            ("Pitch", [self.fill(rng.choice(PITCHES), ctx)]),
        ]
        if p.meets:
            sections.insert(2, ("Meetings", [f"- [[{m.stem}]]" for m in p.meets[:12]]))
        return fm, f"# {p.shown}\n" + self.compose(sections, ctx), loose

    def log(self, p: Person) -> list[str]:
        """Dated touches under ## Log: approach, attempts, reply, thank-yous, the odd extra."""
        rng = self.rng
        today = self.today
        entries: list[tuple[date, str, str]] = []
        ref = p.referrer.name if p.referrer else "a former colleague"
        day = p.added
        entries.append((day, "approach", rng.choice(TOUCH_TEXT["approach"]).format(ref=ref)))
        for _ in range(rng.randrange(3)):
            day += timedelta(days=rng.randrange(3, 9))
            kind = rng.choice(("follow_up", "voicemail", "call"))
            entries.append((day, kind, rng.choice(TOUCH_TEXT[kind])))
        if p.meets or rng.random() < 0.5:
            day += timedelta(days=rng.randrange(1, 6))
            entries.append((day, "reply", rng.choice(TOUCH_TEXT["reply"])))
        for m in p.meets[:6]:
            if m.day <= today and rng.random() < 0.5:
                entries.append((m.day + timedelta(days=rng.randrange(4)), "thank_you",
                                rng.choice(TOUCH_TEXT["thank_you"])))
            if p.referrer is not None and rng.random() < 0.15:
                entries.append((m.day + timedelta(days=rng.randrange(2, 10)), "note",
                                f"let {p.referrer.name} know the chat went well"))
        if rng.random() < 0.3:
            kind = rng.choice(("update", "email", "note", "report_back", "declined"))
            entries.append((today - timedelta(days=rng.randrange(400)), kind,
                            rng.choice(TOUCH_TEXT[kind]).format(other=rng.choice(GIVEN))))
        entries = sorted((e for e in entries if e[0] <= today), key=lambda e: (e[0], e[1]))
        return [f"- {d.isoformat()} {k}: {t}" for d, k, t in entries] or ["- nothing yet"]

    # -- meetings ------------------------------------------------------------------------
    def meeting(self, m: Meet, loose_ok: bool) -> tuple[list[str], str, bool]:
        rng = self.rng
        who = m.people[0]
        text, loose = self.day_value(m.day, m.clock, loose_ok=loose_ok)
        fm = ["type: meeting", f"date: {text}", "with:"]
        fm += [f'  - "{self.person_link(p)}"' for p in m.people]
        kind = m.kind
        if not self.clean and rng.random() < ODD_KIND_SHARE:
            kind = rng.choice(LOOSE_KINDS)
        fm += [f"kind: {scalar(kind)}", f"duration: {m.minutes}", f"location: {scalar(m.place)}"]
        if m.status:
            fm.append(f"status: {m.status}")
        if m.referrals:
            fm.append("referrals:")
            fm += [f'  - "{self.link(r, "contacts")}"' for r in m.referrals]
        elif rng.random() < 0.2:
            fm.append("referrals: []")
        if m.thanked is not None:
            text, odd = self.day_value(m.thanked, loose_ok=loose_ok)
            fm.append(f"thank_you: {text}")
            loose |= odd
        if m.follow_up is not None:
            text, odd = self.day_value(m.follow_up, loose_ok=loose_ok)
            fm.append(f"follow_up: {text}")
            loose |= odd
        if m.outcome:
            fm.append(f"outcome: {scalar(m.outcome)}")
        if rng.random() < 0.2:
            fm.append("tags: [meeting]")

        ctx = {"first": who.given, "industry": who.firm.industry, "company": who.firm.name,
               "field": who.field}
        names = ", ".join(self.person_link(p) for p in m.people)
        sections = [
            ("Goals", [f"- Hear how {who.given} got into {who.field}",
                       f"- Understand hiring in {who.firm.industry}",
                       "- End by asking for two or three names"]),
            ("Questions", ["### About the job"]
             + [f"- {self.fill(q, ctx)}" for q in rng.sample(JOB_Q, rng.randrange(2, 5))]
             + ["", "### About the industry"]
             + [f"- {self.fill(q, ctx)}" for q in rng.sample(INDUSTRY_Q, rng.randrange(1, 4))]),
            ("Notes", [f"{names}; {m.minutes} minutes at {m.place}.", ""]
             + [f"- {self.fill(s, ctx)}" for s in rng.sample(SENTENCES, rng.randrange(2, 10))]),
            ("Referrals", [f"- {self.link(r, 'contacts')} — {rng.choice(REFERRAL_NOTES)}"
                           for r in m.referrals] or ["- none this time"]),
            ("Next steps", self.tasks()),
        ]
        title = m.stem.split(" ", 1)[1]
        return fm, f"# {title}\n" + self.compose(sections, ctx), loose

    # -- mess ----------------------------------------------------------------------------
    def pick_mess(self, note_kind: str, protected: bool) -> str | None:
        """One draw per note; None for a tidy note."""
        if self.clean:
            return None
        r = self.rng.random()
        category = None
        acc = 0.0
        for name, share in NOTE_MESS:
            acc += share
            if r < acc:
                category = name
                break
        if category is None or protected:
            # both notes of a duplicate pair must parse, or check cannot pair them
            return None
        if note_kind == "company" and category in ("impossible_date", "unquoted_link"):
            return None  # company front matter holds neither dates nor links
        return category

    def break_yaml(self, fm: list[str], note_kind: str) -> list[str]:
        """Front matter that no YAML parser accepts, in the ways people produce it."""
        rng = self.rng
        fm = list(fm)
        form = rng.randrange(8)
        if form == 0:  # a quote opened and never closed
            key, _, value = fm[1].partition(": ")
            fm[1] = f'{key}: "{value.strip(chr(34))}'
        elif form == 1:  # ": " inside an unquoted value
            fm.insert(2, {"company": "industry: fintech: payments and lending",
                          "contact": "role: Director: Platform & Partnerships",
                          "meeting": "location: Zoom: link is in the invite"}[note_kind])
        elif form == 2:  # a tab for indentation
            fm.insert(2, "aliases:\n\t- the nickname")
        elif form == 3:  # a list item indented less than its siblings
            fm.insert(2, "tags:\n  - networking\n - follow-up")
        elif form == 4:  # a merge left its markers in the front matter
            fm.insert(2, "<<<<<<< HEAD\nstatus: paused\n=======\nstatus: dormant\n>>>>>>> 8c1f2e7")
        elif form == 5:  # an unquoted link with text after it
            fm.insert(2, "source: [[Weekly Review]] (see notes)")
        elif form == 6:  # an unclosed flow list
            fm.insert(2, "tags: [contact, warm")
        else:  # the same key twice, as merge=union leaves it
            fm += ["updated: 2026-01-10", "updated: 2026-01-12"]
        return fm

    def impossible_date(self, fm: list[str]) -> list[str]:
        bad = self.rng.choice(IMPOSSIBLE_DATES)
        fm = list(fm)
        for i, line in enumerate(fm):
            key = line.split(":", 1)[0]
            if key in ("date", "added", "follow_up", "thank_you"):
                fm[i] = f"{key}: {bad}"
                return fm
        raise AssertionError("a contact or meeting always has a date property")

    def encode(self, rel: str, note_kind: str, front: list[str], body: str,
               mess: str | None, loose: bool) -> bytes:
        """The file's bytes, messed up as decided."""
        rng = self.rng
        fm: list[str] | None = front
        mark = self.manifest
        if mess is not None:
            mark[mess].append(rel)
        opener, closer = "---\n", "---\n"
        if mess == "invalid_yaml":
            fm = self.break_yaml(front, note_kind)
        elif mess == "impossible_date":
            fm = self.impossible_date(front)
        elif mess == "unquoted_link":
            fm = [line.replace('"[[', "[[").replace(']]"', "]]") for line in front]
        elif mess == "no_front_matter":
            fm = None
        elif mess == "unclosed_front_matter":
            closer = ""
        elif mess == "front_matter_not_first":
            opener = "\n---\n"
        elif mess == "conflict_markers_in_body":
            when = (self.today - timedelta(days=rng.randrange(5, 90))).isoformat()
            body += (f"\n<<<<<<< HEAD\n- {when} note: the call went well\n=======\n"
                     f"- {when} note: the call went fine, send notes\n>>>>>>> 5d0b9e4 (phone)\n")
        elif mess == "not_utf8":
            body += "\n- Met at the café — they said the résumé was fine.\n"
        if loose and fm is not None:
            mark["odd_date"].append(rel)
        text = body if fm is None else opener + "\n".join(fm) + "\n" + closer + body
        if rng.random() < CRLF_SHARE and not self.clean:
            text = text.replace("\n", "\r\n")
            mark["crlf"].append(rel)
        if mess == "not_utf8":  # an old Windows editor saved it
            return text.encode("cp1252", errors="replace")
        data = text.encode("utf-8")
        if rng.random() < BOM_SHARE and not self.clean:
            mark["bom"].append(rel)
            data = b"\xef\xbb\xbf" + data
        return data


# ----------------------------------------------------------------------------------------
# Files beside the notes
# ----------------------------------------------------------------------------------------

def static_files() -> list[tuple[str, bytes]]:
    """coffeechat.toml, .gitignore, .obsidian/, templates/, .trash/, attachments/, Dashboard."""
    files = {
        "coffeechat.toml": (
            "# coffeechat settings for a generated benchmark vault (bench/make_vault.py).\n"
            "# Every key is optional; these are the defaults.\n"
            '[vault]\ntimezone = "UTC"\n\n[rules]\ncadence = "365d"\n'),
        ".gitignore": ".coffeechat/\n.obsidian/workspace.json\n.trash/\n.DS_Store\n",
        ".obsidian/app.json": json.dumps({"alwaysUpdateLinks": True, "newFileLocation": "folder",
                                          "newFileFolderPath": "contacts",
                                          "attachmentFolderPath": "attachments",
                                          "useMarkdownLinks": False}, indent=2) + "\n",
        ".obsidian/appearance.json": json.dumps({"theme": "obsidian", "baseFontSize": 16},
                                                indent=2) + "\n",
        ".obsidian/core-plugins.json": json.dumps(
            ["file-explorer", "global-search", "backlink", "templates", "properties",
             "daily-notes"], indent=2) + "\n",
        ".obsidian/community-plugins.json": json.dumps(["dataview", "obsidian-tasks-plugin"],
                                                       indent=2) + "\n",
        ".obsidian/templates.json": json.dumps({"folder": "templates"}, indent=2) + "\n",
        ".obsidian/types.json": json.dumps({"types": {
            "aliases": "aliases", "tags": "tags", "date": "datetime", "added": "date",
            "follow_up": "date", "thank_you": "date", "with": "multitext",
            "referrals": "multitext", "duration": "number"}}, indent=2) + "\n",
        ".obsidian/workspace.json": json.dumps({"main": {"id": "5e1d0c2a", "type": "split",
                                                         "children": []},
                                                "lastOpenFiles": ["Dashboard.md"]},
                                               indent=2) + "\n",
        "templates/Contact.md": (
            '---\ntype: contact\nname: "{{title}}"\naliases: []\ncompany:\nrole:\nemail:\n'
            "phone:\nlinkedin:\nfield:\ntags:\n  - contact\nreferred_by:\nhow_met:\n"
            "cadence: 180d\nadded: {{date}}\n---\n# {{title}}\n\n## Background\n\n## Log\n"
            "- {{date}} approach: \n"),
        "templates/Meeting.md": (
            '---\ntype: meeting\ndate: {{date}}\nwith:\n  - "[[]]"\nkind: informational\n'
            "duration: 30\nlocation:\nreferrals: []\nthank_you:\n---\n# {{title}}\n\n"
            "## Goals\n\n## Questions\n### About the job\n\n### About the industry\n\n"
            "## Notes\n\n## Referrals\n\n## Next steps\n- [ ] send a thank-you 📅 {{date}}\n"),
        "templates/Company.md": (
            '---\ntype: company\nname: "{{title}}"\naliases: []\nwebsite:\nindustry:\n'
            "tags:\n  - company\n---\n# {{title}}\n\n## Why this company\n\n## People\n"),
        "templates/Approach letter.md": (
            "Dear {{name}},\n\n{{referrer}} suggested I write to you. I am not asking for a job;"
            " I would value 20–30 minutes of your advice about {{field}}.\n\n"
            "I will follow up next week.\n"),
        ".trash/Deleted Person.md": (
            "---\ntype: contact\nname: Deleted Person\nemail: gone@example.com\n---\n"
            "Moved to the trash in Obsidian; never a note.\n"),
        "Dashboard.md": (
            "# Networking dashboard\n\nA note at the root, without front matter.\n\n"
            "```dataview\nTABLE date, with FROM \"meetings\" WHERE date >= date(today)\n```\n\n"
            "```tasks\nnot done\ndue before in two weeks\n```\n"),
    }
    out = [(rel, text.encode("utf-8")) for rel, text in files.items()]
    out.append(("attachments/CV 2026.pdf",
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% placeholder made by make_vault.py\n%%EOF\n"))
    out.append(("attachments/card-scan.png", _tiny_png()))
    return sorted(out)


# ----------------------------------------------------------------------------------------
# Entry points
# ----------------------------------------------------------------------------------------

def _refuse_if_used(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"{out}: exists and is not an empty folder; refusing to write into it")


def generate(out: Path, contacts: int, seed: int = 1, today: date = DEFAULT_TODAY,
             clean: bool = False) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Write the vault; return (counts, manifest)."""
    if contacts < 1:
        raise ValueError("contacts must be at least 1")
    out = Path(out)
    _refuse_if_used(out)
    world = World(contacts, seed, today, clean)
    writer = Writer(world, seed, clean)
    counts = {"companies": 0, "contacts": 0, "meetings": 0, "other": 0, "bytes": 0}
    made: set[str] = set()
    root = str(out)

    def put(rel: str, data: bytes, disk_rel: str | None = None) -> None:
        path = os.path.join(root, disk_rel or rel)
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        with open(path, "xb") as fh:  # never overwrite
            fh.write(data)
        counts["bytes"] += len(data)

    os.makedirs(root, exist_ok=True)
    for rel, data in static_files():
        put(rel, data)
        counts["other"] += 1

    for firm in world.firms:
        rel = f"companies/{firm.stem}.md"
        mess = writer.pick_mess("company", False)
        fm, body, loose = writer.company(firm)
        put(rel, writer.encode(rel, "company", fm, body, mess, loose))
        counts["companies"] += 1

    pairs: dict[int, list[str]] = {}
    for p in world.people:
        rel = f"{p.folder}/{p.stem}.md"
        mess = writer.pick_mess("contact", p.protected)
        fm, body, loose = writer.contact(p, loose_ok=mess is None and not p.protected)
        disk = None
        if not clean and not p.protected and not p.stem.isascii() \
                and writer.rng.random() < NFD_SHARE:
            decomposed = unicodedata.normalize("NFD", rel)
            if decomposed != rel:
                disk = decomposed
                writer.manifest["nfd_file_name"].append(rel)
        put(rel, writer.encode(rel, "contact", fm, body, mess, loose), disk)
        if p.protected:
            pairs.setdefault((p.twin_of or p).idx, []).append(rel)
        counts["contacts"] += 1
    # check reports a duplicate on every note of a group but the first by path.
    for group in pairs.values():
        writer.manifest["duplicate_person"].extend(sorted(group)[1:])

    for m in world.meets:
        rel = f"meetings/{m.stem}.md"
        mess = writer.pick_mess("meeting", False)
        fm, body, loose = writer.meeting(m, loose_ok=mess is None)
        put(rel, writer.encode(rel, "meeting", fm, body, mess, loose))
        counts["meetings"] += 1

    counts["notes"] = counts["companies"] + counts["contacts"] + counts["meetings"]
    manifest = {k: sorted(unicodedata.normalize("NFC", p) for p in v)
                for k, v in sorted(writer.manifest.items())}
    return counts, manifest


def make_vault(out: Path, contacts: int, seed: int = 1, today: date = DEFAULT_TODAY,
               clean: bool = False) -> dict[str, list[str]]:
    """Write a vault of `contacts` contacts into `out` (absent or empty); return the
    manifest: every messy-note category -> sorted vault-relative NFC paths (all empty
    when `clean`)."""
    return generate(out, contacts, seed, today, clean)[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="make_vault.py", description="Make a deterministic synthetic coffeechat vault.")
    ap.add_argument("out_dir", metavar="OUT_DIR",
                    help="folder to create (must not exist or be empty)")
    ap.add_argument("--contacts", type=int, required=True, metavar="N", help="number of contacts")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--today", default=DEFAULT_TODAY.isoformat(), metavar="YYYY-MM-DD",
                    help="the vault's today: earlier meetings were held, later ones are"
                         " scheduled (default %(default)s)")
    ap.add_argument("--clean", action="store_true", help="no messy notes at all")
    ap.add_argument("--manifest", metavar="FILE",
                    help="write a JSON list of the deliberately messy files here")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)
    if args.contacts < 1:
        ap.error("--contacts must be at least 1")
    try:
        today = date.fromisoformat(args.today)
    except ValueError:
        ap.error(f"--today: not a YYYY-MM-DD date: {args.today!r}")
    out = Path(args.out_dir)
    try:
        _refuse_if_used(out)
    except FileExistsError as exc:
        print(f"make_vault: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    counts, manifest = generate(out, args.contacts, args.seed, today, args.clean)
    elapsed = time.perf_counter() - started
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as fh:
            json.dump({"contacts": args.contacts, "seed": args.seed, "today": today.isoformat(),
                       "clean": args.clean, "counts": counts, "messy": manifest},
                      fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    if not args.quiet:
        mess = ", ".join(f"{k} {len(v)}" for k, v in manifest.items() if v) or "none"
        print(f"{out}: {counts['notes']} notes ({counts['companies']} companies, "
              f"{counts['contacts']} contacts, {counts['meetings']} meetings), "
              f"{counts['bytes'] / 1e6:.1f} MB in {elapsed:.1f} s; messy: {mess}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
