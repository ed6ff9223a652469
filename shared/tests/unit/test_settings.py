from pathlib import Path

import pytest
from pydantic import ValidationError

from kakehashi.shared.settings import DEV_JWT_SECRET, ServiceSettings

STRONG = "s" * 40


def test_development_accepts_the_shipped_secret() -> None:
    assert (
        ServiceSettings(environment="development").jwt_secret.get_secret_value() == DEV_JWT_SECRET
    )


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("secret", [DEV_JWT_SECRET, "short-secret"])
def test_unsafe_secrets_are_refused_outside_development(environment: str, secret: str) -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        ServiceSettings(environment=environment, jwt_secret=secret)


def test_database_defaults_to_a_sqlite_file_per_service_under_the_data_dir(tmp_path: Path) -> None:
    settings = ServiceSettings(service_name="candidates", data_dir=tmp_path, jwt_secret=STRONG)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'candidates.db'}"


def test_an_explicit_database_url_wins() -> None:
    url = "postgresql+psycopg://u:p@db/candidates"
    assert ServiceSettings(database_url=url).resolved_database_url == url


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    class Prefixed(ServiceSettings):
        model_config = {"env_prefix": "KAKEHASHI_X_"}

    monkeypatch.setenv("KAKEHASHI_X_KAFKA_BOOTSTRAP_SERVERS", "a:1, b:2")
    assert Prefixed().bootstrap_servers == ["a:1", "b:2"]
