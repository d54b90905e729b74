"""The preferences form: one choice of channel per notification kind."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Channel


class PreferencesForm(forms.Form):
    def __init__(self, *args, preferences, **kwargs):
        """`preferences`: [(kind, channel in force)] from `services.notification_preferences`."""
        super().__init__(*args, **kwargs)
        for kind, channel in preferences:
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=[(c, Channel(c).label) for c in kind.channels()],
                initial=channel,
                help_text="" if kind.optional else _("此类通知不能关闭。"),
            )

    def channels(self):
        return dict(self.cleaned_data)
