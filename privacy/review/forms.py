from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LawEntry, default_next_review

DATE = {"type": "date"}


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("复核日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    next_review_date = forms.DateField(label=_("下次复核日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    note = forms.CharField(label=_("复核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate(), "next_review_date": default_next_review()})
        super().__init__(*args, **kwargs)


class LawEntryForm(forms.ModelForm):
    class Meta:
        model = LawEntry
        fields = [
            "name",
            "name_en",
            "kind",
            "issuer",
            "effective_date",
            "changes",
            "review_note",
            "next_review_date",
            "active",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "next_review_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "changes": forms.Textarea(attrs={"rows": 3}),
            "review_note": forms.Textarea(attrs={"rows": 2}),
        }
