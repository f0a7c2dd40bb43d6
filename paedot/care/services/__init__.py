"""Every change to a child's episode of care, one module per part of it. Import from the module itself:

episodes (opening the episode), assessments, packages (packages of care, goals, reviews), equipment, consent
(consent to share), discharge, reports (the documents that go to families, schools and GPs).
"""
