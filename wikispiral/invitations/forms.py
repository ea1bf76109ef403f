"""The form of an invited person who creates their account on the invitation's page."""

from wikispiral.accounts.forms import NewAccountForm


class InvitationSignupForm(NewAccountForm):
    """The account of an invited person; the email address is the invitation's."""
