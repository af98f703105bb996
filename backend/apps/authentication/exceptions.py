"""Authentication errors: 401s with stable codes that DRF treats as authentication failures."""

from rest_framework import exceptions as drf

from core.error_codes import ErrorCode
from core.exceptions import APIError


class TokenNotValid(APIError, drf.AuthenticationFailed):
    """A JWT that is malformed, forged, expired, of the wrong type, or whose session has ended."""

    status_code = 401
    default_detail = "Token is invalid or expired."
    default_code = ErrorCode.TOKEN_NOT_VALID


class InvalidCredentials(APIError, drf.AuthenticationFailed):
    """Wrong email or password; the same answer whether or not the account exists."""

    status_code = 401
    default_detail = "Email or password is incorrect."
    default_code = ErrorCode.INVALID_CREDENTIALS


class AccountLocked(drf.Throttled):
    """Too many sign-in attempts on one account: 429 with Retry-After (lockout kept in the database)."""

    default_detail = "Too many sign-in attempts for this account. Try again later."
