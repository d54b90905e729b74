from django.urls import path

from .views import contacts, dashboard, enterprises, excel, followups, funds, projects, search, targets

app_name = "clients"

urlpatterns = [
    # enterprises
    path("enterprises/", enterprises.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", enterprises.enterprise_create, name="enterprise_create"),
    path("enterprises/check/", enterprises.enterprise_check, name="enterprise_check"),
    path("enterprises/<int:pk>/", enterprises.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/assign/", enterprises.enterprise_assign, name="enterprise_assign"),
    path("enterprises/<int:pk>/verify/", enterprises.enterprise_verify, name="enterprise_verify"),
    path(
        "enterprises/request-collaboration/<str:token>/",
        enterprises.enterprise_request_collaboration,
        name="enterprise_request_collaboration",
    ),
    path(
        "enterprises/<int:pk>/collaborators/",
        enterprises.enterprise_collaborator_add,
        name="enterprise_collaborator_add",
    ),
    path(
        "enterprises/<int:pk>/collaborators/<int:user_id>/remove/",
        enterprises.enterprise_collaborator_remove,
        name="enterprise_collaborator_remove",
    ),
    path("enterprises/<int:enterprise_pk>/contacts/new/", contacts.contact_create, name="contact_create"),
    path("enterprises/<int:enterprise_pk>/projects/new/", projects.project_create, name="project_create"),
    # contacts
    path("contacts/<int:pk>/", contacts.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/reveal/<slug:field>/", contacts.contact_reveal, name="contact_reveal"),
    path(
        "contacts/request-collaboration/<str:token>/",
        contacts.contact_request_collaboration,
        name="contact_request_collaboration",
    ),
    # projects
    path("projects/", projects.project_list, name="project_list"),
    path("projects/pool/", projects.project_pool, name="project_pool"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/stage/", projects.project_stage, name="project_stage"),
    path("projects/<int:pk>/milestones/", projects.project_milestone_add, name="project_milestone_add"),
    path("projects/<int:pk>/assign/", projects.project_assign, name="project_assign"),
    path("projects/<int:pk>/claim/", projects.project_claim, name="project_claim"),
    path("projects/<int:pk>/release/", projects.project_release, name="project_release"),
    path("projects/<int:pk>/collaborators/", projects.project_collaborator_add, name="project_collaborator_add"),
    path(
        "projects/<int:pk>/collaborators/<int:user_id>/remove/",
        projects.project_collaborator_remove,
        name="project_collaborator_remove",
    ),
    path("projects/<int:project_pk>/followups/new/", followups.followup_create, name="followup_create"),
    # search, Excel, dashboard
    path("search/", search.search, name="search"),
    path("import/", excel.import_list, name="import_list"),
    path("import/template/<slug:kind>/", excel.import_template, name="import_template"),
    path("import/<slug:kind>/", excel.import_upload, name="import_upload"),
    path("import/batches/<int:pk>/", excel.import_batch, name="import_batch"),
    path("import/batches/<int:pk>/progress/", excel.import_progress, name="import_progress"),
    path("import/batches/<int:pk>/retry/", excel.import_retry_view, name="import_retry"),
    path("import/batches/<int:pk>/undo/", excel.import_undo, name="import_undo"),
    path("export/<slug:kind>/", excel.export, name="export"),
    path("dashboard/", dashboard.cockpit, name="cockpit"),
    # [L] 考核 targets and 到资
    path("targets/", targets.target_list, name="target_list"),
    path("targets/export/", targets.target_export, name="target_export"),
    path("projects/<int:pk>/funds/", funds.project_tranche_add, name="project_tranche_add"),
    path("projects/<int:pk>/plans/", funds.project_plan_set, name="project_plan_set"),
]
