"""The Monitor Integriteit en Veiligheid report: indicators, weighting, trends, disclosure
control, the publication-ready report and its analysis bundle (issue 8)."""
