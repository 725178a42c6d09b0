"""The public pages of the rubric."""

from django.shortcuts import render


def index(request):
    return render(request, "commitments/index.html", {})


def detail(request, slug):
    return render(request, "commitments/index.html", {})
