"""Back-fills added_at and removed_at of rows written before migration 0002."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    """Existing rows were added when they were created; removed ones at their last update."""
    for name in ("Favorite", "WatchlistItem"):
        model = apps.get_model("favorites", name)
        model.objects.update(added_at=F("created_at"))
        model.objects.filter(is_active=False).update(removed_at=F("updated_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("favorites", "0002_added_removed_at"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
