"""The three open calls: standards (closes in 25 days), supply chain (10) and workforce (3).

The supply-chain call carries the form-letter campaign (see `campaign.py`).
"""

from __future__ import annotations

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

STANDARDS = CallSpec(
    slug="quantum-standards-priorities",
    topic="standards",
    title="Priorities for quantum technology standards",
    summary="Which measurements, interfaces and benchmarks for quantum computers, networks and "
    "sensors most need common standards, and who should lead the work.",
    body="## Why we are asking\n\n"
    "The joint statement asks both governments to identify **areas where standards or consortia "
    "are needed**. Quantum computers, networks and sensors are moving from the laboratory into "
    "early products, and buyers, regulators and researchers need to compare like with like.\n\n"
    "## What we want to know\n\n"
    "- which measurements, interfaces and benchmarks most need common definitions in the next "
    "three years;\n"
    "- which bodies should lead, and where existing work is already enough;\n"
    "- how ready your organisation is to adopt common benchmarks.\n\n"
    "Evidence from organisations that have bought, sold or benchmarked quantum hardware or "
    "software is especially welcome.",
    timezone=LONDON,
    opens_in_days=-35,
    closes_in_days=25,
    submitted=172,
    drafts=7,
    withdrawn=1,
    questions=(
        QuestionSpec(
            LONG,
            "Which measurements, interfaces or benchmarks most need common standards in the next "
            "three years, and why?",
            "Give examples from your own work where you can.",
            required=True,
            word_limit=500,
            answers=(
                "Without agreed definitions of two-qubit gate fidelity, vendors quote figures "
                "measured in ways that cannot be compared.",
                "Application-level benchmarks matter more to buyers than component metrics, but "
                "they need a neutral owner to stay honest.",
                "Quantum key distribution products need one security evaluation method, so that a "
                "certificate issued in one country is recognised in the other.",
                "Calibration of quantum sensors should be traceable to the national measurement "
                "institutes, as it already is for classical instruments.",
                "A shared intermediate representation for quantum programs would let software move "
                "between hardware platforms without being rewritten.",
                "Cryogenic and photonic components need common interface specifications: "
                "connectors, flange sizes, fibre types and control signal levels.",
                "Standardising too early could lock in immature technology, so we would start with "
                "terminology and measurement methods.",
                "A common vocabulary is an easy early win: the same word still means different "
                "things in different laboratories.",
                "Benchmarks should come with open reference implementations so that anyone can "
                "reproduce the results.",
                "Government procurement is a powerful lever: if both governments ask for the same "
                "metrics, suppliers will report them.",
            ),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which areas should the partnership prioritise for standardisation?",
            "Choose all that apply.",
            required=True,
            options=(
                "Performance benchmarks for quantum computers",
                "Security evaluation of quantum key distribution",
                "Cryogenic and photonic component interfaces",
                "Calibration and traceability for quantum sensors",
                "Software interfaces and intermediate representations",
                "Terminology and vocabulary",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "Who should lead standards work in the first instance?",
            "Choose the one you think best placed.",
            required=True,
            options=(
                "International standards bodies such as ISO/IEC JTC 3",
                "National measurement institutes",
                "Industry consortia",
                "A new joint US–UK working group",
            ),
            weights=(4, 3, 2.5, 1.5),
        ),
        QuestionSpec(
            SCALE,
            "How ready is your organisation to adopt common benchmarks today?",
            "1 means not ready at all; 5 means we could adopt them now.",
            weights=(1, 3, 5, 4, 2),
        ),
        QuestionSpec(
            SHORT,
            "Name one existing standard or pre-standard document you rely on.",
            "For example a specification, a guide or a consortium document.",
            answers=(
                "IEEE P7131 (draft) on performance metrics",
                "ETSI GS QKD 016 protection profile",
                "ISO/IEC 4879 vocabulary",
                "OpenQASM 3 specification",
                "QIR specification",
                "None yet",
                "Our own internal benchmark suite",
            ),
        ),
        QuestionSpec(
            FILE,
            "Attach supporting evidence",
            "Optional. A report, data or a position paper as PDF, Word or a spreadsheet.",
        ),
    ),
)

SUPPLY_CHAIN = CallSpec(
    slug="quantum-supply-chain-dependencies",
    topic="supply-chain",
    title="Supply-chain dependencies in quantum technologies",
    summary="Where components, materials and skills for quantum technologies depend on too few "
    "suppliers, and what would make the transatlantic supply chain more resilient.",
    body="## Why we are asking\n\n"
    "Both governments have committed to **build the global market and supply chain** for "
    "quantum research and to grow a future marketplace based on shared rules for engagement. "
    "Many quantum systems rely on a handful of specialist suppliers for dilution refrigerators, "
    "helium-3, narrow-linewidth lasers, single-photon detectors and control electronics.\n\n"
    "## What we want to know\n\n"
    "Which dependencies matter most to researchers and companies, and which measures (joint "
    "procurement, shared demand forecasts, common component specifications or changes to export "
    "controls) would reduce them.",
    timezone=NEW_YORK,
    opens_in_days=-40,
    closes_in_days=10,
    submitted=113,
    campaign=80,
    drafts=5,
    withdrawn=1,
    questions=(
        QuestionSpec(
            LONG,
            "Describe the supply-chain dependencies that most affect your work, and what would "
            "reduce them.",
            "Name components, materials or services, and say how long you wait for them.",
            required=True,
            word_limit=500,
            answers=(
                "Our dilution refrigerators come from one of only a few manufacturers worldwide, "
                "and lead times have stretched beyond a year.",
                "Helium-3 supply is the greatest single risk to our programme; recycling and "
                "alternatives need public support.",
                "Narrow-linewidth lasers at the wavelengths trapped-ion systems need are made by "
                "very few companies.",
                "Superconducting nanowire detectors are available, but the cryocoolers they need "
                "are not.",
                "We depend on a single foundry for photonic integrated circuits, and its priorities "
                "are set by the telecoms market.",
                "Isotopically enriched silicon for spin qubits is effectively unavailable outside "
                "a handful of research programmes.",
                "Control electronics are improving quickly, but cryogenic amplifiers remain a "
                "bottleneck.",
                "Export licensing for components traded between allies adds months to projects "
                "that are already late.",
                "Joint demand forecasts from US and UK programmes would give suppliers the "
                "confidence to invest in capacity.",
                "Small firms cannot hold the stock that large customers expect; shared buffer "
                "stock would help.",
            ),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which components or materials are hardest to source?",
            "Choose all that apply.",
            required=True,
            options=(
                "Dilution refrigerators and cryogenic components",
                "Helium-3",
                "Lasers and photonic integrated circuits",
                "Single-photon detectors",
                "Microwave and control electronics",
                "Isotopically enriched materials",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "Where do you source most of your critical components today?",
            options=(
                "Mostly from the US",
                "Mostly from the UK",
                "Mostly from elsewhere in Europe",
                "Mostly from Asia-Pacific",
                "From a mix, with no dominant source",
            ),
            weights=(4, 2, 3, 1.5, 2.5),
        ),
        QuestionSpec(
            SCALE,
            "How exposed is your work to the failure of a single supplier?",
            "1 means not exposed; 5 means our work would stop.",
            required=True,
            weights=(1, 1.5, 3, 5, 4),
        ),
        QuestionSpec(
            SHORT,
            "Which one measure would help most?",
            answers=(
                "Joint procurement across US and UK programmes",
                "A second qualified supplier for every critical part",
                "Faster export licences between allies",
                "A shared helium-3 reserve",
                "Common component specifications",
                "Grants for domestic manufacturing",
                "Shared demand forecasts",
            ),
        ),
    ),
)

WORKFORCE = CallSpec(
    slug="quantum-workforce-skills",
    topic="workforce",
    title="Growing the quantum workforce: skills, apprenticeships and exchange",
    summary="Which quantum skills are hardest to find, which training routes work, and how "
    "exchanges between US and UK quantum centres could be made easier.",
    body="## Why we are asking\n\n"
    "The joint statement recognises that **a skilled workforce** is essential to quantum "
    "technologies, and that STEM education, apprenticeships, interdisciplinary skills-building "
    "and reskilling can encourage broad and inclusive participation. It also promotes the "
    "**exchange of people** between quantum centres, hubs and universities.\n\n"
    "## What we want to know\n\n"
    "- which roles you struggle to fill, from technicians to research scientists;\n"
    "- which training routes produce the people you need;\n"
    "- what stops staff and students moving between the US and the UK.",
    timezone=LONDON,
    opens_in_days=-45,
    closes_in_days=3,
    submitted=41,
    drafts=3,
    questions=(
        QuestionSpec(
            LONG,
            "Which skills are hardest to recruit for, and why?",
            required=True,
            word_limit=400,
            answers=(
                "Cryogenic and vacuum technicians are the hardest roles to fill; very few training "
                "routes produce them.",
                "We need engineers who understand both microwave electronics and quantum physics, "
                "and universities rarely teach both.",
                "Software engineers adapt quickly, but need a short, practical introduction to "
                "quantum information.",
                "Photonics packaging and fibre alignment are scarce skills, learned almost entirely "
                "on the job.",
                "Doctoral graduates are strong on theory but often lack experience of product "
                "development and quality systems.",
                "Technician apprenticeships in quantum engineering would give us a reliable "
                "pipeline of people.",
                "Visa costs and processing times make it hard to hire from the partner country at "
                "short notice.",
                "Salaries in finance and large technology firms draw away the people we train.",
            ),
        ),
        QuestionSpec(
            MULTIPLE,
            "Which routes into quantum careers should the partnership support?",
            "Choose all that apply.",
            options=(
                "Technician apprenticeships",
                "Master's and doctoral training",
                "Reskilling for engineers from other industries",
                "Exchanges between US and UK quantum centres",
                "Schools outreach and STEM education",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "How many people do you expect to hire into quantum roles in the next two years?",
            required=True,
            options=("None", "1 to 5", "6 to 20", "21 to 100", "More than 100"),
            weights=(2, 5, 3, 1.5, 0.5),
        ),
        QuestionSpec(
            SCALE,
            "How easy is it to move staff or students between the US and the UK for quantum work?",
            "1 means very hard; 5 means very easy.",
            weights=(3, 5, 3, 1, 0.5),
        ),
        QuestionSpec(
            LONG,
            "What would make quantum careers more inclusive?",
            "Optional.",
            word_limit=250,
            answers=(
                "Paid summer placements open doors for students who cannot afford to work for "
                "free.",
                "Job adverts should not ask for a PhD where a degree and experience would do.",
                "Mentoring networks for women and under-represented groups make a measurable "
                "difference to retention.",
                "Part-time and flexible roles would bring back experienced engineers with caring "
                "responsibilities.",
                "Outreach should reach schools outside the big university cities.",
                "Clear routes from technician to engineer to scientist would show that there is "
                "more than one way in.",
            ),
        ),
    ),
)
