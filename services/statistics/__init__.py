"""Statistics for the newsroom: what readers and listeners did with each article, per day, counted without
cookies or personal data (counting), and read back as rankings, series and the listener curve (report, charts)."""
