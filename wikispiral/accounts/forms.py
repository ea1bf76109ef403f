"""Forms of the account pages. They check shape and give early feedback; services decide."""

import time
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from wikispiral.accounts import selectors
from wikispiral.accounts.models import User
from wikispiral.accounts.services import EMAIL_TAKEN_MESSAGE, USERNAME_TAKEN_MESSAGE
from wikispiral.accounts.zones import zone_names
from wikispiral.typing import StrOrPromise

# Bots fill every field they find; people never see this one (class "honeypot", aria-hidden).
HONEYPOT_FIELD = "website"
FORM_STAMP_FIELD = "stamp"
FORM_STAMP_SALT = "wikispiral.accounts.signup_stamp"
# People need more than a few seconds to fill in a sign-up form; scripts usually do not wait.
FORM_MIN_FILL_SECONDS = 3
FORM_STAMP_MAX_AGE_SECONDS = 24 * 60 * 60


def make_form_stamp(issued_at: float | None = None) -> str:
    """Sign the time a form was rendered (now by default); tests pass a past time instead of
    sleeping."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.Signer(salt=FORM_STAMP_SALT).sign_object({"t": issued_at})


def form_stamp_error(stamp: str | None, *, now: float | None = None) -> str | None:
    """Why a submitted form stamp is refused, or None when it is acceptable."""
    now = time.time() if now is None else now
    try:
        issued_at = signing.Signer(salt=FORM_STAMP_SALT).unsign_object(stamp or "")["t"]
        issued_at = float(issued_at)
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return str(_("This form was altered or is damaged. Please fill it in again and send it."))
    age = now - issued_at
    if age > FORM_STAMP_MAX_AGE_SECONDS:
        return str(_("This form has expired. Please fill it in again and send it."))
    if age < FORM_MIN_FILL_SECONDS:
        return str(
            _(
                "This form was sent too quickly to have been filled in by a person. "
                "Please check your details and send it again."
            )
        )
    return None


def honeypot_filled(data: QueryDict) -> bool:
    """Whether the hidden field that only robots fill in carries a value."""
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def _language_choices() -> list[tuple[str, StrOrPromise]]:
    return [(code, name) for code, name in settings.LANGUAGES]


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Preferred language"),
        choices=_language_choices,
        help_text=_("The language of the site and of the emails we send you."),
    )


class NewAccountForm(forms.Form):
    """The fields of a new account that every way of creating one asks for (sign-up, an
    invitation's page, which takes the address from the invitation)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("150 characters or fewer: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    display_name = forms.CharField(
        label=_("Display name (optional)"),
        max_length=150,
        required=False,
        help_text=_("The name shown on your contributions. Your username is used otherwise."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password, again"),
        strip=False,
        help_text=_("Enter the same password as before, for verification."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error(
                "password_confirm",
                forms.ValidationError(
                    _("The two passwords do not match."), code="password_mismatch"
                ),
            )
        return cleaned


class SignupForm(NewAccountForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to this address to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_language = _language_field()

    field_order = [
        "username",
        "email",
        "display_name",
        "preferred_language",
        "password",
        "password_confirm",
    ]

    def clean_username(self) -> str:
        username = User.normalize_username(self.cleaned_data["username"].strip())
        if selectors.user_username_taken(username=username):
            raise forms.ValidationError(USERNAME_TAKEN_MESSAGE, code="username_taken")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if selectors.user_email_taken(email=email):
            raise forms.ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        stamp_error = form_stamp_error(self.data.get(FORM_STAMP_FIELD))
        if stamp_error:
            # Added, not raised: the person also sees what else needs fixing before resending.
            self.add_error(None, forms.ValidationError(stamp_error, code="form_stamp"))
        return cleaned


class LoginForm(forms.Form):
    """Log in by username or email address; both are matched ignoring case."""

    username = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, data: QueryDict | None = None) -> None:
        super().__init__(data)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        identifier, password = cleaned.get("username"), cleaned.get("password")
        if not identifier or not password:
            return cleaned
        account = selectors.user_get_for_login(identifier=identifier)
        # Authenticate with the canonical username so django-axes counts failures per account,
        # whichever of username or email the person typed; an unknown name is counted as typed.
        username = account.get_username() if account is not None else identifier
        # axes' backend needs the request to check and record the attempt.
        self.user = authenticate(self.request, username=username, password=password)
        if self.user is None:
            raise forms.ValidationError(
                _(
                    "This username or email address and password do not match an account. "
                    "The password is case-sensitive."
                ),
                code="invalid_login",
            )
        return cleaned


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=150,
        required=False,
        help_text=_("The name shown on your contributions. Your username is used otherwise."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("If you change it, we send a link to the new address to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_language = _language_field()
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times, of workshops for instance, are shown in it."),
    )

    def __init__(self, data: QueryDict | None = None, *, user: User) -> None:
        initial = {
            "display_name": user.display_name,
            "email": user.email,
            "preferred_language": user.preferred_language or translation.get_language(),
            "time_zone": user.time_zone,
        }
        super().__init__(data, initial=initial)
        self.user = user
        time_zone = cast(forms.ChoiceField, self.fields["time_zone"])
        time_zone.choices = [("", _("UTC (none chosen)"))] + [
            (name, name.replace("_", " ")) for name in zone_names()
        ]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if selectors.user_email_taken(email=email, exclude=self.user):
            raise forms.ValidationError(EMAIL_TAKEN_MESSAGE, code="email_taken")
        return email


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, writing each email in the recipient's preferred language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "preferred_language", "")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )
