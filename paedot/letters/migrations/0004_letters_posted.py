"""Recording that a letter was printed and posted.

Nobody recorded posting before this migration, so whether an older letter went out is not known here. Listing every
one of them as "to post" would bury the letters that really are waiting under years of ones long since sent, so the
letters already issued are counted as posted when they were issued, by nobody named, and flagged as such
(`posted_before_recording`): the pages say "posted before posting was recorded", never a person's name.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def count_earlier_letters_as_posted(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    # One statement, however many letters: their issue time becomes their posting time.
    Letter.objects.filter(posted_at__isnull=True).update(
        posted_at=models.F("created_at"), posted_by=None, posted_before_recording=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0003_alter_letter_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="posted_at",
            field=models.DateTimeField(blank=True, help_text="When it was recorded as printed and posted.", null=True),
        ),
        migrations.AddField(
            model_name="letter",
            name="posted_before_recording",
            field=models.BooleanField(
                default=False,
                help_text="Issued before posting was recorded: counted as posted when issued, by nobody named.",
            ),
        ),
        migrations.AddField(
            model_name="letter",
            name="posted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Reversing leaves the fields to be dropped with what they hold: nothing to undo first.
        migrations.RunPython(count_earlier_letters_as_posted, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(
                condition=models.Q(("posted_at__isnull", True)), fields=["created_at", "id"], name="letter_to_post_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.CheckConstraint(
                condition=models.Q(("posted_by__isnull", True), ("posted_at__isnull", False), _connector="OR"),
                name="letter_posted_by_has_posted_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("posted_before_recording", False),
                    models.Q(("posted_at__isnull", False), ("posted_by__isnull", True)),
                    _connector="OR",
                ),
                name="letter_posted_before_recording_by_nobody",
            ),
        ),
    ]
