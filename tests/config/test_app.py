"""The service as a whole: probes, error pages in the layout, security headers, body limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from base.settings import Settings, load_settings
from config.app import create_app
from core.models import Person, Topic
from core.ratelimit import RateLimited
from events.sessions import NoSuchOccurrence, SessionIsCancelled
from tests.conftest import TEST_SECRET
from tests.support import NewAccount, csrf_from, page, sign_up


def in_layout(response: httpx.Response) -> bool:
    html = page(response)
    return (
        html.select_one("a.skip-link") is not None and html.select_one("header.header") is not None
    )


async def test_healthz_and_readyz_answer_when_the_database_does(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok"})


@pytest.fixture
async def app_without_database(tmp_path: Path) -> AsyncIterator[Starlette]:
    settings = load_settings(
        {
            "ENV": "test",
            "DATA_DIR": str(tmp_path),
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere",  # nothing listens on port 9
        },
        env_file=None,
    )
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


async def test_readyz_is_503_and_pages_say_unavailable_when_the_database_is_down(
    app_without_database: Starlette,
) -> None:
    transport = httpx.ASGITransport(app=app_without_database, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        home = await client.get("/")

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "5"
    assert home.status_code == 503
    assert home.headers["retry-after"] == "5"
    assert "Sorry, the service is unavailable" in page(home).find("h1").get_text()


async def test_home_page_lists_the_topics(client: httpx.AsyncClient) -> None:
    await Topic.create(
        slug="standards", name="Standards", summary="Where standards are needed.", position=0
    )
    await Topic.create(
        slug="workforce", name="Workforce and skills", summary="Growing skills.", position=1
    )

    response = await client.get("/")

    titles = [a.get_text(strip=True) for a in page(response).select(".card__title a")]
    assert titles == ["Standards", "Workforce and skills"]
    topic = await client.get("/topics/standards")
    assert page(topic).find("h1").get_text(strip=True) == "Standards"


async def test_unknown_urls_get_the_404_page_in_the_layout(client: httpx.AsyncClient) -> None:
    for path in ("/no/such/page", "/topics/no-such-topic", "/organise/people/999999/role"):
        response = await client.get(path)
        assert response.status_code in (303, 404)
        if response.status_code == 404:
            assert in_layout(response)
            assert page(response).find("h1").get_text(strip=True) == "Page not found"
    response = await client.get("/topics/no-such-topic")
    assert response.status_code == 404


async def test_wrong_method_gets_the_405_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/signout")

    assert response.status_code == 405
    assert in_layout(response)
    assert "POST" in response.headers["allow"]


async def test_an_unexpected_error_gets_the_500_page_without_a_trace(app: Starlette) -> None:
    async def broken(request: Request) -> None:
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/broken", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/broken")

    assert response.status_code == 500
    assert in_layout(response)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


async def test_a_service_refusing_permission_gets_the_403_page_not_a_500(app: Starlette) -> None:
    async def refused(request: Request) -> None:
        raise PermissionError("not on this call's team")

    app.router.routes.append(Route("/refused", refused))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/refused")

    assert response.status_code == 403
    assert in_layout(response)
    assert "call's team" not in response.text


async def test_every_page_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # plain http in tests


async def test_https_base_url_turns_on_hsts_and_secure_cookies(settings: Settings) -> None:
    application = create_app(replace(settings, base_url="https://consult.example.gov"))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://consult.example.gov"
        ) as client:
            response = await client.get("/account/signin")

    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-qc_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path"} <= attributes
    assert "domain" not in attributes
    assert f"max-age={settings.session_idle_minutes * 60}" in cookie.lower()
    assert "path=/;" in cookie.replace(" ", "").lower() + ";"


async def test_account_pages_are_not_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/signin")

    assert response.headers["cache-control"] == "no-store"


async def test_a_body_over_the_limit_gets_413_and_stores_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    token = csrf_from(await client.get("/account/signup"))
    huge = "x" * (26 * 1024 * 1024)

    response = await client.post(
        "/account/signup", data={"csrf_token": token, **NewAccount().form(), "organisation": huge}
    )

    assert response.status_code == 413
    assert in_layout(response)
    assert await Person.all().count() == 0


async def test_a_streamed_body_without_length_over_the_limit_gets_413(app: Starlette) -> None:
    received: list[int] = []

    async def upload(request: Request) -> Response:
        received.append(len(await request.body()))
        return Response("stored")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"a" * (1024 * 1024)

    app.router.routes.append(Route("/upload-test", upload, methods=["POST"]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.post("/upload-test", content=chunks())
        await client.post("/upload-test", content=b"a" * 1000)

    assert response.status_code == 413
    assert in_layout(response)
    assert received == [1000]


async def test_malformed_multipart_gets_400(client: httpx.AsyncClient) -> None:
    await client.get("/account/signin")

    response = await client.post(
        "/account/signin",
        content=b"--broken\r\nnot really multipart",
        headers={"content-type": "multipart/form-data; boundary=other"},
    )

    assert response.status_code in (400, 403)
    assert in_layout(response)


async def test_signed_in_header_shows_account_and_sign_out(client: httpx.AsyncClient) -> None:
    await sign_up(client)

    response = await client.get("/")

    nav = page(response).select_one("nav.header__nav")
    assert nav is not None
    assert "Account" in nav.get_text() and "Sign out" in nav.get_text()
    assert "Sign in" not in nav.get_text()


async def test_a_refusal_no_view_caught_gets_its_status_and_message_as_a_page_or_problem(
    app: Starlette,
) -> None:
    async def refused(request: Request) -> None:
        raise SessionIsCancelled()

    async def limited(request: Request) -> None:
        raise RateLimited(90)

    app.router.routes.extend([Route("/refused", refused), Route("/limited", limited)])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page_answer = await client.get("/refused")
        limited_answer = await client.get("/limited")

    assert page_answer.status_code == 409
    assert in_layout(page_answer)
    assert "This session was cancelled; it can no longer change." in page_answer.text
    assert limited_answer.status_code == 429
    assert limited_answer.headers["retry-after"] == "90"
    assert "Too many attempts" in limited_answer.text


async def test_a_refusal_under_the_api_is_problem_json(app: Starlette) -> None:
    async def refused(request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            raise NoSuchOccurrence()
        return Response(status_code=204)

    app.router.routes.insert(0, Route("/api/v1/refused", refused))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/refused")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "That date is not part of this session."
