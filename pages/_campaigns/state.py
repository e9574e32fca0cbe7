"""Session keys the Campaigns page's parts share."""

PLAN = "cmp_plan"  # (signature of the inputs, Plan, preview texts) of the last check
SELECTED = "cmp_selected"  # id of the campaign shown in the list
LAUNCH_FLASH = "cmp_flash_launch"  # a campaign just started, or why it could not
