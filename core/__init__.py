"""Plumbing every app uses and no domain: rule violations and their codes, error handling for
views and the API, team-scoped view helpers, the token module and the registries (wall-screen
panels, calendar-feed sources) through which apps contribute without importing each other."""
