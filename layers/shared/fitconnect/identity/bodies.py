"""Request bodies of the identity endpoints (pydantic: a bad field is a 400 naming it)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from fitconnect.identity.accounts import normalise_email
from fitconnect.platform.contract import RequestBody, SingleLine, View


def _email(value: str) -> str:
    normalised = normalise_email(value)
    if normalised is None:
        raise ValueError("not a valid e-mail address")
    return normalised


Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
OpaqueToken = Annotated[str, Field(min_length=1, max_length=4096)]


class Body(RequestBody):
    # Sign-in bodies tolerate extra fields (older clients send device hints); still strict types.
    model_config = ConfigDict(extra="ignore", strict=True)


class RegisterBody(Body):
    email: Email
    password: Password
    name: Name


class LoginBody(Body):
    email: Email
    password: Password
    totp_code: Code | None = None


class RefreshBody(Body):
    refresh_token: OpaqueToken


class MfaVerifyBody(Body):
    code: Code


class SsoBody(Body):
    id_token: Annotated[str, Field(min_length=1, max_length=16384)]
    totp_code: Code | None = None


class ForgotPasswordBody(Body):
    email: Email


class ResetPasswordBody(Body):
    email: Email
    code: Code
    new_password: Password


class AdminUserPatch(RequestBody):
    role: Literal["member", "trainer", "admin"] | None = None
    disabled: bool | None = None


class TokenPairView(View):
    """What a login, a refresh and an SSO sign-in answer (`tokens.TokenPair.body()`)."""

    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int
