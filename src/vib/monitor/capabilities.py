"""Capabilities of the monitor report (granted to roles in migration 0002)."""

VIEW_REPORTS = "monitor.view_reports"  # the dashboard and the finished reports (aggregates)
RUN_REPORTS = "monitor.run_reports"  # start a report run, download the analysis bundle

CAPABILITIES = (VIEW_REPORTS, RUN_REPORTS)
