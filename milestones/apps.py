from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "milestones"
    verbose_name = "Vision and milestones"

    def ready(self) -> None:
        from core.feeds import register_feed_source
        from core.wall import Region, WallPanel, register_wall_panel

        from . import selectors

        # The current target, its days left and the criteria's marks, beside the focus cards.
        register_wall_panel(
            WallPanel(
                name="vision",
                region=Region.SIDE,
                order=20,
                template_name="milestones/wall_panel.html",
                context=selectors.wall_panel,
                sources=(
                    ("milestones.Vision", "team_id"),
                    ("milestones.DoneCriterion", "vision.team_id"),
                    ("milestones.CriterionValue", "criterion.vision.team_id"),
                    ("milestones.Target", "vision.team_id"),
                    ("milestones.TargetRevision", "target.vision.team_id"),
                ),
            )
        )
        # The next open milestones at their soft dates, below the target.
        register_wall_panel(
            WallPanel(
                name="milestones",
                region=Region.SIDE,
                order=30,
                template_name="milestones/wall_milestones.html",
                context=selectors.milestones_wall_panel,
                sources=(
                    ("milestones.Milestone", "team_id"),
                    ("milestones.MilestoneSlip", "milestone.team_id"),
                    ("milestones.NonNegotiable", "team_id"),
                    ("milestones.NonNegotiableVersion", "non_negotiable.team_id"),
                    ("milestones.Check", "milestone.team_id"),
                ),
            )
        )
        # Quarterly review dates in the calendar feeds (with a fingerprint, for cheap 304s).
        register_feed_source(
            "vision-reviews",
            selectors.review_feed_events,
            version=selectors.review_feed_version,
        )
        # Milestones at their soft dates in the calendar feeds.
        register_feed_source(
            "milestones",
            selectors.milestone_feed_events,
            version=selectors.milestone_feed_version,
        )
