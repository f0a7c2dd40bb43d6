app_name = "advice"

urlpatterns: list = []
