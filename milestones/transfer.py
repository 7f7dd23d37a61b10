"""What `export_team` copies of the vision and milestones (see core/transfer.py), in
dependency order."""

from core.transfer import register_team_data, register_team_secret

register_team_data("milestones.Vision", team="team")
register_team_data("milestones.CharterChange", team="vision__team")
register_team_data("milestones.DoneCriterion", team="vision__team")
# Criterion values name the pipeline token that posted them: the token comes along, revoked.
register_team_secret("milestones.CriteriaToken", team="vision__team")
register_team_data("milestones.CriterionValue", team="criterion__vision__team")
register_team_data("milestones.Target", team="vision__team")
register_team_data("milestones.TargetRevision", team="target__vision__team")
register_team_data("milestones.QuarterlyReview", team="vision__team")
register_team_data("milestones.Milestone", team="team")
register_team_data("milestones.MilestoneSlip", team="milestone__team")
register_team_data("milestones.NonNegotiable", team="team")
register_team_data("milestones.NonNegotiableVersion", team="non_negotiable__team")
register_team_data("milestones.Check", team="milestone__team")
