"""Names of the claims this app adds to simplejwt's tokens (shared by the tokens and the
authentication class, which import each other's modules no more)."""

SID_CLAIM = "sid"  # the UserSession an access or refresh token belongs to
