"""Every process of the running system serves its metrics, and they move as a registration
travels: the API counts the request, its relay publishes the event, matching's consumer applies
it (the issue's "curl each process's metrics while the README's walk runs", automated)."""

from __future__ import annotations

import re

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import PROCESSES, Supervisor
from tests.e2e.test_slice import _candidate, _register

pytestmark = pytest.mark.e2e

_SAMPLE = re.compile(r"^(?P<name>[a-z_:]+(?:\{[^}]*\})?) (?P<value>\S+)$")


def scrape(url: str) -> dict[str, float]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, url
    samples = {}
    for line in response.text.splitlines():
        match = _SAMPLE.match(line)
        if match:
            samples[match["name"]] = float(match["value"])
    return samples


def test_every_process_serves_metrics_and_they_move_with_a_registration(
    system: Supervisor,
) -> None:
    urls = system.metrics_urls()
    assert set(urls) == {p.name for p in PROCESSES}
    before = {name: scrape(url) for name, url in urls.items()}
    for name, samples in before.items():
        assert any(key.startswith("kakehashi_readiness_check_ok") for key in samples), name

    _register(system, "tc-tay-ninh", _candidate("Nguyễn Văn Metrics", "N3", 4))

    registered = 'kakehashi_http_requests_total{method="POST",route="/candidates",status="201"}'
    published = 'kakehashi_relay_published_events_total{service="candidates"}'
    applied = (
        'kakehashi_consumer_handle_duration_seconds_count{group="matching",'
        'topic="candidate-events"}'
    )

    def moved(process: str, sample: str) -> bool:
        return scrape(urls[process]).get(sample, 0.0) > before[process].get(sample, 0.0)

    assert moved("candidates-api", registered)
    wait_until(lambda: moved("candidates-relay", published), timeout_s=30)
    wait_until(lambda: moved("matching-consumer", applied), timeout_s=30)
    pending = scrape(urls["candidates-relay"])
    assert pending['kakehashi_outbox_pending_events{service="candidates"}'] >= 0

    def lag_sampled() -> bool:
        samples = scrape(urls["matching-consumer"])
        return any(
            key.startswith('kakehashi_consumer_lag_events{group="matching"') for key in samples
        )

    wait_until(lag_sampled, timeout_s=30)  # per partition, every 5 s
    manager = auth("program_manager", "pm-office")
    assert httpx.get(f"{system.url('matching')}/job-orders", headers=manager).status_code == 200
