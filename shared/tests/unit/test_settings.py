import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from pydantic import ValidationError

from kakehashi.shared.cli import worker_share
from kakehashi.shared.jwks import DEVELOPMENT_JWK
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.signing import SigningKey, jwks


def _jwks_file(tmp_path: Path, document: Mapping[str, object]) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_only_development_trusts_the_development_key() -> None:
    assert ServiceSettings(environment="development").trusts_development_key
    assert not ServiceSettings(environment="test").trusts_development_key
    assert not ServiceSettings(environment="production").trusts_development_key


@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_jwks_file_publishing_the_development_key_is_refused_outside_development(
    environment: str, tmp_path: Path
) -> None:
    own = SigningKey.generate("own").public_jwk()
    renamed = dict(DEVELOPMENT_JWK) | {"kid": "innocent-looking"}
    for keys in ([own, dict(DEVELOPMENT_JWK)], [renamed]):
        path = _jwks_file(tmp_path, {"keys": keys})
        with pytest.raises(ValidationError, match="development key"):
            ServiceSettings(environment=environment, auth_jwks_file=path)
    path = _jwks_file(tmp_path, {"keys": [dict(DEVELOPMENT_JWK)]})
    assert ServiceSettings(environment="development", auth_jwks_file=path).auth_jwks_file == path


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_demo_signing_key_is_refused_outside_development(
    environment: str, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="development only"):
        ServiceSettings(environment=environment, auth_dev_signing_key_file=tmp_path / "k.pem")


def test_a_jwks_file_must_be_a_readable_key_set(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="readable"):
        ServiceSettings(auth_jwks_file=tmp_path / "missing.json")
    with pytest.raises(ValidationError, match="at least one key"):
        ServiceSettings(auth_jwks_file=_jwks_file(tmp_path, {"keys": []}))
    good = _jwks_file(tmp_path, jwks(SigningKey.generate("k")))
    assert ServiceSettings(environment="production", auth_jwks_file=good).auth_jwks_file == good


@pytest.mark.parametrize("algorithms", [["HS256"], ["none"], []])
def test_only_asymmetric_algorithms_may_be_configured(algorithms: list[str]) -> None:
    with pytest.raises(ValidationError, match="auth_algorithms"):
        ServiceSettings(auth_algorithms=algorithms)


@pytest.mark.parametrize("url", ["ftp://issuer", "file:///etc/passwd", "issuer.example"])
def test_the_issuer_and_the_jwks_url_are_http_urls(url: str) -> None:
    with pytest.raises(ValidationError, match="http"):
        ServiceSettings(auth_issuer=url)
    with pytest.raises(ValidationError, match="http"):
        ServiceSettings(auth_jwks_url=url)


def test_there_is_no_signing_secret_setting_any_more() -> None:
    assert not {name for name in ServiceSettings.model_fields if "secret" in name}


def test_database_defaults_to_a_sqlite_file_per_service_under_the_data_dir(tmp_path: Path) -> None:
    settings = ServiceSettings(service_name="candidates", data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'candidates.db'}"


def test_an_explicit_database_url_wins() -> None:
    url = "postgresql+psycopg://u:p@db/candidates"
    assert ServiceSettings(database_url=url).resolved_database_url == url


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Prefixed(ServiceSettings):
        model_config = {"env_prefix": "KAKEHASHI_X_"}

    monkeypatch.setenv("KAKEHASHI_X_KAFKA_BOOTSTRAP_SERVERS", "a:1, b:2")
    monkeypatch.setenv("KAKEHASHI_X_AUTH_ALGORITHMS", '["RS256"]')
    monkeypatch.setenv("KAKEHASHI_X_AUTH_ROLE_CLAIM", "realm_access.roles")
    settings = Prefixed()
    assert settings.bootstrap_servers == ["a:1", "b:2"]
    assert settings.auth_algorithms == ["RS256"]
    assert settings.auth_role_claim == "realm_access.roles"


def test_several_api_workers_need_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="api_workers=4 needs PostgreSQL"):
        ServiceSettings(api_workers=4, data_dir=tmp_path)
    with pytest.raises(ValidationError, match="needs PostgreSQL"):
        ServiceSettings(api_workers=2, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert ServiceSettings(data_dir=tmp_path).api_workers == 1
    postgres = "postgresql+psycopg://kakehashi@db.internal/candidates"
    assert ServiceSettings(api_workers=4, database_url=postgres).api_workers == 4


def test_each_api_worker_gets_its_share_of_the_write_limit() -> None:
    postgres = "postgresql+psycopg://kakehashi@db.internal/candidates"
    settings = ServiceSettings(
        api_workers=4, database_url=postgres, writes_per_minute=600, write_burst=122
    )
    share = worker_share(settings)
    assert (share.write_rate, share.write_burst) == (150, 31)  # rounded up
    unlimited = ServiceSettings(api_workers=4, database_url=postgres, writes_per_minute=0)
    assert worker_share(unlimited).write_rate == 0
    alone = ServiceSettings(writes_per_minute=600)
    assert worker_share(alone) is alone
