"""The case-management system of a children's Occupational Therapy service (modelled on Birmingham's)."""
