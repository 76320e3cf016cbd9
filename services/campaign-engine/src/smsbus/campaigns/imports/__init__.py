"""Contact imports as background jobs: the file read in chunks (`chunks`), the job runner
(`runner`)."""

from smsbus.campaigns.imports.runner import ImportJob, ImportRunner

__all__ = ["ImportJob", "ImportRunner"]
