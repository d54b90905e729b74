"""Privacy training and recognition (namespace "privacy", assembled by privacy/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("training/", views.course_list, name="training"),
    path("training/new/", views.course_create, name="training_course_create"),
    path("training/courses/<int:pk>/", views.course_detail, name="training_course"),
    path("training/courses/<int:pk>/material/", views.course_material, name="training_material"),
    path("training/coverage/", views.coverage, name="training_coverage"),
    path("training/partners/", views.partner_training, name="training_partners"),
    path("training/recognitions/", views.recognitions, name="training_recognitions"),
    path("training/me/", views.training_mine, name="training_mine"),
    path("training/staff/<int:user_id>/", views.staff_page, name="training_staff"),
    path("training/staff/<int:user_id>/recognitions/", views.recognition_add, name="training_recognition_add"),
]
