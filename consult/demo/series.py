"""The two recurring sessions: a weekly working group that meets across the next weeks in which
US and UK clocks disagree, and a monthly bilateral dialogue.
"""

from __future__ import annotations

from datetime import time

from consult.demo.people import ADMIN_EMAIL
from consult.demo.session_specs import GOVERNMENT, SessionSpec, meeting_link
from consult.demo.specs import LONDON, NEW_YORK
from events.models import Recurrence, SessionKind, Visibility

# The weekly series: it meets across the next weeks in which US and UK clocks disagree.
STANDARDS_WORKING_GROUP = SessionSpec(
    slug="us-uk-quantum-standards-working-group",
    title="US–UK quantum standards working group",
    kind=SessionKind.ROUNDTABLE,
    topics=("standards",),
    description="A weekly working meeting of standards experts from both countries, open to "
    "anyone who follows the work.\n\n"
    "The joint statement asks us to identify **areas where standards or consortia are needed**. "
    "The group keeps a shared list of those areas and, each week, takes one of them:\n\n"
    "- vocabulary and metrics for quantum computers;\n"
    "- benchmarks that buyers can compare across platforms;\n"
    "- interfaces between control electronics, cryogenics and photonics;\n"
    "- traceability of quantum sensors to the national measurement institutes.\n\n"
    "Register for the meetings you can join. The meeting stays at 3pm in London: in the weeks "
    "when US and UK clocks change on different Sundays it starts at 11am in Washington, not 10am.",
    zone=LONDON,
    at=time(15, 0),
    minutes=60,
    online_url=meeting_link("standards-working-group"),
    capacity=30,
    recurrence=Recurrence.WEEKLY,
    count=12,
    weekday=3,  # Thursday
    crosses_daylight_saving=True,
    # Positions 8 and 9 always fall after the clocks agree again (see `schedule.py`).
    cancelled_occurrences=(8,),
    moved_occurrences=((9, 1),),
    attendees=("t.becker@standards.example", "d.okafor@hub.example"),
    registered=9,
    by_occurrence=True,
)

RESEARCH_SECURITY_DIALOGUE = SessionSpec(
    slug="bilateral-dialogue-research-security",
    title="Bilateral dialogue on research security",
    kind=SessionKind.BILATERAL_DIALOGUE,
    topics=("research-security",),
    description="The monthly government-to-government dialogue the joint statement calls for, "
    "on **regulatory, security, mutual access and technology protection considerations**.\n\n"
    "Officials compare how each country screens partnerships, protects intellectual property and "
    "keeps research open, and agree where guidance for researchers should say the same thing. "
    "A short note of each meeting is published on this site.\n\n"
    "Attendance is by invitation of the two governments.",
    zone=NEW_YORK,
    at=time(10, 0),
    minutes=90,
    days=-21,
    online_url=meeting_link("research-security-dialogue"),
    capacity=40,
    visibility=Visibility.INVITATION,
    recurrence=Recurrence.MONTHLY,
    count=6,
    attendees=(ADMIN_EMAIL, "a.ramirez@energy.example"),
    registered=16,
    invited_sectors=GOVERNMENT,
)
