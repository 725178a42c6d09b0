"""The assessment as an Excel workbook to fill in offline, and its upload back (preview, then confirm)."""
