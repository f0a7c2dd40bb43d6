"""The public pages families and referrers read without signing in."""

from django.shortcuts import render


def service_page(request):
    return render(request, "public/service_page.jinja", {"page_title": "Children's occupational therapy"})
