app_name = "disclosures"
urlpatterns: list = []
