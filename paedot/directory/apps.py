from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "paedot.directory"
    verbose_name = "Directory of GP practices, postcodes, schools and bank holidays"
