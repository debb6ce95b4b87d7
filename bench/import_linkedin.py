"""Benchmark: import an N-row LinkedIn Connections.csv into a fresh vault, twice.

    python bench/import_linkedin.py [--rows 30000] [--keep DIR]

The CSV is generated here (Notes: preamble, BOM, quoted commas, accented and CJK names, a
few e-mails, the same names at many companies); each import runs the installed CLI
(`python -m coffeechat`) as a user would. The first import should create N notes, the
second none; both wall-clock times are printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "José", "María", "Zoë", "Renée", "Søren", "Łukasz", "Ana", "Wei", "Priya",
         "Aiko", "Olusegun", "Fatima", "Chloé", "Björn", "太郎", "Nguyễn", "Ahmed", "Ines"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis", "Müller",
        "Martínez", "O'Neil", "Nowak", "Kowalski", "Chen", "Patel", "Yamamoto", "山本", "Okafor",
        "Dubois", "Andersson", "Rossi", "Novák", "Schmidt", "Kim", "Lee", "Singh", "Cohen"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka",
                 "Tyrell", "Cyberdyne", "Soylent", "Vandelay", "Dunder", "Aperture", "Black Mesa"]
SUFFIXES = ["", " Inc.", " Corp", ", LLC", " GmbH", " Labs", " & Co", " Group", " Systems"]
POSITIONS = ["Software Engineer", "VP, Engineering", "Product Manager", "Data Scientist",
             "Director, Sales & Marketing", "Founder", "Recruiter", "Designer", "CTO"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

PREAMBLE = ('Notes:\r\n"When exporting your connection data, you may notice that some of the email'
            ' addresses are missing. You will only see email addresses for connections who have'
            ' allowed their connections to see or download their email address using this setting'
            ' https://www.linkedin.com/psettings/privacy/email."\r\n\r\n')


def make_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    companies = [f"{w}{'' if i < len(COMPANY_WORDS) else f' {i}'}{rng.choice(SUFFIXES)}"
                 for i, w in enumerate(COMPANY_WORDS * 200)][: max(50, rows // 10)]
    out = io.StringIO()
    out.write(PREAMBLE)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                     "Connected On"])
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = companies[int(rng.paretovariate(1.2)) % len(companies)] if rng.random() > 0.05 else ""
        day = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        email = f"{first[:1].lower()}{i}@mail.example" if rng.random() < 0.04 else ""
        writer.writerow([first, last, f"https://www.linkedin.com/in/{last.lower()}-{i:06d}", email,
                         company, rng.choice(POSITIONS),
                         f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def run_import(vault: Path, csv_path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "coffeechat", "--vault", str(vault), "import", "linkedin",
         str(csv_path)], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"import failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return elapsed, proc.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--keep", metavar="DIR", help="keep the vault in DIR (must not exist)")
    parser.add_argument("--tmp", metavar="DIR", help="where to make the vault (default: the"
                        " system's temporary folder; try /dev/shm to leave the disk out)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coffeechat-bench-", dir=args.tmp))
    try:
        vault = Path(args.keep) if args.keep else work / "vault"
        vault.mkdir(parents=True)
        (vault / "coffeechat.toml").write_text("", encoding="utf-8")
        csv_path = work / "Connections.csv"
        csv_path.write_bytes(make_csv(args.rows))
        first, out1 = run_import(vault, csv_path)
        notes = sum(1 for _ in (vault / "contacts").glob("*.md"))
        second, out2 = run_import(vault, csv_path)
        after = sum(1 for _ in (vault / "contacts").glob("*.md"))
        print(f"rows: {args.rows}")
        print(f"first import:  {first:6.1f} s  ({notes} contact notes)  {out1}")
        print(f"second import: {second:6.1f} s  ({after - notes} new)  {out2}")
        if notes != args.rows or after != notes:
            sys.exit("unexpected note count")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
