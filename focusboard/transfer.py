"""What `export_team` copies of the focus board (see core/transfer.py)."""

from core.transfer import register_not_exported, register_team_data

register_team_data("focusboard.FocusItem", team="team")
register_team_data("focusboard.FocusEvent", team="team")
register_team_data("focusboard.WallScreen", team="team")
register_not_exported("focusboard.KioskToken", "a secret; make a new wall-screen address")
register_not_exported(
    "focusboard.WallPlaylist", "a room's screen across teams, not one team's: make it again"
)
register_not_exported("focusboard.WallPlaylistToken", "a secret; make a new screen address")
