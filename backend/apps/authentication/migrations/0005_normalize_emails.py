"""Stored emails in the one normalised form (NFKC + casefold) that sign-in now matches exactly.

Only addresses whose form changes are touched (non-ASCII ones, in practice). An address whose
normalised form another account already holds is left alone and logged: merging accounts is a
decision for staff, never for a migration. Lockout rows are keyed by the same form.
"""

import logging
import unicodedata

from django.db import migrations

logger = logging.getLogger(__name__)


def normalize_email(value):
    # A frozen copy of apps.authentication.addresses.normalize_email (migrations never import app code).
    folded = unicodedata.normalize("NFKC", (value or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def normalize_stored_emails(apps, schema_editor):
    User = apps.get_model("authentication", "User")
    LoginLockout = apps.get_model("authentication", "LoginLockout")
    for user in User.objects.only("pk", "email").iterator():
        wanted = normalize_email(user.email)
        if wanted == user.email:
            continue
        if User.objects.filter(email=wanted).exclude(pk=user.pk).exists():
            logger.warning("User %s: %r normalises to an address another account holds; left as is", user.pk, user.email)
            continue
        User.objects.filter(pk=user.pk).update(email=wanted)
    for lockout in LoginLockout.objects.only("pk", "email").iterator():
        wanted = normalize_email(lockout.email)
        if wanted != lockout.email:
            LoginLockout.objects.filter(pk=lockout.pk).delete()  # a fresh window under the canonical key


class Migration(migrations.Migration):
    dependencies = [("authentication", "0004_session_epoch_email_outbox")]

    operations = [migrations.RunPython(normalize_stored_emails, migrations.RunPython.noop)]
