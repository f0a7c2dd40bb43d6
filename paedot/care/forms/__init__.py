"""Forms for the episode of care pages, split as the views are."""
