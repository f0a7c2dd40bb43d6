"""Staff pages. (Being built.)"""
