from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paedot.core"
    verbose_name = "Shared machinery"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from paedot.core import audit, changes

        user_logged_in.connect(audit.on_signed_in, dispatch_uid="paedot.core.audit.signed_in")
        user_logged_out.connect(audit.on_signed_out, dispatch_uid="paedot.core.audit.signed_out")
        user_login_failed.connect(audit.on_sign_in_failed, dispatch_uid="paedot.core.audit.sign_in_failed")
        # Auditing is not business logic: every save of a child's record says what changed, before and after.
        post_save.connect(changes.on_saved, dispatch_uid="paedot.core.changes.on_saved")
