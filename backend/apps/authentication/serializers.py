"""Serializers for the auth endpoints: strict inputs (unknown or read-only fields are refused) and outputs."""

from collections.abc import Mapping

from rest_framework import serializers

# Long passphrases are welcome; the cap only stops a multi-megabyte "password" from burning CPU.
PASSWORD_MAX_LENGTH = 512


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not accept (is_staff, email_verified, ids…) instead of ignoring them."""

    # core.schema documents such a body with additionalProperties: false.
    refuses_unknown_fields = True

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: ["This field cannot be set."] for name in unknown})
        return super().to_internal_value(data)


def password_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


class RegisterInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field(help_text="At least 10 characters; not a common password; passphrases welcome.")
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RegisterOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    verification_required = serializers.BooleanField()


class EmailInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)


class TokenInputSerializer(StrictInputSerializer):
    token = serializers.CharField(
        max_length=200, help_text="The `token` query parameter of the emailed link."
    )


class EmailVerifiedOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    email_verified = serializers.BooleanField()


class LoginInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()


class RefreshInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(max_length=4096)


class LogoutInputSerializer(StrictInputSerializer):
    refresh = serializers.CharField(
        max_length=4096,
        required=False,
        help_text="Optional when the request carries this session's access token.",
    )


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()
    session_id = serializers.UUIDField(source="session.id")


class SessionUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    email_verified = serializers.BooleanField()


class LoginOutputSerializer(TokenPairOutputSerializer):
    user = SessionUserSerializer(source="session.user")


class SessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    device = serializers.CharField()
    user_agent = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField()

    def get_current(self, session) -> bool:
        return str(session.id) == str(self.context.get("current_session_id") or "")


class PasswordChangeInputSerializer(StrictInputSerializer):
    current_password = password_field()
    new_password = password_field()


class PasswordResetConfirmInputSerializer(StrictInputSerializer):
    token = serializers.CharField(
        max_length=200, help_text="The `token` query parameter of the emailed link."
    )
    new_password = password_field()


class RevokedCountOutputSerializer(serializers.Serializer):
    revoked_sessions = serializers.IntegerField()
