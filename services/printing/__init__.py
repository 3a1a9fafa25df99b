"""Printing: the print body, QR code, WeasyPrint rendering and the article PDF cache."""
