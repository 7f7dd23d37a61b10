"""What `export_team` copies of the tripwires (see core/transfer.py)."""

from core.transfer import register_not_exported, register_team_data

register_team_data("tripwires.Tripwire", team="team")
register_team_data("tripwires.Observation", team="tripwire__team")
register_team_data("tripwires.IngestBatch", team="tripwire__team")
register_team_data("tripwires.TripwireEvent", team="tripwire__team")
register_team_data("tripwires.AlertSettings", team="team")
register_team_data("tripwires.AlertSubscription", team="team")
register_team_data("tripwires.NeutralTest", team="team")
register_not_exported("tripwires.IngestToken", "a secret; give the pipeline a new token")
