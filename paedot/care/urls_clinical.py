"""The clinical work's pages: assessment, packages of care and their goals, reviews, reviews due, the goal bank.
Included by paedot/care/urls.py (namespace "care", mounted at /staff/care/)."""

from django.urls import path

from paedot.care.views import clinical

urlpatterns = [
    path("reviews-due", clinical.reviews_due_view, name="reviews_due"),
    path("goal-bank", clinical.show_goal_bank, name="show_goal_bank"),
    path("assessments/<int:assessment_id>", clinical.show_assessment, name="show_assessment"),
    path("packages/<int:package_id>", clinical.show_package, name="show_package"),
    path("packages/<int:package_id>/review", clinical.review_package_view, name="review_package"),
    path("reviews/<int:review_id>", clinical.show_review, name="show_review"),
    path("<str:reference>/assessments/new", clinical.record_assessment_view, name="record_assessment"),
    path("<str:reference>/packages/new", clinical.set_package_view, name="set_package"),
]
