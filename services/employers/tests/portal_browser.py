"""What the employer portal's tests share: a TestClient that holds a browser's cookies (the
single sign-on session, the CSRF token) and posts forms as a browser of our origin does."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from conftest import token_for
from kakehashi.shared.ui.browser_session import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE

CSRF = "c" * 43  # a token of the kit's length (secrets.token_urlsafe(32))
ORIGIN = {"Origin": "http://testserver"}
EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true"}
Form = dict[str, Any]


def days_ahead(days: int) -> str:
    """A date `days` from today, as a form field holds it (the dates stay plausible)."""
    return (date.today() + timedelta(days=days)).isoformat()


# A 求人票 as the form posts it: an SSW i welding order in Aichi.
WELDER: Form = {
    "title": "溶接工 / Welder",
    "track": "ssw1",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": "2",
    "min_japanese_level": "N4",
    "skill": ["welding"],
    "level_welding": "3",
    "must_welding": "on",
    "monthly_base_pay_yen": "230000",
    "application_deadline": days_ahead(40),
    "status": "open",
}


def sign_in(client: TestClient, role: str = "employer", organisation: str = "emp-aichi") -> None:
    """The browser holds identity's session cookie and the kit's CSRF cookie."""
    client.cookies.set(SESSION_COOKIE, token_for(role, organisation))
    client.cookies.set(CSRF_COOKIE, CSRF)


def post_form(
    client: TestClient, url: str, form: Form, headers: dict[str, str] | None = None
) -> Response:
    """A form of our origin with its CSRF token, not following the answer's redirect."""
    response: Response = client.post(
        url,
        data={**form, CSRF_FIELD: CSRF},
        headers=ORIGIN | (headers or {}),
        follow_redirects=False,
    )
    return response


def post_order(client: TestClient, **changes: Any) -> str:
    """Post the welder order (with `changes`) through the form; returns the new order's id."""
    posted = post_form(client, "/portal/orders", WELDER | changes)
    assert posted.status_code == 303, posted.text
    location = posted.headers["location"]
    assert location.startswith("/portal/orders/")
    return location.removeprefix("/portal/orders/")
