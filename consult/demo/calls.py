"""Every demonstration call, in the order they are created."""

from __future__ import annotations

from consult.demo.open_calls import STANDARDS, SUPPLY_CHAIN, WORKFORCE
from consult.demo.past_calls import MUTUAL_ACCESS, POST_QUANTUM_READINESS, RESEARCH_SECURITY
from consult.demo.specs import CallSpec
from consult.demo.upcoming_calls import MARKETPLACE_RULES, NETWORKING_TESTBEDS

CALLS: tuple[CallSpec, ...] = (
    POST_QUANTUM_READINESS,
    MUTUAL_ACCESS,
    RESEARCH_SECURITY,
    WORKFORCE,
    SUPPLY_CHAIN,
    STANDARDS,
    NETWORKING_TESTBEDS,
    MARKETPLACE_RULES,
)

# The call whose responses include the form letter (see `campaign.py`).
CAMPAIGN_CALL = SUPPLY_CHAIN
