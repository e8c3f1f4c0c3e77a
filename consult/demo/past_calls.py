"""The calls that have closed: research security (10 days ago), mutual access to facilities (40),
and post-quantum readiness, whose outcome has been published."""

from __future__ import annotations

from consult.calls.models import CallState
from consult.demo.specs import (
    FILE,
    LONDON,
    LONG,
    MULTIPLE,
    NEW_YORK,
    SCALE,
    SHORT,
    SINGLE,
    CallSpec,
    QuestionSpec,
)

RESEARCH_SECURITY = CallSpec(
    slug="research-security-in-collaboration",
    topic="research-security",
    title="Research security in international quantum collaboration",
    summary="How universities, laboratories and companies protect quantum research while keeping "
    "it open, and where US and UK requirements could be aligned to reduce the burden.",
    body="## Why we are asking\n\n"
    "Cooperation under the partnership rests on freedom of inquiry, openness and reciprocity, "
    "**and** on the protection of intellectual property, research integrity and research "
    "security. Both governments want to reduce administrative burdens on researchers without "
    "weakening that protection.\n\n"
    "## What we want to know\n\n"
    "How your organisation manages research security today, which practices work, and where "
    "duplicated or conflicting US and UK requirements cost time and money.",
    timezone=NEW_YORK,
    opens_in_days=-70,
    closes_in_days=-10,
    submitted=59,
    withdrawn=1,
    questions=(
        QuestionSpec(
            LONG,
            "How does your organisation manage research security in international quantum "
            "collaborations?",
            "Describe what you do, not what you would like to do.",
            required=True,
            word_limit=500,
            answers=(
                "Every new international partnership goes through a due-diligence review that "
                "takes about three weeks.",
                "We screen projects against export control lists at proposal stage rather than at "
                "contract stage, which avoids late surprises.",
                "Researchers complete annual training on research security, conflicts of interest "
                "and data handling.",
                "Sensitive data sits in a separate enclave, with access granted project by "
                "project.",
                "We follow guidance from our national security advisers, but it changes often and "
                "is hard to keep up with.",
                "Disclosure forms differ between US and UK funders, so our staff give the same "
                "information twice.",
                "A small team cannot afford a dedicated research security officer; a shared "
                "service would help.",
                "Openness is essential to our science: we publish by default and restrict only "
                "what the rules require.",
                "Visiting researchers are vetted, but slowly enough that some visits are "
                "cancelled.",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "Do you have a named research security lead?",
            options=(
                "Yes, a dedicated role",
                "Yes, as part of another role",
                "No, but we plan to appoint one",
                "No",
            ),
            weights=(2, 4, 2, 1.5),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which of these practices do you use?",
            "Choose all that apply.",
            options=(
                "Due diligence on partners and funders",
                "Export control screening",
                "Training for researchers",
                "Controlled access to sensitive data",
                "Disclosure of outside interests and appointments",
            ),
        ),
        QuestionSpec(
            SCALE,
            "How much administrative burden do current requirements create?",
            "1 means very little; 5 means a great deal.",
            required=True,
            weights=(0.5, 1.5, 3, 5, 3.5),
        ),
        QuestionSpec(
            LONG,
            "Where could US and UK requirements be aligned to reduce duplication?",
            "Optional.",
            word_limit=300,
            answers=(
                "A single disclosure form accepted by funders in both countries.",
                "Mutual recognition of research security training, so that staff do not repeat "
                "equivalent courses.",
                "A shared list of sensitive technology areas, kept short and reviewed every year.",
                "Common timelines for export licence decisions on collaborations between allies.",
                "One point of contact in each government for questions about a specific "
                "partnership.",
            ),
        ),
        QuestionSpec(
            FILE,
            "Attach your research security policy",
            "Optional. We will not publish it.",
        ),
    ),
)

MUTUAL_ACCESS = CallSpec(
    slug="mutual-access-to-facilities",
    topic="research-infrastructure",
    title="Mutual access to quantum research facilities",
    summary="Which cleanrooms, testbeds, cryogenic and metrology facilities researchers in each "
    "country most need to use in the other, and what stands in the way.",
    body="## Why we are asking\n\n"
    "The partnership aims to promote jointly funded research and the exchange of people between "
    "quantum centres and hubs. Much of that depends on **mutual access** to expensive "
    "facilities: fabrication cleanrooms, testbeds, cryogenic measurement systems and "
    "calibration laboratories.\n\n"
    "## What we want to know\n\n"
    "Which facilities you would use in the other country and for what research, and what stops "
    "you today: cost, eligibility rules, visas, export controls, or not knowing what exists.",
    timezone=LONDON,
    opens_in_days=-100,
    closes_in_days=-40,
    submitted=34,
    withdrawn=1,
    questions=(
        QuestionSpec(
            LONG,
            "Which facilities, testbeds or datasets would you most like to use in the other "
            "country, and for what research?",
            required=True,
            word_limit=500,
            answers=(
                "Access to a superconducting qubit fabrication line would let us test our designs "
                "without building our own cleanroom.",
                "We would use a metro-scale quantum network testbed to trial entanglement "
                "distribution over deployed fibre.",
                "Time on cryogenic measurement systems is our main bottleneck; one booking system "
                "across both countries would help.",
                "Calibration laboratories at the national measurement institutes could validate "
                "our sensors against primary standards.",
                "Open datasets from runs on quantum hardware would let theory groups test "
                "error-mitigation methods.",
                "Ion-trap testbeds open to outside users would help smaller groups that cannot "
                "afford their own laser systems.",
                "A joint catalogue of facilities, with eligibility rules and prices in one place, "
                "would save weeks of enquiries.",
                "Exchange visits of two to six weeks are the most productive way to learn a new "
                "facility.",
            ),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which kinds of facility would you use?",
            "Choose all that apply.",
            required=True,
            options=(
                "Quantum computing testbeds",
                "Cleanrooms and fabrication lines",
                "Cryogenic measurement facilities",
                "Quantum networking testbeds",
                "Metrology and calibration laboratories",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "What is the main obstacle to access today?",
            options=(
                "Cost",
                "Eligibility rules",
                "Visas and travel",
                "Export controls",
                "Not knowing what exists",
            ),
            weights=(3, 2.5, 1.5, 1, 3.5),
        ),
        QuestionSpec(
            SCALE,
            "How important is mutual access to your research programme?",
            "1 means not important; 5 means essential.",
            weights=(0.5, 1, 2.5, 4, 4),
        ),
        QuestionSpec(
            SHORT,
            "How long a visit would you typically need?",
            answers=(
                "Two weeks",
                "About a month",
                "Six weeks",
                "Three months",
                "A few days at a time, several times a year",
                "Remote access would be enough",
            ),
        ),
    ),
)

POST_QUANTUM_READINESS = CallSpec(
    slug="post-quantum-cryptography-readiness",
    topic="standards",
    title="Readiness for post-quantum cryptography",
    summary="How far organisations have come in moving to post-quantum cryptography, which "
    "guidance they follow, and what would help them finish in time.",
    body="## Why we are asking\n\n"
    "A quantum computer able to break today's public-key cryptography would put long-lived "
    "secrets at risk. NIST published its first post-quantum cryptography standards (FIPS 203, "
    "204 and 205) in August 2024, and the UK's National Cyber Security Centre has set out "
    "migration timelines running to 2035.\n\n"
    "## What we want to know\n\n"
    "Where your organisation stands in its migration, which guidance you use, and what would "
    "help: clearer timelines, tested products, or requirements that are the same in both "
    "countries.",
    timezone=NEW_YORK,
    opens_in_days=-150,
    closes_in_days=-90,
    state=CallState.OUTCOME_PUBLISHED,
    outcome_in_days=-30,
    outcome="## What we heard\n\n"
    "Respondents came from government, academia, industry and civil society in the US, the UK "
    "and elsewhere. Most have started an inventory of the systems that use public-key "
    "cryptography, but few have finished one. The obstacle named most often was **vendor "
    "readiness**: many products have no published post-quantum roadmap. Devices with long "
    "lifetimes that cannot be updated in the field were the hardest case for industry.\n\n"
    "## What happens next\n\n"
    "- Both governments will publish joint guidance for suppliers, so that a product built for "
    "one market meets the other's expectations.\n"
    "- The partnership will hold two interoperability events for ML-KEM and ML-DSA products in "
    "the coming year, one in each country.\n"
    "- Readiness becomes a standing item in the bilateral dialogue, with a progress report in "
    "twelve months.\n\n"
    "Thank you to everyone who responded. Responses are published below where their authors "
    "agreed.",
    submitted=29,
    withdrawn=1,
    questions=(
        QuestionSpec(
            LONG,
            "Where is your organisation in migrating to post-quantum cryptography, and what is "
            "holding it back?",
            required=True,
            word_limit=500,
            answers=(
                "We have finished an inventory of systems that use public-key cryptography and "
                "are ranking them by how long their data must stay secret.",
                "Our main blocker is vendors: many products we depend on have no post-quantum "
                "roadmap yet.",
                "Hybrid key exchange is already switched on for our public web services.",
                "Embedded devices with ten-year lifetimes are our hardest problem, because they "
                "cannot be updated in the field.",
                "We need test vectors and interoperability events where US and UK products are "
                "checked against each other.",
                "Migration competes for budget with every other security priority; a clear "
                "deadline helps us make the case.",
                "Certificates and hardware security modules that support ML-DSA are only now "
                "becoming available.",
                "Joint US–UK guidance would let suppliers to both governments build once.",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "Have you made an inventory of the systems that use public-key cryptography?",
            required=True,
            options=("Complete", "In progress", "Planned", "Not started"),
            weights=(1.5, 4, 3, 1.5),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which guidance do you follow?",
            "Choose all that apply.",
            options=(
                "NIST FIPS 203, 204 and 205",
                "NCSC migration timelines",
                "CISA, NSA and NIST quantum-readiness factsheet",
                "Vendor roadmaps",
                "None yet",
            ),
        ),
        QuestionSpec(
            SCALE,
            "How confident are you of moving your most important systems by 2031?",
            "1 means not confident; 5 means very confident.",
            weights=(2, 4, 4, 2, 1),
        ),
        QuestionSpec(
            SHORT,
            "Which service do your most critical systems support?",
            answers=(
                "Payments",
                "Health records",
                "Energy grid control",
                "Government communications",
                "Telecommunications",
                "Research data",
                "Customer identity",
            ),
        ),
    ),
)
