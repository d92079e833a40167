"""Pure text analysis: places (gazetteer matcher) and, later, claims."""
