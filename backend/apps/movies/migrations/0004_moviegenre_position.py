"""MovieGenre.position: TMDb's order of a movie's genres (existing links: primary first, then as stored)."""

from django.db import migrations, models


def number_links(apps, schema_editor):
    MovieGenre = apps.get_model("movies", "MovieGenre")
    current, position, changed = None, 0, []
    for link in MovieGenre.objects.order_by("movie_id", "-is_primary", "id").iterator(chunk_size=2000):
        position = position + 1 if link.movie_id == current else 0
        current = link.movie_id
        if position:
            link.position = position
            changed.append(link)
        if len(changed) >= 2000:
            MovieGenre.objects.bulk_update(changed, ["position"])
            changed = []
    MovieGenre.objects.bulk_update(changed, ["position"])


class Migration(migrations.Migration):
    dependencies = [("movies", "0003_sync_state")]

    operations = [
        migrations.AddField(
            model_name="moviegenre",
            name="position",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(number_links, migrations.RunPython.noop, elidable=True),
    ]
