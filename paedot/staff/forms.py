from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    username = forms.CharField(label="Username", max_length=150)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your team lead.",
    }


class AppCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 numbers the app shows now. They change every 30 seconds.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "nhsuk-input--width-10"}
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app, numbers only")
        return code


class SecondFactorForm(forms.Form):
    """The code from the app, or a recovery code when the phone is not to hand."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "class": "nhsuk-input--width-10"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app, or a recovery code"},
    )

    def __init__(self, *args, recovery_codes_left: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            "The 6 numbers your app shows now. Without your phone, enter one of your recovery codes instead. "
            f"You have {recovery_codes_left} left; each works once."
        )


class ResetTwoFactorForm(forms.Form):
    reason = forms.CharField(
        label="Why are you resetting it?",
        help_text="For example: phone lost on 3 March, confirmed with them by telephone.",
        max_length=300,
        error_messages={"required": "Say why you are resetting their two-factor sign-in"},
    )


class FindColleagueForm(forms.Form):
    username = forms.CharField(
        label="Their username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter your colleague's username"},
    )
