"""Two people of the demonstration data with their passwords, and signing in as a person does."""

from __future__ import annotations

from playwright.async_api import Page, expect

ORGANISER = ("organiser@consult.example", "organiser-demo-superposition")
STAKEHOLDER = ("priya.shah@qubits.example", "stakeholder-demo-qubit-lattice")


async def sign_in(page: Page, server: str, email: str, password: str) -> None:
    await page.goto(server + "/account/signin")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
