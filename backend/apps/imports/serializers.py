"""Input and output shapes of the imports, review and export endpoints."""

from rest_framework import serializers

from apps.favorites.serializers import MAX_TMDB_ID

from .models import Import, ImportRow, ImportSource


class ImportInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=ImportSource.choices)
    file = serializers.FileField(
        allow_empty_file=False,
        help_text="Letterboxd: the export zip; IMDb: ratings or watchlist CSV; Trakt: the export zip or one "
        "of its JSON files; csv: the documented header; movienexus: GET watched/export/?format=json.",
    )


class ReviewDecisionInputSerializer(serializers.Serializer):
    tmdb_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_TMDB_ID,
        required=False,
        allow_null=True,
        help_text="The candidate confirmed.",
    )
    skip = serializers.BooleanField(default=False, help_text="Import nothing for this row.")

    def validate(self, attrs: dict) -> dict:
        if attrs["skip"] == (attrs.get("tmdb_id") is not None):
            raise serializers.ValidationError(
                {"tmdb_id": ["Send either a candidate's tmdb_id or skip=true."]}
            )
        return attrs


class ImportOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Import
        fields = [
            "id",
            "source",
            "status",
            "filename",
            "total_rows",
            "error",
            "recoveries",
            "created_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "error": {"help_text": "Why the import failed (or was given up after its worker was lost)."},
            "recoveries": {
                "help_text": "Times the import was resumed after the worker running it was lost (it fails "
                "past a limit)."
            },
            "heartbeat_at": {
                "help_text": "The last sign of life of the worker running it (or of its queueing)."
            },
        }


class ImportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0)
    pending = serializers.IntegerField(min_value=0)
    applied = serializers.IntegerField(min_value=0, help_text="Written: created, or updated.")
    unchanged = serializers.IntegerField(
        min_value=0, help_text="Already there, or a newer edit here was kept."
    )
    review = serializers.IntegerField(min_value=0, help_text="Ambiguous: waiting in the review queue.")
    skipped = serializers.IntegerField(min_value=0)
    failed = serializers.IntegerField(min_value=0)


class ImportFailureSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    ref = serializers.CharField(help_text='Where in the upload, e.g. "diary.csv:12".')
    title = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class ImportProgressSerializer(serializers.Serializer):
    counts = ImportCountsSerializer()
    matched_by = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rows matched per rule: tmdb_id, imdb_id, title_year, …"
    )
    match_rate = serializers.FloatField(allow_null=True, help_text="Matched rows / all rows.")
    failures = ImportFailureSerializer(many=True, help_text="The first 100 failed rows.")

    def get_fields(self):
        # `import` is a Python keyword, so the field cannot be declared as a class attribute.
        return {"import": ImportOutputSerializer(read_only=True), **super().get_fields()}


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="TMDb id.")
    title = serializers.CharField()
    original_title = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)


class ReviewRowSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    year = serializers.SerializerMethodField()
    candidates = CandidateSerializer(many=True)

    class Meta:
        model = ImportRow
        fields = ["position", "kind", "status", "reason", "title", "year", "candidates"]
        read_only_fields = fields

    def get_title(self, row) -> str:
        return row.data.get("title", "")

    def get_year(self, row) -> int | None:
        return row.data.get("year")


class ExportParamsSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=["letterboxd", "json"],
        default="json",
        help_text="letterboxd: Letterboxd's import CSV of my history; json: favorites, watchlist and history.",
    )
