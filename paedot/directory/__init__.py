"""Public reference data the service looks things up in: GP practices, postcodes, schools and bank holidays.

Shared machinery: it imports none of the service's own apps, and they refer to its rows by code, not by foreign key.
"""
