"""Enterprise access that follows a project is computed now (clients.scopes): drop the rows that
stored it, so that none outlives the ownership or project grant it came from.

- every enterprise grant of kind "assignment": written only for a project's new owner
  (project assignment, 公海 claim), never by hand;
- every view-only enterprise grant written beside a project collaborator's grant: same user, same
  kind and expiry as a grant on one of the enterprise's projects.

An enterprise grant left behind by an earlier removal of its project grant cannot be told apart
from a deliberate enterprise collaboration; the enterprise page lists both to its owner.
"""

from django.db import migrations


def drop_derived(apps, schema_editor):
    EnterpriseGrant = apps.get_model("clients", "EnterpriseUserObjectPermission")
    ProjectGrant = apps.get_model("clients", "ProjectUserObjectPermission")
    EnterpriseGrant.objects.filter(kind="assignment").delete()
    project_grants = {
        (user_id, enterprise_id, kind, expires_at)
        for user_id, enterprise_id, kind, expires_at in ProjectGrant.objects.values_list(
            "user_id", "content_object__enterprise_id", "kind", "expires_at"
        )
    }
    writers = set(
        EnterpriseGrant.objects.filter(permission__codename="change_enterprise").values_list(
            "user_id", "content_object_id"
        )
    )
    derived = [
        pk
        for pk, user_id, enterprise_id, kind, expires_at in EnterpriseGrant.objects.filter(
            permission__codename="view_enterprise"
        ).values_list("pk", "user_id", "content_object_id", "kind", "expires_at")
        if (user_id, enterprise_id, kind, expires_at) in project_grants and (user_id, enterprise_id) not in writers
    ]
    EnterpriseGrant.objects.filter(pk__in=derived).delete()


class Migration(migrations.Migration):
    dependencies = [
        ('clients', '0009_english_names_for_reference_rows'),
    ]

    operations = [migrations.RunPython(drop_derived, migrations.RunPython.noop)]
