"""Every API's /docs and /redoc work offline: their pages load Swagger UI and ReDoc locally."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.matching.bootstrap import SPEC as MATCHING

pytestmark = pytest.mark.integration
# Attributes that load something (src, href, ReDoc's spec-url) and Swagger UI's `url: '…'`.
REFERENCE = re.compile(
    r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|\burl\s*:\s*['"]([^'"]+)['"]"""
)


@pytest.mark.parametrize("spec", [CANDIDATES, EMPLOYERS, MATCHING], ids=lambda s: s.name)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_no_external_host_and_their_assets_answer(
    service_client: Callable[..., Any], spec: Any, page: str
) -> None:
    client = service_client(spec)
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"https?://|(?<![:\w])//[\w.-]+\.\w", html), html
    references = [a or b for a, b in REFERENCE.findall(html)]
    assert any(ref.endswith(".js") for ref in references), references
    for reference in references:
        assert reference.startswith("/"), reference
        assert client.get(reference).status_code == 200, reference
