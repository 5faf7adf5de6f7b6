"""Capabilities of the surveys module (granted to roles in migration 0002)."""

MANAGE_WAVES = "surveys.manage_waves"  # create waves, build frames, send, close, export
VIEW_WAVES = "surveys.view_waves"  # see waves and their response-rate dashboard

CAPABILITIES = (MANAGE_WAVES, VIEW_WAVES)
