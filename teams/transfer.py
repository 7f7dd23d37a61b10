"""What `export_team` copies of teams (see core/transfer.py)."""

from core.transfer import register_not_exported, register_person_data, register_team_data

register_team_data("teams.Team", team="")
register_team_data("teams.Membership", team="team")
register_person_data("teams.Profile", user="user")
register_not_exported(
    "teams.Invitation", "a pending invitation is a secret link; invite people again"
)
register_not_exported("teams.ApiToken", "a person's secret; make a new API token")
