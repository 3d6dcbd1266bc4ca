"""The JWT settings (SPEC §13) and how claims are found in a token."""

import pytest
from pydantic import ValidationError
from switchboard.server.jwt_auth import claim_at, database_id
from switchboard.server.settings import Settings

JWKS_URL = "https://idp.example.test/.well-known/jwks.json"


def test_jwt_is_off_by_default():
    settings = Settings()
    assert (settings.jwt_jwks_url, settings.jwt_issuer, settings.jwt_audience) == (None, None, None)


def test_the_three_settings_together_turn_jwt_on():
    settings = Settings(jwt_jwks_url=JWKS_URL, jwt_issuer="https://idp.example.test/", jwt_audience="switchboard")
    assert settings.jwt_jwks_url == JWKS_URL


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"jwt_jwks_url": JWKS_URL}, "SWITCHBOARD_JWT_ISSUER, SWITCHBOARD_JWT_AUDIENCE"),
        ({"jwt_jwks_url": JWKS_URL, "jwt_issuer": "https://idp.example.test/", "jwt_audience": " "}, "SWITCHBOARD_JWT_AUDIENCE"),
        ({"jwt_issuer": "https://idp.example.test/", "jwt_audience": "switchboard"}, "SWITCHBOARD_JWT_JWKS_URL"),
    ],
)
def test_a_partial_jwt_configuration_is_refused(given, missing):
    with pytest.raises(ValidationError, match=f"missing: {missing}"):
        Settings(**given)


@pytest.mark.parametrize("url", ["file:///etc/jwks.json", "idp.example.test/jwks", "https://"])
def test_the_jwks_url_is_http(url):
    with pytest.raises(ValidationError, match="must be an http"):
        Settings(jwt_jwks_url=url, jwt_issuer="https://idp.example.test/", jwt_audience="switchboard")


def test_the_refetch_limit_cannot_go_below_a_second():
    with pytest.raises(ValidationError):
        Settings(jwt_jwks_refetch_seconds=0)


TOKEN = {
    "sub": "user",
    "switchboard_role": "VIEWER",
    "https://hasura.io/jwt/claims": {"x-hasura-org-id": "12"},
    "switchboard": {"org": {"id": 7}},
    "https://example.com/role": "EDITOR",
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("switchboard_role", "VIEWER"),
        ("https://hasura.io/jwt/claims.x-hasura-org-id", "12"),
        ("switchboard.org.id", 7),
        ("https://example.com/role", "EDITOR"),
        ("switchboard.org.name", None),
        ("sub.name", None),
        ("missing", None),
    ],
)
def test_a_claim_is_a_name_or_a_dotted_path(path, value):
    assert claim_at(TOKEN, path) == value


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (12, 12),
        ("12", 12),
        (0, None),
        (-3, None),
        (2**31, None),
        (True, None),
        ("١٢", None),
        ("12a", None),
        (1.5, None),
        (None, None),
    ],
)
def test_an_organization_claim_is_a_database_id(claim, expected):
    assert database_id(claim) == expected
