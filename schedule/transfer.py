"""What `export_team` copies of the schedule (see core/transfer.py). Busy calendars belong to
people, not to the team: they come along for the people the target database does not have."""

from core.transfer import register_not_exported, register_person_data, register_team_data

register_team_data("schedule.MakerPolicy", team="team")
register_team_data("schedule.Meeting", team="team")
register_team_data("schedule.MeetingAttendee", team="meeting__team")
register_team_data("schedule.InvitationSend", team="meeting__team")
register_person_data("schedule.BusySource", user="user")
register_person_data("schedule.BusyInterval", user="user")
register_not_exported("schedule.FeedToken", "a secret; subscribe to the feed again")
