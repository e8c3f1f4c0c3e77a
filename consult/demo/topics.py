"""The five seeded topics, in the joint statement's own words."""

from __future__ import annotations

# Wording from the US–UK Joint Statement on Cooperation in QIST (shared/context).
TOPICS = (
    (
        "standards",
        "Standards",
        "Where standards or consortia are needed for quantum technologies, and how the US and UK align them.",
        "The joint statement commits both governments to facilitating interactions between government, "
        "academia, and the private sector to understand research trajectories in QIST, and to identify "
        "areas where standards or consortia are needed.\n\n"
        "Calls under this topic ask which measurements, interfaces and benchmarks most need common "
        "definitions, which bodies should lead, and how US and UK work can stay interoperable.",
    ),
    (
        "supply-chain",
        "Supply chain and market",
        "Building the global market and supply chain for quantum research and products.",
        "The partnership aims to build the global market and supply chain for QIST research and to "
        "support economic growth by engaging stakeholders, including industry consortia, research, "
        "policy and business security stakeholders, to grow a future QIST marketplace based on shared "
        "rules for engagement.\n\n"
        "We want to hear where components, materials and skills are scarce, and what would make "
        "transatlantic trade in quantum technologies easier and more secure.",
    ),
    (
        "research-security",
        "Research security",
        "Protecting research integrity, intellectual property and technology while staying open.",
        "Cooperation is to be underpinned by shared values such as freedom of inquiry, merit-based "
        "competition, openness and transparency, accountability and reciprocity, while promoting the "
        "protection of intellectual property, rigour and integrity in research, and research security.\n\n"
        "Calls under this topic cover regulatory, security, mutual access and technology protection "
        "considerations, and how to reduce administrative burdens on researchers.",
    ),
    (
        "workforce",
        "Workforce and skills",
        "Growing a skilled, inclusive quantum workforce through education, apprenticeships and exchange.",
        "A skilled workforce and wider awareness of applications are essential to QIST. Public "
        "awareness campaigns, STEM education, apprenticeships, interdisciplinary skills-building and "
        "reskilling programmes may encourage broad and inclusive participation.\n\n"
        "The partnership also promotes the exchange of people between quantum centres, hubs and "
        "universities to develop the next generation of scientists and engineers.",
    ),
    (
        "research-infrastructure",
        "Research infrastructure",
        "Jointly funded research, shared facilities, data sharing and multidisciplinary methods.",
        "Both governments intend to use existing bilateral and multilateral science and technology "
        "mechanisms, and new implementing pathways, to promote jointly funded and cooperative QIST "
        "research and development.\n\n"
        "Calls under this topic ask which facilities, testbeds and data should be shared, and how "
        "multidisciplinary research and the cross-fertilisation of methods can be supported.",
    ),
)
