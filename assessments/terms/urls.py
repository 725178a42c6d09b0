from django.urls import path

from . import views

app_name = "terms"

urlpatterns = [
    path("terms/", views.terms_list, name="list"),
    path("terms/<str:version>/", views.terms_detail, name="detail"),
    path("orgs/<slug:slug>/terms/", views.organization_terms, name="organization"),
    path("orgs/<slug:slug>/terms/accept/", views.terms_accept, name="accept"),
    path("orgs/<slug:slug>/terms/withdraw/", views.withdraw, name="withdraw"),
    path("nam/terms/", views.nam_terms, name="nam_terms"),
    path("nam/withdrawals/<int:pk>/confirm/", views.nam_withdrawal_confirm, name="nam_withdrawal_confirm"),
]
