"""Models used only by the encryption tests (installed when ZHAOSHANG_TESTING is set).

`Person` is a data subject shaped like a contact (five encrypted fields, two blind indexes, a plain
field); `Note` is free text owned by its own record and, through a cascading foreign key, by the
person it belongs to.
"""

from django.db import models

from privacy.crypto import BlindIndexField, EncryptedCharField, EncryptedTextField, PersonalDataModel


class Person(PersonalDataModel):
    name = EncryptedCharField(max_length=50)
    mobile = EncryptedCharField(max_length=30, null=True, blank=True)
    email = EncryptedCharField(max_length=254, null=True, blank=True)
    wechat = EncryptedCharField(max_length=50, null=True, blank=True)
    id_number = EncryptedCharField(max_length=18, null=True, blank=True)
    mobile_bidx = BlindIndexField(source="mobile", normalizer="mobile")
    email_bidx = BlindIndexField(source="email", normalizer="email")
    city = models.CharField(max_length=30, blank=True)

    def __str__(self):
        return f"Person {self.pk}"


class Note(PersonalDataModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(blank=True)

    def __str__(self):
        return f"Note {self.pk}"
