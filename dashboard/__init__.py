"""CSC Insight dashboard: app factory, page shell, figures and the command line."""
