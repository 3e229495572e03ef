"""The programs being compared: ours (htmxws_nb) and the raw Starlette baseline, doing the same work."""
