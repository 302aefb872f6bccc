from django.urls import path

from governance import ballot_views as views

urlpatterns = [
    path("ballots/", views.ballots, name="ballots"),
    path("ballots/new/", views.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/voted/", views.ballot_voted, name="ballot_voted"),
    path("ballots/<int:pk>/results/", views.ballot_results, name="ballot_results"),
    path("ballots/<int:pk>/results.csv", views.ballot_results_csv, name="ballot_results_csv"),
    path("ballots/<int:pk>/receipts/", views.ballot_receipts, name="ballot_receipts"),
    path("ballots/<int:pk>/<slug:action>/", views.ballot_action, name="ballot_action"),
    path("proxies/", views.proxies, name="proxies"),
    path("proxies/<int:pk>/cancel/", views.proxy_cancel, name="proxy_cancel"),
]
