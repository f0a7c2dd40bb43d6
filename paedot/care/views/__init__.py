"""The episode of care's pages: clinical (assessment, packages, goals, reviews) and record (episode, timeline,
equipment, consent, discharge, documents)."""
