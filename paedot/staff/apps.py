from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "paedot.staff"
    verbose_name = "Staff and API clients"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from paedot.staff.middleware import stamp_session_at_sign_in

        user_logged_in.connect(stamp_session_at_sign_in, dispatch_uid="staff.stamp_session_at_sign_in")
