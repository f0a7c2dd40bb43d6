app_name = "casenotes"

urlpatterns: list = []
