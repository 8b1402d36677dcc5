"""Reports: tables, JSON, CSV and Excel workbooks."""
