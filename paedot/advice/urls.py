from django.urls import path

from paedot.advice import views

app_name = "advice"

# The library's and the packs' paths come before <reference>/, so no reference can shadow them.
urlpatterns = [
    path("sheets", views.library, name="library"),
    path("sheets/<slug:slug>", views.show_sheet, name="show_sheet"),
    path("sheets/<slug:slug>.pdf", views.preview_sheet_pdf, name="preview_sheet_pdf"),
    path("sheets/<slug:slug>/edit", views.edit_sheet, name="edit_sheet"),
    path("packs/<int:pack_id>", views.show_pack, name="show_pack"),
    path("<str:reference>/packs/new", views.build_pack, name="build_pack"),
    path("<str:reference>/", views.referral_packs, name="referral_packs"),
]
